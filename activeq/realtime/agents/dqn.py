"""DQN with a pipelined Q-network, learning in realtime environments (MinAtar behind a RealtimeEnv).

Deep Q-learning (Mnih et al., 2015: replay, a target network copied every ``target_network_frequency`` updates,
epsilon-greedy exploration; the Huber loss on the TD error of eq. 3), written like CleanRL's ``dqn.py``, with the
same realtime changes as :mod:`.ppo`:

* one ``env.step`` is one semi-MDP transition of a :class:`~activeq.realtime.env.RealtimeEnv` (Riemer et al., ICLR
  2025): the target is ``r + gamma ** frames * max_a Q_target(next)``, ``frames = info["env_steps"]``;
* the Q-network is pipelined (Anokhin et al., ICLR 2025): it acts through ``step`` (one tick per call, epsilon-greedy
  on the values it outputs) and learns through ``forward`` on the window of inputs it latched, read back from the
  replay buffer (zero-padded before the episode's first tick, which is what ``reset`` leaves in the registers).

``num_envs`` environments run in lockstep (one batch through the network per tick) and one gradient step follows
every ``train_frequency`` ticks. Every ``checkpoint_every`` updates a segment ends: the envs and samplers restart from
a seed derived from ``(seed, segment)`` and a checkpoint (JSON + npz, replay buffer included, no pickle) is written,
so a resumed run equals an uninterrupted one. An episode still running at a segment's end is cut and not logged, so a
segment must hold several episodes per env.

Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad arguments and
:class:`~activeq.errors.ExperimentError` when a checkpoint belongs to another run.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..._checks import check_in_range, check_positive_int
from ._common import (EnvArgs, EnvFn, EpisodeLog, NetArgs, TrainResult, VectorEnvs, args_dict, build_network,
                      check_resume, gather_windows, load_checkpoint, make_env, save_checkpoint, segment_seed)


@dataclass
class Args(EnvArgs, NetArgs):
    """DQN's arguments (the environment's and the network's fields come from ``EnvArgs`` and ``NetArgs``)."""

    seed: int = 0
    """Seed of the network initialisation, the envs, exploration and replay sampling."""
    total_frames: int = 200_000
    """Frames to play, summed over the envs."""
    num_envs: int = 4
    """Environments played in lockstep (one batch through the Q-network per tick)."""
    buffer_size: int = 50_000
    """Replay capacity in transitions (split evenly over the envs)."""
    learning_rate: float = 2.5e-4
    """Adam step size."""
    gamma: float = 0.99
    """Discount per frame; a transition that spans k frames is discounted by gamma ** k."""
    batch_size: int = 64
    """Transitions per gradient step."""
    train_frequency: int = 1
    """Ticks (of all envs together) between two gradient steps."""
    learning_starts: int = 5_000
    """Frames played with random actions before the first gradient step."""
    target_network_frequency: int = 500
    """Gradient steps between two copies of the Q-network into the target network."""
    start_e: float = 1.0
    """Initial exploration rate."""
    end_e: float = 0.05
    """Final exploration rate."""
    exploration_fraction: float = 0.25
    """Fraction of ``total_frames`` over which exploration decays linearly from ``start_e`` to ``end_e``."""
    max_grad_norm: float = 10.0
    """Global gradient-norm clip."""
    checkpoint_every: int = 5_000
    """Gradient steps per segment (a checkpoint and a fresh start of the envs after each)."""

    def check(self) -> None:
        EnvArgs.check(self)
        NetArgs.check(self)
        check_positive_int(self.seed, "seed", minimum=0)
        for name in ("total_frames", "num_envs", "batch_size", "train_frequency", "target_network_frequency",
                     "checkpoint_every"):
            check_positive_int(getattr(self, name), name)
        check_positive_int(self.buffer_size, "buffer_size", minimum=2 * self.num_envs)
        check_positive_int(self.learning_starts, "learning_starts", minimum=0)
        check_in_range(self.learning_rate, "learning_rate", 0.0, None, low_open=True)
        check_in_range(self.gamma, "gamma", 0.0, 1.0)
        for name in ("start_e", "end_e", "exploration_fraction"):
            check_in_range(getattr(self, name), name, 0.0, 1.0)
        check_in_range(self.max_grad_norm, "max_grad_norm", 0.0, None, low_open=True)


def _stats(frames: int, n_updates: int, losses: list[float], epsilon: float, q: torch.Tensor) -> dict:
    return {"frames": frames, "updates": n_updates, "loss": float(np.mean(losses)), "epsilon": epsilon,
            "q_mean": float(q.detach().mean())}


