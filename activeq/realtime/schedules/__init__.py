"""Inference schedules (sequential, staggered, unstaggered), ``n_star`` and ``simulate_schedule``.

``make_schedule(name, workers, padding)`` builds a schedule by name; ``simulate_schedule`` runs one on the virtual
clock without an environment and measures its action rate and staleness.
"""

from __future__ import annotations

from ..._checks import check_choice
from ...errors import RealtimeError
from .base import PADDINGS, Schedule, check_workers
from .sequential import Sequential
from .staggered import Staggered
from .unstaggered import Unstaggered

SCHEDULES: dict[str, type[Schedule]] = {"sequential": Sequential, "staggered": Staggered, "unstaggered": Unstaggered}


def make_schedule(schedule: "str | Schedule", workers: int = 1, padding: str = "max") -> Schedule:
    """A :class:`Schedule` from its name (``"sequential"``, ``"staggered"``, ``"unstaggered"``) or an instance.

    Parameters
    ----------
    schedule : str or Schedule
        The schedule's name, or a schedule (returned as is; ``workers`` and ``padding`` are then ignored).
    workers : int
        Number of inference workers (1 for ``"sequential"``).
    padding : str
        ``"max"`` (pad every inference to τ_θ^max) or ``"none"``.

    Returns
    -------
    Schedule
        A fresh schedule.
    """
    if isinstance(schedule, Schedule):
        return schedule
    check_choice(schedule, "schedule", tuple(SCHEDULES), error=RealtimeError)
    return SCHEDULES[schedule](workers, padding)


from .simulate import ScheduleStats, n_star, simulate_schedule  # noqa: E402

__all__ = ["PADDINGS", "SCHEDULES", "Schedule", "Sequential", "Staggered", "Unstaggered", "check_workers",
           "make_schedule", "ScheduleStats", "n_star", "simulate_schedule"]
