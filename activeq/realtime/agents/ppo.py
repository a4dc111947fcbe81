"""PPO with a pipelined actor, learning in realtime environments (MinAtar behind a RealtimeEnv).

Proximal policy optimisation (Schulman et al., 2017, the clipped objective of eq. 7, with generalised advantage
estimation, Schulman et al., 2016, eq. 11-16), written like CleanRL's ``ppo.py`` (arguments, then the algorithm, top
to bottom), with three realtime changes:

* every ``env.step`` is one semi-MDP transition of a :class:`~activeq.realtime.env.RealtimeEnv` (Riemer et al.,
  ICLR 2025): its reward is summed over the frames that elapsed (``info["env_steps"]``) and the next value is
  discounted by ``gamma ** frames``;
* the actor is a pipelined network (Anokhin et al., "Handling Delay in Real-Time Reinforcement Learning", ICLR
  2025): it *acts* through ``step`` (one call = one tick; an observation reaches the action ``delay`` ticks later)
  and *learns* through ``forward`` on the window of inputs it latched, which gives exactly the probabilities it
  acted with while the weights stay fixed over a rollout;
* the critic only serves learning, so it is an ordinary network (one tick) on the newest observation and the last
  ``critic_history`` actions: the same for every actor architecture, so architectures are compared fairly.

Every ``checkpoint_every`` updates a *segment* ends: the envs and the sampler restart from a seed derived from
``(seed, segment)`` and a checkpoint (JSON + npz, no pickle) is written, so a resumed run equals an uninterrupted one.
An episode still running at a segment's end is cut and not logged: choose ``checkpoint_every * num_steps`` (env
calls per env and segment) above the episode length (MinAtar freeway: 2500 frames), or no return is ever logged.
Defaults follow the temporal-skip paper's PPO (lr 2.5e-4, clip 0.1); its budget (10M frames per run) is far beyond
this machine, so ``total_frames`` is small and every results table says how small.

Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad arguments and
:class:`~activeq.errors.ExperimentError` when a checkpoint belongs to another run.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..._checks import check_in_range, check_positive_int
from ...errors import ArgumentError
from ._common import (EnvArgs, EnvFn, EpisodeLog, NetArgs, TrainResult, VectorEnvs, args_dict, build_network,
                      check_resume, gather_windows, load_checkpoint, make_env, save_checkpoint, segment_seed)


@dataclass
class Args(EnvArgs, NetArgs):
    """PPO's arguments (the environment's and the network's fields come from ``EnvArgs`` and ``NetArgs``)."""

    seed: int = 0
    """Seed of the network initialisation, the envs and the action sampler."""
    total_frames: int = 200_000
    """Frames to play, summed over the envs (the reference trains 10M)."""
    num_envs: int = 8
    """Environments played in lockstep (one batch through the actor per tick)."""
    num_steps: int = 128
    """Calls of ``env.step`` per env per rollout."""
    learning_rate: float = 2.5e-4
    """Adam step size (the reference's 2.5e-4), annealed linearly to 0 over ``total_frames`` when ``anneal_lr``."""
    anneal_lr: bool = True
    """Anneal the learning rate linearly with the frames played."""
    gamma: float = 0.99
    """Discount per frame; a transition that spans k frames is discounted by gamma ** k."""
    gae_lambda: float = 0.95
    """GAE's lambda (per transition)."""
    num_minibatches: int = 4
    """Minibatches per epoch."""
    update_epochs: int = 4
    """Passes over each rollout."""
    clip_coef: float = 0.1
    """PPO's ratio clip (the reference's 0.1)."""
    ent_coef: float = 0.01
    """Entropy bonus weight."""
    vf_coef: float = 0.5
    """Value loss weight."""
    max_grad_norm: float = 0.5
    """Global gradient-norm clip."""
    critic_history: int = 1
    """Past actions the critic sees beside the newest observation (the action in flight for a sequential env)."""
    critic_hidden: tuple[int, ...] = (128,)
    """Hidden widths of the critic, an ordinary MLP on the flattened observation and the critic's action history."""
    checkpoint_every: int = 20
    """Updates per segment (a checkpoint and a fresh start of the envs after each)."""

    def check(self) -> None:
        EnvArgs.check(self)
        NetArgs.check(self)
        check_positive_int(self.seed, "seed", minimum=0)
        for name in ("total_frames", "num_envs", "num_steps", "num_minibatches", "update_epochs", "checkpoint_every"):
            check_positive_int(getattr(self, name), name)
        if (self.num_envs * self.num_steps) % self.num_minibatches:
            raise ArgumentError(
                f"num_minibatches must divide num_envs * num_steps = {self.num_envs * self.num_steps}, "
                f"got {self.num_minibatches}")
        check_in_range(self.learning_rate, "learning_rate", 0.0, None, low_open=True)
        check_in_range(self.gamma, "gamma", 0.0, 1.0)
        check_in_range(self.gae_lambda, "gae_lambda", 0.0, 1.0)
        for name in ("clip_coef", "ent_coef", "vf_coef", "max_grad_norm"):
            check_in_range(getattr(self, name), name, 0.0, None)
        check_positive_int(self.critic_history, "critic_history", minimum=0)


