"""Mixing-time scaling figures: log-log points per family with the fitted power law ``t ~ c n^a``.

Input: :class:`activeq.avgreward.scaling.ScalingFit` objects (or anything with ``sizes``, ``times``,
``prefactor``, ``exponent`` and ``label``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ArgumentError


def plot_scaling(fits: Sequence[Any], ax: Any = None, *, title: str | None = None,
                 xlabel: str = "size", ylabel: str = "mixing time (steps)") -> Any:
    """Log-log plot of each fit's measured mixing times (markers) and fitted power law (line); returns the Figure."""
    import matplotlib.pyplot as plt

    fits = list(fits)
    if not fits:
        raise ArgumentError("fits must hold at least one ScalingFit")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 4.2))
    else:
        fig = ax.figure
    markers = "osD^vP*X"
    for i, fit in enumerate(fits):
        sizes = np.asarray(fit.sizes, dtype=float)
        line, = ax.loglog(sizes, np.asarray(fit.times, dtype=float), markers[i % len(markers)], label=fit.label)
        grid = np.geomspace(sizes.min(), sizes.max(), 50)
        ax.loglog(grid, fit.prefactor * grid ** fit.exponent, "-", color=line.get_color(), alpha=0.7)
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


__all__ = ["plot_scaling"]
