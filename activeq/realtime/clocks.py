"""How time passes in a realtime run: the two clocks, and the law of the inference time τ_θ.

The realtime setting (Riemer et al., "Realtime Reinforcement Learning: Towards Rapid Asynchronous Deployment of
Large Models", ICLR 2025, section 3): the environment steps every τ_M seconds whatever the agent does, and one
forward pass of the policy takes τ_θ seconds. Everything in :mod:`activeq.realtime` measures time in *ticks* of the
environment (1 tick = τ_M) once the user's seconds have been divided by τ_M.

* :class:`VirtualClock`: a deterministic discrete-event clock. ``wait_until(t)`` jumps to ``t`` at once, so a run is
  as fast as the environment and the same seed gives the same trajectory.
* :class:`WallClock`: real time (``time.perf_counter``). ``wait_until(t)`` sleeps ``t - now`` when that is positive and
  never sleeps a negative time (one of the bugs of the reference code: its first sleep ``offset - elapsed`` could be
  negative and raise); the lateness ``now - t`` is returned so callers can count overruns.
* :class:`InferenceTime`: τ_θ as a constant, a uniform jitter ``mean * (1 ± jitter)``, an empirical law (samples),
  or the measured forward time of a real torch model (:meth:`InferenceTime.from_model`). ``max`` is the bound that
  max-time padding uses.

Raises :class:`activeq.errors.RealtimeError` for a τ that is not a finite positive number, a jitter outside [0, 1),
an empty/negative sample set, or an inference time outside [:data:`MIN_TICKS`, :data:`MAX_TICKS`] env steps (below,
every env step would cost thousands of simulated inferences that change nothing; above, N* would be absurd).
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .._checks import show
from ..errors import RealtimeError

__all__ = ["Clock", "VirtualClock", "WallClock", "InferenceTime", "as_inference_time", "check_tau", "check_ticks",
           "make_clock", "MIN_TICKS", "MAX_TICKS"]

EPS = 1e-9
"""Event times (in ticks) are rounded to this grid, so τ_θ = 8 τ_M computed in floating point lands on tick 8."""


MIN_TICKS = 1e-3
"""Shortest inference time accepted, in env steps (τ_θ/τ_M): anything faster acts on the next step anyway."""
MAX_TICKS = 1e6
"""Longest inference time accepted, in env steps: N* = 10^6 workers is far past any real deployment (the largest
reference model, 596 frames on the Game Boy, needs 596)."""


def check_tau(x: Any, name: str) -> float:
    """``x`` as a finite positive float (seconds), else RealtimeError naming ``name``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise RealtimeError(f"{name} must be a finite positive number of seconds, got {type(x).__name__} {show(x)}")
    try:
        v = float(x)
    except OverflowError:  # an int past the float range
        v = math.inf
    if not math.isfinite(v) or v <= 0.0:
        raise RealtimeError(f"{name} must be a finite positive number of seconds, got {show(x)}")
    return v


def check_ticks(tau: "InferenceTime", tau_m: float, name: str = "tau_theta") -> None:
    """Refuse an inference time outside [MIN_TICKS, MAX_TICKS] env steps (``tau_theta / tau_m``)."""
    lo, hi = tau.min / tau_m, tau.max / tau_m
    if not (lo >= MIN_TICKS and hi <= MAX_TICKS):
        raise RealtimeError(f"{name} / tau_m must be in [{MIN_TICKS:g}, {MAX_TICKS:g}] env steps, got "
                            f"[{lo:.3g}, {hi:.3g}] ({name} = {tau.mean:.3g} s, tau_m = {tau_m:.3g} s)")


def ticks(seconds: float, tau_m: float) -> float:
    """``seconds / tau_m`` rounded to the event grid (:data:`EPS`)."""
    return round(seconds / tau_m, 9)


class Clock:
    """A clock measured in seconds since :meth:`start`; ``virtual`` says whether waiting is instantaneous."""

    virtual: bool = True

    def start(self) -> None:
        """Set time 0 to now."""

    def now(self) -> float:
        """Seconds since :meth:`start`."""
        raise NotImplementedError

    def wait_until(self, t: float) -> float:
        """Block until time ``t`` (seconds) and return the lateness ``max(0, now - t)``; never sleeps a negative time."""
        raise NotImplementedError


class VirtualClock(Clock):
    """Discrete-event time: ``wait_until(t)`` moves the clock to ``max(now, t)`` at once."""

    virtual = True

    def __init__(self) -> None:
        self.time = 0.0

    def start(self) -> None:
        self.time = 0.0

    def now(self) -> float:
        return self.time

    def wait_until(self, t: float) -> float:
        late = self.time - t
        if t > self.time:
            self.time = t
        return late if late > 0.0 else 0.0