def train(args: Args, *, env_fn: EnvFn | None = None, checkpoint: str | Path | None = None,
          stop_after: int | None = None, progress: bool = True) -> TrainResult:
    """Train a PPO agent with a pipelined actor; returns every finished episode and the update statistics.

    Parameters
    ----------
    args : Args
        The run's settings.
    env_fn : callable, optional
        ``env_fn(seed) -> gymnasium.Env`` replacing the MinAtar game of ``args`` (a discrete action space and a
        Box observation space of 1 or 3 dimensions; a RealtimeEnv or a plain env).
    checkpoint : path, optional
        JSON file (with a ``.npz`` beside it) written after every segment and resumed from when it exists.
    stop_after : int, optional
        Stop after this many segments in total (with a checkpoint), as an interruption would.
    progress : bool
        Show a progress bar over the frames.

    Returns
    -------
    TrainResult
    """
    args.check()
    if stop_after is not None:
        check_positive_int(stop_after, "stop_after")
    log = EpisodeLog()
    envs = VectorEnvs(env_fn or (lambda s: make_env(args, s)), args.num_envs, args.seed, args.network, log)
    n_actions, shape = envs.n_actions, envs.shape

    # ------------------------------------------------------------------ networks and optimiser
    with torch.random.fork_rng():
        torch.manual_seed(args.seed)
        actor = build_network(args, shape, n_actions, n_actions)
        critic = build_network(NetArgs(network="mlp", hidden=args.critic_hidden, history=args.critic_history,
                                       pipeline=False), shape, n_actions, 1)
        with torch.no_grad():  # a near-uniform first policy (CleanRL's 0.01 head)
            actor.layers[-1].weight.mul_(0.01)
            actor.layers[-1].bias.zero_()
    optimizer = torch.optim.Adam(list(actor.parameters()) + list(critic.parameters()), lr=args.learning_rate,
                                 eps=1e-5, foreach=True)

    # ------------------------------------------------------------------ resume
    updates, segment, seconds = [], 0, 0.0
    path = Path(checkpoint) if checkpoint is not None else None
    state = load_checkpoint(path) if path is not None else None
    if state is not None:
        check_resume(state["args"], args_dict(args), path)
        actor.load_state_dict(state["actor"])
        critic.load_state_dict(state["critic"])
        optimizer.load_state_dict(state["optimizer"])
        log.__init__(**state["episodes"])
        updates, envs.frames, segment, seconds = state["updates"], state["frames"], state["segment"], state["seconds"]

    B, T = args.num_envs, args.num_steps
    P = max(actor.window + actor.history - 2, args.critic_history - 1, 0)  # ticks a window reaches back
    L = P + T + 1
    minibatch = B * T // args.num_minibatches
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=args.total_frames, initial=min(envs.frames, args.total_frames), unit="frame", desc="ppo")
    t_start = time.perf_counter() - seconds

    while envs.frames < args.total_frames and (stop_after is None or segment < stop_after):
        # ------------------------------------------------------------------ a segment: fresh envs and sampler
        gen = torch.Generator().manual_seed(segment_seed(args.seed, segment, 999))
        x = envs.reset(segment)
        last = torch.full((B,), -1, dtype=torch.long)
        pos = torch.zeros(B, dtype=torch.long)
        actor.reset()
        obs_buf = torch.zeros(L, B, *envs.net_shape)
        last_buf = torch.full((L, B), -1, dtype=torch.long)
        pos_buf = torch.zeros(L, B, dtype=torch.long)

        for _ in range(args.checkpoint_every):
            if envs.frames >= args.total_frames:
                break
            lr = args.learning_rate * (max(0.0, 1.0 - envs.frames / args.total_frames) if args.anneal_lr else 1.0)
            for g in optimizer.param_groups:
                g["lr"] = lr
            act_buf = torch.zeros(T, B, dtype=torch.long)
            logp_buf = torch.zeros(T, B)
            rew_np, disc_np, done_np = np.zeros((T, B)), np.zeros((T, B)), np.zeros((T, B), dtype=bool)

            # -------------------------------------------------------------- rollout: one actor tick per call
            for i in range(T):
                s = P + i
                obs_buf[s], last_buf[s], pos_buf[s] = x, last, pos
                logits = actor.step(x, last if actor.history else None)
                logp_all = F.log_softmax(logits, dim=-1)
                a = torch.multinomial(logp_all.exp(), 1, generator=gen).squeeze(1)
                act_buf[i], logp_buf[i] = a, logp_all.gather(1, a[:, None]).squeeze(1)
                x, rew_np[i], disc_np[i], done_np[i] = envs.step(a, args.gamma)
                done = torch.from_numpy(done_np[i].copy())
                last = torch.where(done, -1, a)
                pos = torch.where(done, 0, pos + 1)
                if done.any():
                    actor.reset(done)
            obs_buf[P + T], last_buf[P + T], pos_buf[P + T] = x, last, pos
            rew_buf = torch.as_tensor(rew_np, dtype=torch.float32)
            disc_buf = torch.as_tensor(disc_np, dtype=torch.float32)
            done_buf = torch.as_tensor(done_np, dtype=torch.float32)

            # -------------------------------------------------------------- advantages (GAE, semi-MDP discount)
            tt = torch.arange(P, P + T + 1).repeat_interleave(B)
            bb = torch.arange(B).repeat(T + 1)
            with torch.no_grad():
                ow, aw = gather_windows(obs_buf, last_buf, pos_buf, tt, bb, 1, args.critic_history)
                values = critic(ow.flatten(2), aw).reshape(T + 1, B)
            adv = torch.zeros(T, B)
            running = torch.zeros(B)
            for i in range(T - 1, -1, -1):
                keep = disc_buf[i] * (1.0 - done_buf[i])
                delta = rew_buf[i] + keep * values[i + 1] - values[i]
                running = delta + keep * args.gae_lambda * running
                adv[i] = running
            returns = adv + values[:T]

            # -------------------------------------------------------------- PPO epochs on the unrolled actor
            stats, check = [], float("nan")
            n = T * B
            for _epoch in range(args.update_epochs):
                perm = torch.randperm(n, generator=gen)
                for k in range(0, n, minibatch):
                    idx = perm[k:k + minibatch]
                    ti, bi = idx // B, idx % B
                    ow, aw = gather_windows(obs_buf, last_buf, pos_buf, P + ti, bi, actor.window, actor.history)
                    logp_new_all = F.log_softmax(actor(ow, aw), dim=-1)
                    logp_new = logp_new_all.gather(1, act_buf[ti, bi][:, None]).squeeze(1)
                    entropy = -(logp_new_all.exp() * logp_new_all).sum(-1).mean()
                    log_ratio = logp_new - logp_buf[ti, bi]
                    ratio = log_ratio.exp()
                    if not stats:  # before the first gradient step the unrolled actor must give the acting
                        # probabilities, except in the first window-1 ticks (registers filled by older weights)
                        fresh = ti >= actor.window - 1
                        check = float(log_ratio.detach()[fresh].abs().max()) if fresh.any() else float("nan")
                    mb_adv = adv[ti, bi]
                    mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8)
                    pg_loss = torch.max(-mb_adv * ratio,
                                        -mb_adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)).mean()
                    cw, ca = gather_windows(obs_buf, last_buf, pos_buf, P + ti, bi, 1, args.critic_history)
                    v_loss = 0.5 * (critic(cw.flatten(2), ca).squeeze(1) - returns[ti, bi]).pow(2).mean()
                    loss = pg_loss - args.ent_coef * entropy + args.vf_coef * v_loss
                    optimizer.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(list(actor.parameters()) + list(critic.parameters()),
                                                   args.max_grad_norm)
                    optimizer.step()
                    with torch.no_grad():
                        stats.append([pg_loss.item(), v_loss.item(), entropy.item(),
                                      ((ratio - 1) - log_ratio).mean().item(),
                                      ((ratio - 1).abs() > args.clip_coef).float().mean().item()])
            mean = np.mean(stats, axis=0)
            updates.append({"frames": envs.frames, "lr": lr, "pg_loss": mean[0], "v_loss": mean[1], "entropy": mean[2],
                            "approx_kl": mean[3], "clipfrac": mean[4], "unroll_check": check})
            # carry the ticks the next rollout's windows reach back to (and its first tick)
            obs_buf[:P + 1] = obs_buf[T:].clone()
            last_buf[:P + 1] = last_buf[T:].clone()
            pos_buf[:P + 1] = pos_buf[T:].clone()
            if bar is not None:
                bar.update(min(envs.frames, args.total_frames) - bar.n)
                if log.returns:
                    bar.set_postfix(ret=f"{np.mean(log.returns[-20:]):.2f}")
        segment += 1
        if path is not None:
            save_checkpoint(path, {"args": args_dict(args), "segment": segment, "frames": envs.frames,
                                   "actor": actor.state_dict(), "critic": critic.state_dict(),
                                   "optimizer": optimizer.state_dict(), "episodes": asdict(log),
                                   "updates": updates, "seconds": time.perf_counter() - t_start})
    if bar is not None:
        bar.close()
    return TrainResult(args_dict(args), log, updates, envs.frames, actor.delay, envs.delay,
                       time.perf_counter() - t_start)


def main(argv: list[str] | None = None) -> Any:  # pragma: no cover - a thin command-line front
    """``python -m activeq.realtime.agents.ppo --game breakout --skip all --history 2 --total-frames 100000``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name, default in args_dict(Args()).items():
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            parser.add_argument(flag, type=lambda v: v.lower() in ("1", "true", "yes"), default=default)
        elif isinstance(default, list):
            parser.add_argument(flag, type=int, nargs="+", default=default)
        else:
            parser.add_argument(flag, type=type(default), default=default)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--quiet", action="store_true")
    ns = vars(parser.parse_args(argv))
    ckpt, quiet = ns.pop("checkpoint"), ns.pop("quiet")
    ns = {k: tuple(v) if isinstance(v, list) else v for k, v in ns.items()}
    res = train(Args(**ns), checkpoint=ckpt, progress=not quiet)
    print(json.dumps({"frames": res.frames, "episodes": len(res.episodes.returns),
                      "final_return": res.final_return(), "delay": res.delay, "seconds": round(res.seconds, 1)}))
    return res


if __name__ == "__main__":  # pragma: no cover
    main()
