"""Best-response regions and Nash equilibria of 2x2 and 2x3 (or 3x2) bimatrix games.

* **2x2**: the unit square of mixed profiles, ``x`` = the row player's probability of its first action, ``y`` = the
  column player's. The row player's best-response correspondence (a step in ``x`` as ``y`` crosses the row player's
  indifference point ``y*``) and the column player's (a step in ``y`` at ``x*``) are drawn as thick lines; the
  equilibria are where they meet (von Stengel 2002, Section 2; Osborne & Rubinstein 1994, Fig. 35.1). The
  background is shaded by which action the row player prefers.
* **2x3**: two panels. Left: the column player's expected payoff of each of its three actions against the row
  player's mix ``x``; the upper envelope splits ``[0, 1]`` into the column player's best-response intervals
  (von Stengel's "upper envelope" picture). Right: the column player's strategy simplex split by the row player's
  indifference line into the regions where each row action is a best response. Equilibria are marked on both (the
  row part on the left, the column part on the right). A 3x2 game is drawn with the players' roles swapped.

Artists carry ``gid`` labels (``"row-indifference"``, ``"column-indifference"``, ``"row-br"``, ``"column-br"``,
``"equilibrium"``) so tests and users can find them. Pure data in: the game's payoff arrays and, optionally, the
equilibria (profiles, or objects with a ``strategies`` attribute such as :class:`activeq.nash.Equilibrium`).

Raises :class:`activeq.errors.ArgumentError` for games of other shapes and malformed equilibria.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import ArgumentError
from ..games import NormalFormGame
from .simplex import simplex_axes, to_cartesian

ROW_COLORS = ("#c6dbef", "#fdd0a2")  # light blue / light orange: row prefers action 0 / action 1
ACTION_COLORS = ("tab:blue", "tab:orange", "tab:green")
TOL = 1e-12


def best_response_regions(game: NormalFormGame, equilibria: Sequence[Any] = (), *, ax: Any = None,
                          title: str | None = None) -> Any:
    """Best-response regions and equilibria of a 2x2, 2x3 or 3x2 game.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game with 2x2, 2x3 or 3x2 actions.
    equilibria : sequence
        Profiles ``(x, y)`` (probability vectors) or objects with a ``strategies`` attribute, marked with stars.
    ax : matplotlib Axes, or a pair of Axes for 2x3 / 3x2 games, optional
        Where to draw; new axes in a new figure when omitted.
    title : str, optional
        Figure title (default: the game's title or name).

    Returns
    -------
    matplotlib.axes.Axes or tuple of Axes
        The Axes (2x2) or the pair (payoff-envelope Axes, simplex Axes) for 2x3 / 3x2 games.
    """
    if not isinstance(game, NormalFormGame) or game.num_players != 2:
        raise ArgumentError(f"game must be a 2-player NormalFormGame, got {type(game).__name__}")
    shape = tuple(game.num_actions)
    if shape not in ((2, 2), (2, 3), (3, 2)):
        raise ArgumentError(f"game must have 2x2, 2x3 or 3x2 actions, got {'x'.join(map(str, shape))}")
    profiles = [_profile(eq, shape, k) for k, eq in enumerate(equilibria)]
    label = title if title is not None else (getattr(game, "title", None) or getattr(game, "name", None) or "")
    A, B = (np.asarray(M, dtype=np.float64) for M in game.payoffs)
    if shape == (2, 2):
        return _square(A, B, game.action_names, game.player_names, profiles, ax, label)
    if shape == (2, 3):
        return _envelope(A, B, game.action_names, game.player_names, profiles, ax, label)
    # 3x2: the row player has three actions; swap roles
    swapped = [(y, x) for x, y in profiles]
    return _envelope(B.T, A.T, game.action_names[::-1], game.player_names[::-1], swapped, ax, label)


def indifference_point(d0: float, d1: float) -> float | None:
    """The ``t`` in [0, 1] where ``t d0 + (1 - t) d1 = 0``, or None when the sign does not change strictly inside.

    ``d0`` / ``d1``: a payoff difference at the pure strategies ``t = 1`` / ``t = 0``.
    """
    if abs(d0 - d1) <= TOL or (d0 > TOL and d1 > TOL) or (d0 < -TOL and d1 < -TOL):
        return None
    t = d1 / (d1 - d0)
    return float(t) if 0.0 <= t <= 1.0 else None


# --- 2x2 ----------------------------------------------------------------------------------------------------------
def _square(A: np.ndarray, B: np.ndarray, actions: Sequence[Sequence[str]], players: Sequence[str],
            profiles: list[tuple[np.ndarray, np.ndarray]], ax: Any, title: str) -> Any:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 5.0))
    # row player's advantage of action 0 over action 1 as a function of y = P(column action 0)
    dr = A[0] - A[1]  # dr[j]: advantage against column action j; at y: y dr[0] + (1 - y) dr[1]
    dc = B[:, 0] - B[:, 1]  # column's advantage of action 0 against row action i
    y_star = indifference_point(dr[0], dr[1])
    x_star = indifference_point(dc[0], dc[1])
    # shading: row prefers action 0 (x = 1) where y dr0 + (1-y) dr1 > 0
    ys = np.sort(np.r_[0.0, 1.0, [] if y_star is None else [y_star]])
    for lo, hi in zip(ys[:-1], ys[1:]):
        mid = 0.5 * (lo + hi)
        adv = mid * dr[0] + (1 - mid) * dr[1]
        if abs(adv) > TOL:
            ax.axhspan(lo, hi, color=ROW_COLORS[0 if adv > 0 else 1], alpha=0.5, lw=0, zorder=0)
    if y_star is not None:
        ax.axhline(y_star, color="tab:blue", ls=":", lw=1, gid="row-indifference", zorder=1)
    if x_star is not None:
        ax.axvline(x_star, color="tab:red", ls=":", lw=1, gid="column-indifference", zorder=1)
    rx, ry = _br_path(dr)
    ax.plot(rx, ry, color="tab:blue", lw=3, alpha=0.8, solid_capstyle="round", gid="row-br",
            label=f"{players[0]}'s best response")
    cy, cx = _br_path(dc)
    ax.plot(cx, cy, color="tab:red", lw=3, alpha=0.8, ls="--", gid="column-br",
            label=f"{players[1]}'s best response")
    for k, (x, y) in enumerate(profiles):
        ax.plot(x[0], y[0], "*", ms=16, mfc="gold", mec="k", zorder=5, gid="equilibrium",
                label="Nash equilibrium" if k == 0 else None)
    ax.set_xlim(-0.04, 1.04)
    ax.set_ylim(-0.04, 1.04)
    ax.set_aspect("equal")
    ax.set_xlabel(f"{players[0]}: P({actions[0][0]})")
    ax.set_ylabel(f"{players[1]}: P({actions[1][0]})")
    from matplotlib.patches import Patch

    handles, labels = ax.get_legend_handles_labels()
    handles += [Patch(color=ROW_COLORS[0], alpha=0.5), Patch(color=ROW_COLORS[1], alpha=0.5)]
    labels += [f"{players[0]} prefers {actions[0][0]}", f"{players[0]} prefers {actions[0][1]}"]
    ax.legend(handles, labels, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _br_path(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A player's best-response correspondence as a polyline ``(own P(action 0), opponent's P(action 0) = t)``,
    where its advantage of action 0 over action 1 is ``t d[0] + (1 - t) d[1]``."""
    if abs(d[0]) <= TOL and abs(d[1]) <= TOL:  # always indifferent: every profile is a best response
        return np.array([0, 1, 1, 0, 0.0]), np.array([0, 0, 1, 1, 0.0])

    def own(lo: float, hi: float) -> float:
        mid = 0.5 * (lo + hi)
        return 1.0 if mid * d[0] + (1 - mid) * d[1] > 0 else 0.0

    t = indifference_point(d[0], d[1])
    if t is None:
        v = own(0.0, 1.0)
        return np.array([v, v]), np.array([0.0, 1.0])
    below = own(0.0, t) if t > 0 else 1.0 - own(t, 1.0)
    above = own(t, 1.0) if t < 1 else 1.0 - below
    return np.array([below, below, above, above]), np.array([0.0, t, t, 1.0])


# --- 2x3 ----------------------------------------------------------------------------------------------------------
def _envelope(A: np.ndarray, B: np.ndarray, actions: Sequence[Sequence[str]], players: Sequence[str],
              profiles: list[tuple[np.ndarray, np.ndarray]], ax: Any, title: str) -> tuple[Any, Any]:
    """Row player has 2 actions, column player 3 (``A``, ``B`` are 2 x 3)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.4))
        ax_env, ax_sim = axes
    else:
        try:
            ax_env, ax_sim = ax
        except (TypeError, ValueError):
            raise ArgumentError("ax must be a pair of Axes (payoff envelope, simplex) for a 2x3 game") from None
        fig = ax_env.figure
    # left: the column player's payoff of each action against x = P(row action 0)
    xs = np.linspace(0.0, 1.0, 2)
    for j in range(3):
        ax_env.plot(xs, xs * B[0, j] + (1 - xs) * B[1, j], color=ACTION_COLORS[j], lw=1.5,
                    label=f"{players[1]} plays {actions[1][j]}")
    breaks = column_breakpoints(B)
    grid = np.r_[0.0, breaks, 1.0]
    for lo, hi in zip(grid[:-1], grid[1:]):
        mid = 0.5 * (lo + hi)
        vals = mid * B[0] + (1 - mid) * B[1]
        best = np.flatnonzero(vals >= vals.max() - 1e-9)
        ax_env.axvspan(lo, hi, color=ACTION_COLORS[best[0]], alpha=0.12, lw=0, zorder=0)
        env = np.array([lo, hi])
        ax_env.plot(env, env * B[0, best[0]] + (1 - env) * B[1, best[0]], color="k", lw=3, alpha=0.35,
                    solid_capstyle="butt", gid="column-br", label="upper envelope" if lo == 0.0 else None)
    for b in breaks:
        ax_env.axvline(b, color="k", ls=":", lw=1, gid="column-indifference")
    for k, (x, y) in enumerate(profiles):
        value = float(x @ B @ y)
        ax_env.plot(x[0], value, "*", ms=15, mfc="gold", mec="k", zorder=5, gid="equilibrium",
                    label="Nash equilibrium" if k == 0 else None)
    ax_env.set_xlim(0, 1)
    ax_env.set_xlabel(f"{players[0]}: P({actions[0][0]})")
    ax_env.set_ylabel(f"{players[1]}'s expected payoff")
    ax_env.legend(fontsize=7, loc="best")
    ax_env.set_title(f"{players[1]}'s best responses to {players[0]}'s mix", fontsize=9)
    # right: the column player's simplex split by the row player's indifference line
    simplex_axes(ax_sim, labels=actions[1])
    d = A[0] - A[1]  # row's advantage of action 0 at each pure column action
    for a in (0, 1):
        poly = _half_simplex(d if a == 0 else -d)
        if len(poly):
            xy = to_cartesian(np.array(poly))
            ax_sim.fill(xy[:, 0], xy[:, 1], color=ROW_COLORS[a], alpha=0.7, lw=0, zorder=0,
                        label=f"{players[0]} prefers {actions[0][a]}")
    seg = row_indifference_segment(A)
    if seg is not None:
        xy = to_cartesian(np.array(seg))
        ax_sim.plot(xy[:, 0], xy[:, 1], color="tab:blue", ls=":", lw=1.5, gid="row-indifference")
    for k, (x, y) in enumerate(profiles):
        p = to_cartesian(y[None, :])[0]
        ax_sim.plot(p[0], p[1], "*", ms=15, mfc="gold", mec="k", zorder=5, gid="equilibrium",
                    label="Nash equilibrium" if k == 0 else None)
    ax_sim.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.72, 1.0))
    ax_sim.set_title(f"{players[1]}'s mixes: where each {players[0]} action is best", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return ax_env, ax_sim


def column_breakpoints(B: np.ndarray) -> np.ndarray:
    """The ``x`` in (0, 1) where the column player's best response changes (B is 2 x n: rows = row actions)."""
    n = B.shape[1]
    cands = []
    for j in range(n):
        for k in range(j + 1, n):
            t = indifference_point(B[0, j] - B[0, k], B[1, j] - B[1, k])
            if t is not None and 1e-12 < t < 1 - 1e-12:
                cands.append(t)
    out = []
    for t in sorted(cands):
        vals = t * B[0] + (1 - t) * B[1]
        best = set(np.flatnonzero(vals >= vals.max() - 1e-9))
        left = _best_set(B, t - 1e-7)
        right = _best_set(B, t + 1e-7)
        if len(best) > 1 and left != right and not (out and abs(out[-1] - t) < 1e-9):
            out.append(t)
    return np.array(out)


def _best_set(B: np.ndarray, t: float) -> frozenset[int]:
    vals = t * B[0] + (1 - t) * B[1]
    return frozenset(np.flatnonzero(vals >= vals.max() - 1e-9).tolist())


def row_indifference_segment(A: np.ndarray) -> list[np.ndarray] | None:
    """The two points on the column simplex's edges where the row player is indifferent (A is 2 x 3), or None."""
    d = A[0] - A[1]
    pts: list[np.ndarray] = []
    for a, b in ((0, 1), (1, 2), (0, 2)):
        t = indifference_point(d[a], d[b])
        if t is None:
            continue
        p = np.zeros(3)
        p[a], p[b] = t, 1 - t
        if not any(np.abs(p - q).max() < 1e-9 for q in pts):
            pts.append(p)
    return pts if len(pts) == 2 else None


def _half_simplex(d: np.ndarray) -> list[np.ndarray]:
    """Vertices (barycentric) of ``{y in simplex : d . y >= 0}``, in boundary order."""
    corners = np.eye(3)
    poly: list[np.ndarray] = []
    for a, b in ((0, 1), (1, 2), (2, 0)):
        if d[a] >= -TOL:
            poly.append(corners[a])
        if (d[a] > TOL and d[b] < -TOL) or (d[a] < -TOL and d[b] > TOL):
            t = d[b] / (d[b] - d[a])
            p = np.zeros(3)
            p[a], p[b] = t, 1 - t
            poly.append(p)
    return poly if len(poly) >= 3 else []


def _profile(eq: Any, shape: tuple[int, int], k: int) -> tuple[np.ndarray, np.ndarray]:
    strategies = getattr(eq, "strategies", eq)
    try:
        x, y = (np.asarray(s, dtype=np.float64) for s in strategies)
    except (TypeError, ValueError):
        raise ArgumentError(f"equilibria[{k}] must be a pair of probability vectors") from None
    if x.shape != (shape[0],) or y.shape != (shape[1],) or not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ArgumentError(f"equilibria[{k}] must hold vectors of lengths {shape}, got {x.shape} and {y.shape}")
    return x, y