class WallClock(Clock):
    """Real time from ``time.perf_counter``. ``spin`` seconds before a deadline the clock stops sleeping and spins
    (OS sleeps overshoot by ~0.1 ms; spinning the last ``spin`` seconds keeps the interval jitter low)."""

    virtual = False

    def __init__(self, spin: float = 2e-4) -> None:
        self.spin = max(0.0, float(spin))
        self._t0 = time.perf_counter()

    def start(self) -> None:
        self._t0 = time.perf_counter()

    def now(self) -> float:
        return time.perf_counter() - self._t0

    def wait_until(self, t: float) -> float:
        return self.wait_until_abs(self._t0 + t)

    def wait_until_abs(self, t: float) -> float:
        """Like :meth:`wait_until` for an absolute ``time.perf_counter()`` deadline (shared by several processes:
        on Linux it is CLOCK_MONOTONIC, the same clock in every process)."""
        delay = t - time.perf_counter()
        if delay > self.spin:  # sleeping only a positive time: the reference code's first sleep could be negative
            time.sleep(delay - self.spin)
        now = time.perf_counter()
        while now < t:
            now = time.perf_counter()
        late = now - t
        return late if late > 0.0 else 0.0


def make_clock(clock: str | Clock) -> Clock:
    """A clock from ``"virtual"``, ``"wall"`` or a :class:`Clock` instance."""
    if isinstance(clock, Clock):
        return clock
    if isinstance(clock, str) and clock == "virtual":
        return VirtualClock()
    if isinstance(clock, str) and clock == "wall":
        return WallClock()
    raise RealtimeError(f"clock must be 'virtual', 'wall' or a Clock, got {show(clock)}")


@dataclass(frozen=True)
class InferenceTime:
    """The law of one inference's duration τ_θ, in seconds.

    ``kind`` is ``"constant"`` (always ``mean``), ``"uniform"`` (``mean * (1 + U(-jitter, jitter))``) or
    ``"empirical"`` (draws from ``samples``). ``min``/``max`` bound every draw; ``max`` is what max-time padding pads
    each inference to (it may be lowered below the largest sample with :meth:`with_max`, to test overruns).
    """

    kind: str
    mean: float
    min: float
    max: float
    jitter: float = 0.0
    samples: tuple[float, ...] = ()

    @classmethod
    def constant(cls, tau: float) -> "InferenceTime":
        """τ_θ = ``tau`` every time."""
        t = check_tau(tau, "tau_theta")
        return cls("constant", t, t, t)

    @classmethod
    def uniform(cls, mean: float, jitter: float) -> "InferenceTime":
        """τ_θ uniform on ``mean * [1 - jitter, 1 + jitter]`` (``jitter`` in [0, 1))."""
        m = check_tau(mean, "tau_theta")
        if isinstance(jitter, (bool, np.bool_)) or not isinstance(jitter, numbers.Real) or not 0.0 <= jitter < 1.0:
            raise RealtimeError(f"jitter must be a number in [0, 1) (a fraction of tau_theta), got {show(jitter)}")
        j = float(jitter)
        if j == 0.0:
            return cls.constant(m)
        return cls("uniform", m, m * (1.0 - j), m * (1.0 + j), j)

    @classmethod
    def empirical(cls, samples: Any) -> "InferenceTime":
        """τ_θ drawn uniformly from measured ``samples`` (seconds)."""
        try:
            arr = np.asarray(samples, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise RealtimeError(f"samples must be a sequence of durations in seconds, got {type(samples).__name__}") from None
        if arr.size == 0 or not np.all(np.isfinite(arr)) or arr.min() <= 0.0:
            raise RealtimeError(f"samples must be a non-empty sequence of finite positive durations, got {arr[:5].tolist()}")
        return cls("empirical", float(arr.mean()), float(arr.min()), float(arr.max()), 0.0, tuple(arr.tolist()))

    @classmethod
    def from_model(cls, model: Callable[..., Any], example: Any, repeats: int = 20, warmup: int = 3) -> "InferenceTime":
        """The measured forward time of ``model(example)`` (e.g. a ``torch.nn.Module`` on a batch-1 tensor), as an
        empirical law over ``repeats`` timed calls after ``warmup`` untimed ones, under ``torch.no_grad()``."""
        if not callable(model):
            raise RealtimeError(f"model must be callable (e.g. a torch.nn.Module), got {type(model).__name__}")
        if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
            raise RealtimeError(f"repeats must be an int >= 1, got {repeats!r}")
        import torch

        times = []
        with torch.no_grad():
            for _ in range(max(0, int(warmup))):
                model(example)
            for _ in range(repeats):
                t0 = time.perf_counter()
                model(example)
                times.append(max(time.perf_counter() - t0, 1e-9))
        return cls.empirical(times)

    def with_max(self, tau_max: float) -> "InferenceTime":
        """The same law with the padding bound ``max`` set to ``tau_max`` (draws above it are overruns)."""
        t = check_tau(tau_max, "tau_max")
        return InferenceTime(self.kind, self.mean, self.min, t, self.jitter, self.samples)

    def sample(self, rng: np.random.Generator) -> float:
        """One draw, in seconds."""
        if self.kind == "constant":
            return self.mean
        if self.kind == "uniform":
            return self.mean * (1.0 + self.jitter * (2.0 * rng.random() - 1.0))
        return self.samples[int(rng.integers(len(self.samples)))]

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant"


def as_inference_time(tau_theta: Any, jitter: float = 0.0) -> InferenceTime:
    """An :class:`InferenceTime` from a number of seconds (with optional uniform ``jitter``) or an InferenceTime."""
    if isinstance(tau_theta, InferenceTime):
        if jitter:
            raise RealtimeError("jitter applies to a constant tau_theta; this tau_theta is already a distribution")
        return tau_theta
    return InferenceTime.uniform(check_tau(tau_theta, "tau_theta"), jitter)
