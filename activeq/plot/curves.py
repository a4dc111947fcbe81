"""Learning and regret curves over training steps, one line per method with a band across seeds.

Input is plain data: a mapping ``label -> array (seeds, steps)`` (one row per seed). Bands are the standard error
of the mean (``band="se"``), the standard deviation (``"std"``), the min-max range (``"range"``) or none.
Long curves are thinned to ``max_points`` x-positions before drawing.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from .._checks import as_float_array, check_choice, check_positive_int
from ..errors import ArgumentError

BANDS = ("se", "std", "range", "none")


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 4.0))
        return fig, ax
    return ax.figure, ax


def _as_runs(name: str, values: object) -> np.ndarray:
    arr = as_float_array(values, f"curves[{name!r}]")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ArgumentError(f"curves[{name!r}] must be an array (seeds, steps) with at least one step, got shape {arr.shape}")
    return arr


def plot_curves(curves: Mapping[str, object], *, x: Sequence[float] | None = None, band: str = "se", ax=None,
                title: str | None = None, xlabel: str = "step", ylabel: str = "", logx: bool = False,
                logy: bool = False, max_points: int = 2000):
    """Mean curve per label with a band across seeds (rows). Returns the Figure."""
    check_choice(band, "band", BANDS)
    max_points = check_positive_int(max_points, "max_points", 2)
    if not curves:
        raise ArgumentError("curves must hold at least one labelled array")
    fig, ax = _axes(ax)
    for label, values in curves.items():
        runs = _as_runs(label, values)
        n = runs.shape[1]
        xs = np.arange(1, n + 1, dtype=float) if x is None else as_float_array(x, "x", ndim=1)
        if xs.shape[0] != n:
            raise ArgumentError(f"x has {xs.shape[0]} points but curves[{label!r}] has {n} steps")
        idx = np.unique(np.geomspace(1, n, max_points).astype(int) - 1) if logx else \
            np.unique(np.linspace(0, n - 1, min(n, max_points)).astype(int))
        mean = runs.mean(axis=0)[idx]
        (line,) = ax.plot(xs[idx], mean, label=f"{label} (n={runs.shape[0]})")
        if band != "none" and runs.shape[0] > 1:
            if band == "range":
                lo, hi = runs.min(axis=0)[idx], runs.max(axis=0)[idx]
            else:
                spread = runs.std(axis=0, ddof=1)[idx]
                if band == "se":
                    spread = spread / np.sqrt(runs.shape[0])
                lo, hi = mean - spread, mean + spread
            ax.fill_between(xs[idx], lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def plot_regret_curves(regrets: Mapping[str, object], **kwargs):
    """Cumulative regret ``sum_t (g*_t - r_t)`` per method (arrays ``(seeds, steps)``), band across seeds."""
    kwargs.setdefault("ylabel", "cumulative regret")
    return plot_curves(regrets, **kwargs)


def running_average(values: object, window: int) -> np.ndarray:
    """Trailing moving average along the last axis (shorter windows at the start)."""
    arr = as_float_array(values, "values")
    window = check_positive_int(window, "window")
    c = np.cumsum(arr, axis=-1)
    out = c.copy()
    out[..., window:] = c[..., window:] - c[..., :-window]
    counts = np.minimum(np.arange(1, arr.shape[-1] + 1), window)
    return out / counts


def plot_learning_curves(rewards: Mapping[str, object], *, window: int = 1000, optimal: float | None = None, **kwargs):
    """Running-average reward per method (``window`` steps), optionally with the optimal gain as a dashed line."""
    smoothed = {k: running_average(_as_runs(k, v), window) for k, v in rewards.items()}
    kwargs.setdefault("ylabel", f"average reward ({window}-step window)")
    fig = plot_curves(smoothed, **kwargs)
    if optimal is not None:
        ax = fig.axes[0] if kwargs.get("ax") is None else kwargs["ax"]
        ax.axhline(optimal, color="k", linestyle="--", linewidth=1, label="optimal gain")
        ax.legend(fontsize="small")
    return fig
