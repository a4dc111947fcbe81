"""The small base of every inference schedule: when each of N inference workers starts, and when it starts again.

A schedule answers two questions, in env ticks (1 tick = τ_M):

* ``offsets(tau_mean, tau_max)``: the first start of each worker;
* ``next_start(worker, start, finish)``: the next start of a worker whose inference ran from ``start`` to ``finish``
  (called when the inference completes).

With ``padding="max"`` every inference occupies at least ``tau_max``: the worker holds its action until
``start + tau_max`` and publishes it then, so arrivals stay evenly spaced whatever the jitter, at the price of
staleness (the realtime paper's code, Riemer et al. ICLR 2025, appendix "staggering"); with ``padding="none"`` the worker starts
again as soon as it finishes. The variants live one per file: :mod:`.sequential`, :mod:`.staggered`,
:mod:`.unstaggered`. :func:`make_schedule` builds one by name.

Raises :class:`activeq.errors.RealtimeError` for an unknown schedule or padding name and for ``workers`` outside
[1, :data:`MAX_WORKERS`].
"""

from __future__ import annotations

import numbers

import numpy as np

from ..._checks import check_choice, show
from ...errors import RealtimeError

PADDINGS = ("max", "none")
MAX_WORKERS = 100_000
"""The most inference workers a schedule accepts (N* for the largest reference model is 596)."""


def check_workers(workers: object, name: str = "workers") -> int:
    """``workers`` as an int in [1, MAX_WORKERS], else RealtimeError."""
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, numbers.Integral):
        raise RealtimeError(f"{name} must be an int in [1, {MAX_WORKERS}] (the number of inference workers), "
                            f"got {show(workers)}")
    if not 1 <= int(workers) <= MAX_WORKERS:
        raise RealtimeError(f"{name} must be an int in [1, {MAX_WORKERS}] (the number of inference workers), "
                            f"got {show(workers)}")
    return int(workers)


class Schedule:
    """Base schedule: every worker starts at 0 and restarts after ``max(finish, start + pad)``.

    Subclasses override :meth:`offsets` (and, for staggering with overrun shifts, :meth:`next_start`).
    """

    name = "base"

    def __init__(self, workers: int = 1, padding: str = "max"):
        self.workers = check_workers(workers)
        self.padding = check_choice(padding, "padding", PADDINGS, error=RealtimeError)
        self._pad = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(workers={self.workers}, padding={self.padding!r})"

    @property
    def pad(self) -> float:
        """Ticks every inference occupies at least (``tau_max`` with max padding, else 0): the action of an
        inference started at ``s`` is published at ``s + max(tau, pad)``."""
        return self._pad

    def offsets(self, tau_mean: float, tau_max: float) -> list[float]:
        """First start time (ticks) of each worker; also resets any state of the schedule."""
        self._pad = tau_max if self.padding == "max" else 0.0
        return [0.0] * self.workers

    def next_start(self, worker: int, start: float, finish: float) -> float:
        """Next start (ticks) of ``worker`` whose inference ran over ``[start, finish]``."""
        padded = start + self._pad
        return round(finish if finish > padded else padded, 9)
