"""``n_star`` and ``simulate_schedule``: how many workers a schedule needs, and what it achieves, on the virtual clock.

Riemer et al., "Realtime Reinforcement Learning", ICLR 2025, theorem 2 / eq. 6: with environment step time τ_M and
inference time τ_θ, N staggered workers act on a fraction ``min(1, N τ_M / τ_θ)`` of the steps, so
``N* = ⌈τ_θ / τ_M⌉`` workers suffice; unstaggered workers act on about ``τ_M / τ_θ`` whatever N; sequential
interaction acts on ``1 / ⌈τ_θ / τ_M⌉`` (our convention: an inference started on step t acts at step
``t + ⌈τ_θ/τ_M⌉``; the reference simulation's ``1 / (1 + d)`` counts the acting frame separately).

``simulate_schedule`` runs the event core (:mod:`activeq.realtime.timeline`) without an environment and measures
the *action rate* (fraction of env steps that get a policy action, after a warm-up of ``⌈τ_θ^max/τ_M⌉`` steps in
which no inference can have finished) and the *mean staleness* (env steps between the observation an applied action
was computed on and the step it acts on).

Raises :class:`activeq.errors.RealtimeError` for τ ≤ 0 or not finite, workers < 1, an unknown schedule, padding or
slot, or a jitter outside [0, 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._checks import SeedLike, as_generator, check_nbytes, check_positive_int
from ...errors import RealtimeError
from ..clocks import InferenceTime, as_inference_time, check_tau
from ..timeline import INF, Timeline, obs_index
from . import make_schedule
from .base import Schedule

__all__ = ["ScheduleStats", "n_star", "simulate_schedule"]


def n_star(tau_theta: float, tau_m: float) -> int:
    """The number of staggered workers that acts on every env step: ``⌈τ_θ / τ_M⌉``.

    Parameters
    ----------
    tau_theta : float
        Inference time in seconds (pass the maximum under jitter to size max-time padding).
    tau_m : float
        Environment step time in seconds.

    Returns
    -------
    int
        ``ceil(tau_theta / tau_m)`` (ratios within 1e-9 of an integer count as that integer).
    """
    th = check_tau(tau_theta, "tau_theta")
    tm = check_tau(tau_m, "tau_m")
    return max(1, int(math.ceil(th / tm - 1e-9)))


@dataclass(frozen=True)
class ScheduleStats:
    """What a schedule achieved over ``steps`` env steps after ``warmup``.

    ``action_rate``: fraction of steps with a policy action; ``mean_staleness``: mean age (env steps) of the
    observation behind each applied policy action (nan if none); ``lost``: actions overwritten in the slot before
    any step used them; ``published``: actions published; ``overruns``: inferences longer than the padding bound;
    ``staleness``: per step the age of the applied action, -1 where β was applied.
    """

    schedule: str
    workers: int
    padding: str
    slot: str
    tau_m: float
    tau_theta_mean: float
    tau_theta_max: float
    steps: int
    warmup: int
    action_rate: float
    mean_staleness: float
    lost: int
    published: int
    overruns: int
    staleness: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("schedule", "workers", "padding", "slot", "tau_m", "tau_theta_mean",
                                              "tau_theta_max", "steps", "warmup", "action_rate", "mean_staleness",
                                              "lost", "published", "overruns")}


def simulate_schedule(tau_m: float, tau_theta: float | InferenceTime, workers: int = 1,
                      schedule: str | Schedule = "staggered", steps: int = 1000, jitter: float = 0.0,
                      padding: str = "max", seed: SeedLike = 0, *, slot: str = "latest",
                      warmup: int | None = None) -> ScheduleStats:
    """Run a schedule on the virtual clock (no environment) and measure its action rate and staleness.

    Parameters
    ----------
    tau_m : float
        Environment step time, seconds.
    tau_theta : float or InferenceTime
        Inference time, seconds: a constant (with optional ``jitter``) or a law (:class:`InferenceTime`).
    workers : int
        Number of inference workers.
    schedule : str or Schedule
        ``"sequential"``, ``"staggered"`` or ``"unstaggered"``.
    steps : int
        Env steps measured (after the warm-up).
    jitter : float
        Uniform jitter of a constant ``tau_theta``: τ_θ ~ U(mean (1 - jitter), mean (1 + jitter)).
    padding : str
        ``"max"`` (publish every action at start + τ_θ^max) or ``"none"`` (publish when done; with
        ``"staggered"`` this is mean-time staggering).
    seed : int or numpy.random.Generator
        Seed of the τ_θ draws.
    slot : str
        ``"latest"`` (overwrite) or ``"fifo"``.
    warmup : int, optional
        Env steps not measured at the start (default ``⌈τ_θ^max/τ_M⌉``: before that no inference has finished).

    Returns
    -------
    ScheduleStats
        Action rate, mean staleness, lost actions and the per-step staleness.
    """
    tm = check_tau(tau_m, "tau_m")
    tau = as_inference_time(tau_theta, jitter)
    sched = make_schedule(schedule, workers, padding)
    steps = check_positive_int(steps, "steps")
    rng = as_generator(seed)
    tl = Timeline(tau, tm, sched, slot, rng)
    if warmup is None:
        warmup = int(math.ceil(tl.tau_max - 1e-9))
    warmup = check_positive_int(warmup, "warmup", minimum=0)
    total = warmup + steps
    check_nbytes(8 * total, f"steps = {steps} (+ warmup {warmup}): the per-step staleness record", error=RealtimeError)
    stale = np.full(total, -1, dtype=np.int64)
    k = 0
    while k < total:
        tc, ts = tl.next_completion, tl.next_start
        if tc <= k and tc <= ts:
            tl.publish_next()
        elif ts <= k:
            t, w = tl.pop_start()
            tl.begin(w, t, obs_index(t), 0)
        else:
            got = tl.take()
            if got is not None:
                stale[k] = k - got[1]
            k += 1
        if tc == INF and ts == INF:  # pragma: no cover - a schedule always has a next start
            break
    measured = stale[warmup:]
    acted = measured >= 0
    return ScheduleStats(sched.name, sched.workers, sched.padding, slot, tm, tau.mean, tau.max, steps, warmup,
                         float(acted.mean()), float(measured[acted].mean()) if acted.any() else float("nan"),
                         tl.overwritten, tl.published, tl.overruns, measured)
