"""Learners' policy trajectories in the unit square for 2x2 games, with the Nash equilibria marked.

x = the row player's probability of its first action, y = the column player's probability of its first action.
Pure data in, figure out: the simulations live in :mod:`activeq.active` (``activeq.active.compare``).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np


def plot_trajectories(ax: Any, trajectories: Mapping[str, Sequence[np.ndarray]], nash: Sequence[Sequence[float]] = (),
                      *, title: str | None = None, action_names: Sequence[str] | None = None) -> Any:
    """Draw ``trajectories`` (label -> list of ``(T, 2)`` arrays) on ``ax``; mark ``nash`` points (x, y) with stars.

    ``action_names``: (row player's first action, column player's first action) for the axis labels.

    Each run starts with a circle and ends with a square; one colour per label.
    """
    import matplotlib.pyplot as plt

    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (label, runs) in enumerate(trajectories.items()):
        c = colors[k % len(colors)]
        for r, traj in enumerate(runs):
            t = np.asarray(traj, dtype=float)
            if t.ndim != 2 or t.shape[1] != 2:
                raise ValueError(f"trajectory {label!r}[{r}] must have shape (T, 2), got {t.shape}")
            ax.plot(t[:, 0], t[:, 1], color=c, lw=1.2, alpha=0.85, label=label if r == 0 else None)
            ax.plot(t[0, 0], t[0, 1], "o", color=c, ms=4)
            ax.plot(t[-1, 0], t[-1, 1], "s", color=c, ms=5)
    for q, (x, y) in enumerate(nash):
        ax.plot(x, y, "*", color="k", ms=13, mfc="gold", zorder=5, label="Nash" if q == 0 else None)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.set_aspect("equal")
    a0 = action_names[0] if action_names else "action 0"
    a1 = action_names[1] if action_names and len(action_names) > 1 else a0
    ax.set_xlabel(f"row P({a0})")
    ax.set_ylabel(f"column P({a1})")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return ax
