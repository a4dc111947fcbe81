"""The discrete-event core shared by :class:`RealtimeEnv`, :class:`RealtimeParallelEnv` and ``simulate_schedule``.

One :class:`Timeline` holds one agent's inference workers: their pending *start* events, their pending *completion*
(publish) events and the action slot the environment reads. Time is in env ticks (1 tick = τ_M); env step k happens
at time k. The event order, fixed everywhere in :mod:`activeq.realtime`:

1. at equal times, completions come first, then inference starts, then the env tick (a start at time k reads the
   observation of step k, which the tick at k acts on; the order between these two changes nothing but which
   agent step the tick's reward is reported with);
2. a completion at time f publishes its action into the slot; env step k uses the slot's action when one was
   published at a time ``<= k`` and not consumed yet, else the default action β. Hence an inference started at time
   s on the observation of step ``floor(s)`` acts at step ``ceil(s + τ_θ)``: with s = t an integer, at
   ``t + ⌈τ_θ/τ_M⌉`` (the convention of issue 10 and of Riemer et al., ICLR 2025, eq. 3);
3. an inference starting at time s reads the observation of step ``floor(s)`` (the last one *fully written*; the
   reference code's workers could read the replay slot that was about to be written).

Slots: ``"latest"`` (one slot, a new action overwrites an unconsumed one: that action is *lost* and counted in
``overwritten``) or ``"fifo"`` (a queue; every action is used, in publish order, one per env step). Reading a slot
takes its action and empties it in one operation (no check-then-reset race).

Raises :class:`activeq.errors.RealtimeError` for an unknown slot name and an inference time outside
[``MIN_TICKS``, ``MAX_TICKS``] env steps (:func:`activeq.realtime.clocks.check_ticks`).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import RealtimeError
from .clocks import InferenceTime, check_ticks
from .schedules.base import Schedule

SLOTS = ("latest", "fifo")
INF = math.inf


def obs_index(t: float) -> int:
    """The env step whose observation an inference starting at time ``t`` (ticks) reads: ``floor(t)``."""
    return int(math.floor(t + 1e-9))


class Timeline:
    """One agent's workers, events and action slot (see the module doc). ``tau`` is in seconds, ``tau_m`` too."""

    def __init__(self, tau: InferenceTime, tau_m: float, schedule: Schedule, slot: str = "latest",
                 rng: np.random.Generator | None = None):
        check_choice(slot, "slot", SLOTS, error=RealtimeError)
        check_ticks(tau, tau_m)
        self.tau = tau
        self.tau_m = tau_m
        self.schedule = schedule
        self.slot_kind = slot
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.tau_mean = tau.mean / tau_m
        self.tau_max = tau.max / tau_m
        self._constant = tau.is_constant
        self.reset()

    def reset(self) -> None:
        offsets = self.schedule.offsets(self.tau_mean, self.tau_max)
        self.pad = self.schedule.pad
        self._seq = 0
        self.starts: list[tuple[float, int, int]] = []
        for w, off in enumerate(offsets):
            self.starts.append((off, self._seq, w))
            self._seq += 1
        heapq.heapify(self.starts)
        self.completions: list[tuple[float, int, Any, int, int, float]] = []
        self.slot: Any = None if self.slot_kind == "latest" else deque()
        self.published = 0
        self.overwritten = 0
        self.overruns = 0

    @property
    def next_start(self) -> float:
        return self.starts[0][0] if self.starts else INF

    @property
    def next_completion(self) -> float:
        return self.completions[0][0] if self.completions else INF

    def pop_start(self) -> tuple[float, int]:
        """The next start event: ``(time, worker)``."""
        t, _, w = heapq.heappop(self.starts)
        return t, w

    def duration(self) -> float:
        """One draw of τ_θ in ticks."""
        return self.tau_mean if self._constant else self.tau.sample(self.rng) / self.tau_m

    def begin(self, worker: int, start: float, obs: int, action: Any, duration: float | None = None) -> float:
        """Record the inference ``worker`` started at ``start`` on observation ``obs``: its ``action`` is published
        at ``start + max(duration, pad)`` (``duration`` in ticks; drawn from τ_θ when None). Returns that time."""
        d = self.duration() if duration is None else duration
        if d > self.pad:
            if self.pad > 0.0 and d > self.pad + 1e-9:
                self.overruns += 1
        else:
            d = self.pad
        finish = round(start + d, 9)
        heapq.heappush(self.completions, (finish, self._seq, action, obs, worker, start))
        self._seq += 1
        return finish

    def publish_next(self) -> tuple[float, Any, int, int]:
        """Publish the earliest completion into the slot and schedule its worker's next start.
        Returns ``(finish, action, obs, worker)``."""
        finish, _, action, obs, worker, start = heapq.heappop(self.completions)
        self.published += 1
        if self.slot_kind == "latest":
            if self.slot is not None:
                self.overwritten += 1
            self.slot = (action, obs)
        else:
            self.slot.append((action, obs))
        nxt = self.schedule.next_start(worker, start, finish)
        heapq.heappush(self.starts, (nxt, self._seq, worker))
        self._seq += 1
        return finish, action, obs, worker

    def take(self) -> tuple[Any, int] | None:
        """Take the slot's action for this env step, emptying the slot (one operation): ``(action, obs)`` or None."""
        if self.slot_kind == "latest":
            got = self.slot
            self.slot = None
            return got
        return self.slot.popleft() if self.slot else None
