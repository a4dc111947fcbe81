"""The one-process, CleanRL-style reference of the wall-clock runtime: the same run, readable top to bottom.

It plays the role that :mod:`activeq.active.further.reference` plays for FURTHER: :func:`run_reference` does what
:func:`activeq.realtime.runtime.run_realtime` does with processes (env, N_I inference workers, N_L learners), but in
one process on the deterministic virtual clock (:class:`activeq.realtime.RealtimeEnv`), with ``updates_per_step``
learner updates per env step instead of learners running as fast as they can. The runtime's tests check it against
this: same action rate, same staleness, every action acting on the step the convention says
(``t + ⌈τ_θ/τ_M⌉``). Riemer et al., ICLR 2025, algorithm 1 (asynchronous interaction with staggered inference).

Differences, on purpose: when the env ends an episode this reference also restarts the inference schedule (the
runtime keeps it running); learner timing is deterministic here. Raises what :func:`run_realtime` raises for bad input.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import gymnasium as gym
import numpy as np

from .env import RealtimeEnv
from .runtime import RuntimeConfig, RuntimeResult, _space_checks, _to_torch, dqn_loss, learner_step

__all__ = ["run_reference"]


class _Transitions(gym.Wrapper):
    """Records every env step's (obs, action, reward, next_obs, done): what the runtime's env process writes to the
    replay buffer."""

    def reset(self, **kwargs: Any):
        obs, info = self.env.reset(**kwargs)
        self.last_obs = obs
        self.new: list[tuple[Any, int, float, Any, bool]] = []
        return obs, info

    def step(self, action: Any):
        nxt, r, term, trunc, info = self.env.step(action)
        self.new.append((self.last_obs, int(action), float(r), nxt, bool(term)))
        self.last_obs = nxt
        return nxt, r, term, trunc, info


def run_reference(env_fn: Callable[[], Any], config: RuntimeConfig, *, model_fn: Callable[[], Any] | None = None,
                  act_fn: Callable[[np.ndarray, int], int] | None = None,
                  loss_fn: Callable[[Any, dict[str, Any]], Any] | None = None,
                  updates_per_step: int = 1) -> RuntimeResult:
    """Run the realtime loop in one process on the virtual clock (see the module doc).

    Parameters
    ----------
    env_fn, config, model_fn, act_fn, loss_fn
        As for :func:`activeq.realtime.runtime.run_realtime`.
    updates_per_step : int
        Learner updates per env step (times ``config.learners``).

    Returns
    -------
    RuntimeResult
        Per-step log and counters (``tick_times`` are the virtual times ``k * tau_m``).
    """
    cfg = config.validated()
    _, model = _space_checks(env_fn, model_fn, cfg)
    t_start = time.perf_counter()
    rng = np.random.default_rng(cfg.seed)
    # 1. the env on the virtual clock, with the runtime's schedule, slot and default action
    inner = _Transitions(env_fn())
    env = RealtimeEnv(inner, cfg.tau_m, cfg.tau_theta, workers=cfg.workers, schedule=cfg.schedule,
                      padding=cfg.padding, slot=cfg.slot, default_action=cfg.default_action, seed=cfg.seed)
    # 2. the learners' model, optimizer and replay buffer
    optimizer = None
    replay: list[tuple[Any, int, float, Any, bool]] = []
    losses = np.full(max(1, cfg.learners), np.nan)
    updates = 0
    if model is not None and cfg.learners:
        import torch

        optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    loss_fn = loss_fn or dqn_loss()
    actions: list[Any] = []
    source: list[int] = []
    rewards: list[float] = []
    obs, info = env.reset(seed=cfg.seed)
    while len(source) + env.stats.env_steps < cfg.steps:
        # 3. one inference, started on `obs`: the model's epsilon-greedy action, or the emulated policy
        if model is not None:
            import torch

            with torch.no_grad():
                q = model(torch.as_tensor(np.asarray(obs, dtype=np.float32))[None])
            a = int(rng.integers(q.shape[1])) if rng.random() < cfg.epsilon else int(q.argmax(dim=1)[0])
        elif act_fn is not None:
            a = int(act_fn(np.asarray(obs, dtype=np.float32), info["step"]))
        else:
            a = cfg.default_action
        # 4. the env runs on until the next inference starts (or the episode ends)
        obs, _, term, trunc, info = env.step(a)
        # 5. the learners: every elapsed env step goes to the replay buffer, then `updates_per_step` updates each
        for tr in inner.new:
            replay.append(tr)
            if len(replay) > cfg.replay_size:
                replay.pop(0)
            if optimizer is None or len(replay) < cfg.batch_size:
                continue
            for u in range(cfg.learners * updates_per_step):
                idx = rng.integers(0, len(replay), size=cfg.batch_size)
                batch = {"obs": np.asarray([replay[i][0] for i in idx], np.float32),
                         "action": np.asarray([replay[i][1] for i in idx], np.int64),
                         "reward": np.asarray([replay[i][2] for i in idx], np.float32),
                         "next_obs": np.asarray([replay[i][3] for i in idx], np.float32),
                         "done": np.asarray([replay[i][4] for i in idx], np.float32)}
                losses[u % len(losses)] = learner_step(model, loss_fn, _to_torch(batch))
                optimizer.step()
                updates += 1
        inner.new = []
        if term or trunc:  # keep the episode's log, start the next one
            ro = env.rollout()
            actions += list(ro.actions)
            source += ro.source.tolist()
            rewards += ro.rewards.tolist()
            obs, info = env.reset()
    ro = env.rollout()
    actions += list(ro.actions)
    source += ro.source.tolist()
    rewards += ro.rewards.tolist()
    n = cfg.steps
    st = env.stats
    return RuntimeResult(cfg, np.asarray(actions[:n], np.int64), np.asarray(source[:n], np.int64),
                         np.asarray(rewards[:n], np.float64), np.arange(n) * cfg.tau_m, st.published, st.lost,
                         st.overruns, updates, updates, losses, "steps", time.perf_counter() - t_start,
                         {"model": model})
