"""Strategy simplices of 3-action players with trajectories of learning dynamics drawn on them.

A mixed strategy ``p = (p0, p1, p2)`` is drawn at ``p0 * v0 + p1 * v1 + p2 * v2`` with the corners
``v0 = (0, 0)``, ``v1 = (1, 0)``, ``v2 = (1/2, sqrt(3)/2)`` (barycentric coordinates; :func:`to_cartesian`).
Trajectories are plain arrays ``(T, 3)`` of one player's strategy over time, e.g. the replicator dynamics on
rock-paper-scissors (which cycle around the uniform equilibrium; Hofbauer & Sigmund 1998, Section 7.7) or fictitious
play in Shapley's game (which cycles without converging; Shapley 1964). The simulations live elsewhere
(:mod:`activeq.nash`); these functions only draw.

Artists carry ``gid`` labels (``"trajectory"``, ``"start"``, ``"end"``, ``"equilibrium"``). Raises
:class:`activeq.errors.ArgumentError` for arrays that are not ``(T, 3)`` probability vectors.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .._checks import as_float_array
from ..errors import ArgumentError

CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3.0) / 2.0]])


def to_cartesian(p: Any) -> np.ndarray:
    """Barycentric ``(..., 3)`` probability vectors to points ``(..., 2)`` in the drawn triangle."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.shape[-1] != 3:
        raise ArgumentError(f"points must have 3 barycentric coordinates in the last axis, got shape {arr.shape}")
    return arr @ CORNERS


def simplex_axes(ax: Any = None, labels: Sequence[str] = ("0", "1", "2")) -> Any:
    """An empty strategy triangle with its corners labelled by the three actions; returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 4.4))
    if len(labels) != 3:
        raise ArgumentError(f"labels must name 3 actions, got {len(labels)}")
    closed = np.vstack([CORNERS, CORNERS[:1]])
    ax.plot(closed[:, 0], closed[:, 1], color="k", lw=1)
    offsets = [(-0.04, -0.05, "right"), (0.04, -0.05, "left"), (0.0, 0.04, "center")]
    for (x, y), (dx, dy, ha), name in zip(CORNERS, offsets, labels):
        ax.text(x + dx, y + dy, str(name), ha=ha, va="center", fontsize=9)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, 0.96)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_simplex_trajectories(trajectories: Mapping[str, Sequence[Any]] | Sequence[Any], *, ax: Any = None,
                              equilibria: Sequence[Any] = (), labels: Sequence[str] = ("0", "1", "2"),
                              title: str | None = None, arrows: int = 3) -> Any:
    """Draw trajectories of one player's mixed strategy on its simplex.

    Parameters
    ----------
    trajectories : mapping or sequence
        ``label -> list of (T, 3) arrays`` (one colour per label), or a single ``(T, 3)`` array, or a list of them.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    equilibria : sequence of probability vectors
        Points to mark with stars (this player's part of each equilibrium).
    labels : sequence of str
        The three action names, written at the corners.
    title : str, optional
        Axes title.
    arrows : int
        Direction arrows drawn along each trajectory.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt

    runs = _as_runs(trajectories)
    ax = simplex_axes(ax, labels)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, (label, arrays) in enumerate(runs.items()):
        c = colors[k % len(colors)]
        for r, t in enumerate(arrays):
            xy = to_cartesian(t)
            ax.plot(xy[:, 0], xy[:, 1], color=c, lw=1.1, alpha=0.9, gid="trajectory",
                    label=label if r == 0 else None)
            ax.plot(*xy[0], "o", color=c, ms=5, gid="start")
            ax.plot(*xy[-1], "s", color=c, ms=5, gid="end")
            for q in np.linspace(0, len(xy) - 1, arrows + 2)[1:-1].astype(int):
                if q + 1 < len(xy) and np.abs(xy[q + 1] - xy[q]).max() > 1e-12:
                    ax.annotate("", xy=xy[q + 1], xytext=xy[q],
                                arrowprops=dict(arrowstyle="-|>", color=c, lw=1.1, mutation_scale=12))
    for q, p in enumerate(equilibria):
        v = np.asarray(getattr(p, "strategies", p), dtype=np.float64)
        if v.shape != (3,):
            raise ArgumentError(f"equilibria[{q}] must be a probability vector of length 3, got shape {v.shape}")
        xy = to_cartesian(v)
        ax.plot(*xy, "*", ms=15, mfc="gold", mec="k", zorder=5, gid="equilibrium",
                label="Nash equilibrium" if q == 0 else None)
    from matplotlib.lines import Line2D

    handles, names = ax.get_legend_handles_labels()
    handles += [Line2D([], [], marker="o", color="grey", ls=""), Line2D([], [], marker="s", color="grey", ls="")]
    names += ["start", "end"]
    ax.legend(handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(0.74, 1.0), borderaxespad=0)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _as_runs(trajectories: Any) -> dict[str, list[np.ndarray]]:
    if isinstance(trajectories, Mapping):
        items = list(trajectories.items())
    else:
        if isinstance(trajectories, np.ndarray) and trajectories.ndim == 2:
            trajectories = [trajectories]
        items = [("trajectory", list(trajectories))]
    if not items:
        raise ArgumentError("trajectories must hold at least one (T, 3) array")
    out: dict[str, list[np.ndarray]] = {}
    for label, arrays in items:
        if isinstance(arrays, np.ndarray) and arrays.ndim == 2:
            arrays = [arrays]
        runs = []
        for r, t in enumerate(arrays):
            arr = as_float_array(t, f"trajectories[{label!r}][{r}]")
            if arr.ndim != 2 or arr.shape[1] != 3 or arr.shape[0] == 0:
                raise ArgumentError(f"trajectories[{label!r}][{r}] must have shape (T, 3), got {arr.shape}")
            if arr.min() < -1e-9 or np.abs(arr.sum(axis=1) - 1).max() > 1e-6:
                raise ArgumentError(f"trajectories[{label!r}][{r}] rows must be probability vectors")
            runs.append(arr)
        out[str(label)] = runs
    return out
