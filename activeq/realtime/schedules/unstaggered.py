"""Unstaggered asynchronous workers: all N workers start together at time 0 and restart when they finish.

Their actions arrive together and overwrite each other in the action slot, so the action rate stays about τ_M/τ_θ
whatever N (Riemer et al., ICLR 2025, figure 3, "no staggering"). Raises nothing beyond the base.
"""

from __future__ import annotations

from .base import Schedule


class Unstaggered(Schedule):
    """N workers, all offset 0 (see the module doc)."""

    name = "unstaggered"
