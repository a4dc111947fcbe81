"""Sequential interaction: one worker thinks, then acts; the environment takes the default action β meanwhile.

With τ_θ = d τ_M exactly the worker starts on the observation of step t, its action acts at step t + d, and the next
inference starts at once on the observation of step t + d: a fraction 1/d of the steps get a policy action and the
staleness is d (our convention, Riemer et al. ICLR 2025 eq. 3: an inference started on step t acts at
t + ⌈τ_θ/τ_M⌉). The delay is charged once: the action is stale by d steps *and* the d - 1 steps before it get β, but the
observation it was computed on is not delayed a second time (the "sequential" baseline of the reference code was).

Raises :class:`activeq.errors.RealtimeError` when asked for more than one worker.
"""

from __future__ import annotations

from ...errors import RealtimeError
from .base import Schedule


class Sequential(Schedule):
    """One worker; restarts when its inference completes (or after ``tau_max`` with max padding)."""

    name = "sequential"

    def __init__(self, workers: int = 1, padding: str = "max"):
        super().__init__(workers, padding)
        if self.workers != 1:
            raise RealtimeError(f"workers must be 1 for the 'sequential' schedule, got {self.workers}; "
                                f"use 'staggered' or 'unstaggered' for several inference workers")
