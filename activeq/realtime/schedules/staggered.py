"""Staggered asynchronous workers (Riemer et al., "Realtime Reinforcement Learning", ICLR 2025, section 4 and
appendix: worker i sleeps to offset i·τ_θ^max/N and pads every inference to τ_θ^max).

* ``padding="max"`` (max-time padding): worker i starts at ``i * tau_max / N`` and every inference occupies
  ``tau_max``, so a policy action arrives every ``tau_max / N`` and the action rate is ``min(1, N τ_M / τ_θ^max)``
  whatever the jitter. If an inference overruns ``tau_max`` (a measured τ_θ above the bound), the worker restarts
  when it finishes and the start grid of *every* worker shifts by the overrun from their next cycle on, so the
  spacing between workers is kept.
* ``padding="none"`` (mean-time staggering): worker i starts at ``i * tau_mean / N`` and restarts as soon as it
  finishes; with jitter the workers drift together and actions collide in the slot (lost actions).

Raises nothing beyond the base.
"""

from __future__ import annotations

from .base import Schedule


class Staggered(Schedule):
    """N workers at offsets ``i * tau / N`` (``tau`` = max with max padding, mean without); see the module doc."""

    name = "staggered"

    def __init__(self, workers: int = 1, padding: str = "max"):
        super().__init__(workers, padding)
        self._shift = 0.0
        self._shift_seen = [0.0] * self.workers

    def offsets(self, tau_mean: float, tau_max: float) -> list[float]:
        super().offsets(tau_mean, tau_max)
        self._shift = 0.0
        self._shift_seen = [0.0] * self.workers
        step = (tau_max if self.padding == "max" else tau_mean) / self.workers
        return [round(i * step, 9) for i in range(self.workers)]

    def next_start(self, worker: int, start: float, finish: float) -> float:
        if self.padding != "max":
            return finish
        planned = start + self._pad + (self._shift - self._shift_seen[worker])
        if finish > planned + 1e-9:  # overrun: this worker and, from their next cycle, all others shift
            self._shift += finish - planned
            planned = finish
        self._shift_seen[worker] = self._shift
        return round(planned, 9)