def train(args: Args, *, env_fn: EnvFn | None = None, checkpoint: str | Path | None = None,
          stop_after: int | None = None, progress: bool = True) -> TrainResult:
    """Train a DQN agent with a pipelined Q-network; returns every finished episode and the update statistics.

    Parameters
    ----------
    args : Args
        The run's settings.
    env_fn : callable, optional
        ``env_fn(seed) -> gymnasium.Env`` replacing the MinAtar game of ``args``.
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

    with torch.random.fork_rng():
        torch.manual_seed(args.seed)
        q_net = build_network(args, shape, n_actions, n_actions)
    target = copy.deepcopy(q_net)
    optimizer = torch.optim.Adam(q_net.parameters(), lr=args.learning_rate, foreach=True)

    # ------------------------------------------------------------------ replay: one column per env, a ring of rows
    B = args.num_envs
    C = args.buffer_size // B
    rb = {"obs": torch.zeros(C, B, *envs.net_shape, dtype=torch.uint8 if envs.binary else torch.float32),
          "last": torch.full((C, B), -1, dtype=torch.long),
          "pos": torch.zeros(C, B, dtype=torch.long), "act": torch.zeros(C, B, dtype=torch.long),
          "rew": torch.zeros(C, B), "disc": torch.zeros(C, B), "done": torch.zeros(C, B)}
    written = 0  # rows written so far (row r lives at r % C)

    updates, segment, seconds, n_updates = [], 0, 0.0, 0
    path = Path(checkpoint) if checkpoint is not None else None
    state = load_checkpoint(path) if path is not None else None
    if state is not None:
        check_resume(state["args"], args_dict(args), path)
        q_net.load_state_dict(state["q_net"])
        target.load_state_dict(state["target"])
        optimizer.load_state_dict(state["optimizer"])
        rb = state["replay"]
        log.__init__(**state["episodes"])
        updates, envs.frames, segment, seconds = state["updates"], state["frames"], state["segment"], state["seconds"]
        n_updates, written = state["n_updates"], state["written"]

    back = q_net.window + q_net.history  # rows a window reaches back, plus the next row
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=args.total_frames, initial=min(envs.frames, args.total_frames), unit="frame", desc="dqn")
    t_start = time.perf_counter() - seconds
    losses: list[float] = []

    while envs.frames < args.total_frames and (stop_after is None or segment < stop_after):
        # ------------------------------------------------------------------ a segment: fresh envs and samplers
        gen = torch.Generator().manual_seed(segment_seed(args.seed, segment, 999))
        x = envs.reset(segment)
        last = torch.full((B,), -1, dtype=torch.long)
        pos = torch.zeros(B, dtype=torch.long)
        q_net.reset()
        seg_end = (n_updates // args.checkpoint_every + 1) * args.checkpoint_every
        tick = 0

        while envs.frames < args.total_frames and n_updates < seg_end:
            # -------------------------------------------------------------- act: one tick, epsilon-greedy
            row = written % C
            rb["obs"][row], rb["last"][row], rb["pos"][row] = x.to(rb["obs"].dtype), last, pos
            q_values = q_net.step(x, last if q_net.history else None)
            slope = (args.end_e - args.start_e) / max(1.0, args.exploration_fraction * args.total_frames)
            frames = envs.frames
            epsilon = max(args.end_e, args.start_e + slope * frames) if frames >= args.learning_starts else 1.0
            explore = torch.rand(B, generator=gen) < epsilon
            a = torch.where(explore, torch.randint(0, n_actions, (B,), generator=gen), q_values.argmax(1))
            x, rew, disc, done_np = envs.step(a, args.gamma)
            frames = envs.frames
            done = torch.from_numpy(done_np)
            rb["rew"][row] = torch.from_numpy(rew)
            rb["disc"][row] = torch.from_numpy(disc)
            rb["act"][row], rb["done"][row] = a, done.float()
            written += 1
            last = torch.where(done, -1, a)
            pos = torch.where(done, 0, pos + 1)
            if done.any():
                q_net.reset(done)
            tick += 1

            # -------------------------------------------------------------- learn: one gradient step
            # rows whose next row is written and whose window was not overwritten (the oldest `back` rows may be);
            # a row whose episode was cut by a segment's end has no successor (the pos check below drops it)
            usable = min(written - 1, C - back)
            if frames < args.learning_starts or tick % args.train_frequency or usable < args.batch_size:
                continue
            rows = written - 1 - 1 - torch.randint(0, usable - 1, (args.batch_size,), generator=gen)
            cols = torch.randint(0, B, (args.batch_size,), generator=gen)
            nxt = rows + 1
            ok = rb["pos"][nxt % C, cols] == rb["pos"][rows % C, cols] + 1  # next row continues the episode
            ok |= rb["done"][rows % C, cols] > 0
            rows, cols, nxt = rows[ok], cols[ok], nxt[ok]
            ow, aw = gather_windows(rb["obs"], rb["last"], rb["pos"], rows % C, cols, q_net.window, q_net.history)
            nw, na = gather_windows(rb["obs"], rb["last"], rb["pos"], nxt % C, cols, q_net.window, q_net.history)
            with torch.no_grad():
                q_next = target(nw.float(), na).max(1).values
                y = rb["rew"][rows % C, cols] + rb["disc"][rows % C, cols] * (1 - rb["done"][rows % C, cols]) * q_next
            q = q_net(ow.float(), aw).gather(1, rb["act"][rows % C, cols][:, None]).squeeze(1)
            loss = F.smooth_l1_loss(q, y)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(q_net.parameters(), args.max_grad_norm)
            optimizer.step()
            n_updates += 1
            losses.append(loss.item())
            if n_updates % args.target_network_frequency == 0:
                target.load_state_dict(q_net.state_dict())
            if n_updates % 500 == 0:
                updates.append(_stats(frames, n_updates, losses, epsilon, q))
                losses = []
            if bar is not None and n_updates % 100 == 0:
                bar.update(min(frames, args.total_frames) - bar.n)
                if log.returns:
                    bar.set_postfix(ret=f"{np.mean(log.returns[-20:]):.2f}", eps=f"{epsilon:.2f}")
        if losses:
            updates.append(_stats(frames, n_updates, losses, epsilon, q))
            losses = []
        segment += 1
        if path is not None:
            save_checkpoint(path, {"args": args_dict(args), "segment": segment, "frames": envs.frames,
                                   "n_updates": n_updates, "written": written, "q_net": q_net.state_dict(),
                                   "target": target.state_dict(), "optimizer": optimizer.state_dict(),
                                   "replay": rb, "episodes": asdict(log), "updates": updates,
                                   "seconds": time.perf_counter() - t_start})
    if bar is not None:
        bar.update(min(envs.frames, args.total_frames) - bar.n)
        bar.close()
    return TrainResult(args_dict(args), log, updates, envs.frames, q_net.delay, envs.delay,
                       time.perf_counter() - t_start)
