"""The logit quantal-response equilibrium (QRE) path: each action's probability against the precision lambda.

At lambda = 0 every player mixes uniformly; along the principal branch the profile moves to a Nash equilibrium as
lambda grows (McKelvey & Palfrey 1995; Turocy 2005). Input is plain data: the lambdas ``(L,)`` and the profiles,
either one flat array ``(L, sum of action counts)`` with the players' blocks concatenated, or one array ``(L, n_i)``
per player. The path may turn back in lambda (folds), so points are drawn in path order, not sorted.

Artists carry ``gid`` labels (``"qre-path"`` for each action's curve, ``"nash-limit"`` for the markers at the end).
Raises :class:`activeq.errors.ArgumentError` for mismatched shapes.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._checks import as_float_array
from ..errors import ArgumentError

LINESTYLES = ("-", "--", "-.", ":")


def plot_qre_path(lambdas: Any, profiles: Any = None, *, num_actions: Sequence[int] | None = None,
                  action_names: Sequence[Sequence[str]] | None = None,
                  player_names: Sequence[str] | None = None, limit: Sequence[Any] | None = None,
                  ax: Any = None, logx: bool = True, title: str | None = None) -> Any:
    """Draw every action's probability along the logit QRE path against lambda.

    Parameters
    ----------
    lambdas : array (L,), or a path object
        The precision at each path point (non-negative); or an object with ``lam`` (L,) and ``strategies`` (one
        ``(L, n_i)`` array per player), such as the ``path`` of ``activeq.nash.qre(game, lam, return_path=True)``,
        with ``profiles`` left out.
    profiles : array (L, N) or sequence of arrays (L, n_i)
        The profile at each point: flat (players' blocks concatenated; then give ``num_actions``) or per player.
    num_actions : sequence of int, optional
        Action count per player, needed to split a flat ``profiles`` array.
    action_names, player_names : optional
        Names for the legend (default: indices).
    limit : sequence of probability vectors, optional
        The Nash equilibrium the path converges to; drawn as markers at the right edge.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    logx : bool
        Log-scale lambda axis (lambda = 0 is drawn at the smallest positive lambda on the path).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt

    if profiles is None:
        if not (hasattr(lambdas, "lam") and hasattr(lambdas, "strategies")):
            raise ArgumentError("give profiles, or a path object with 'lam' and 'strategies' as the first argument")
        lambdas, profiles = lambdas.lam, lambdas.strategies
    lam = as_float_array(lambdas, "lambdas", ndim=1)
    if lam.size == 0 or lam.min() < 0:
        raise ArgumentError("lambdas must be a non-empty array of non-negative precisions")
    blocks = _blocks(profiles, lam.size, num_actions)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.0))
    xs = lam.copy()
    if logx:
        positive = lam[lam > 0]
        floor = positive.min() / 2 if positive.size else 1e-3
        xs = np.maximum(xs, floor)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    players = list(player_names) if player_names is not None else [f"player {i}" for i in range(len(blocks))]
    k = 0
    for i, blk in enumerate(blocks):
        names = action_names[i] if action_names is not None else [str(a) for a in range(blk.shape[1])]
        for a in range(blk.shape[1]):
            ax.plot(xs, blk[:, a], color=colors[k % len(colors)], ls=LINESTYLES[i % len(LINESTYLES)], lw=1.4,
                    gid="qre-path", label=f"{players[i]}: {names[a]}")
            k += 1
    if limit is not None:
        strategies = getattr(limit, "strategies", limit)
        if len(strategies) != len(blocks):
            raise ArgumentError(f"limit must hold one strategy per player ({len(blocks)}), got {len(strategies)}")
        k = 0
        for i, (s, blk) in enumerate(zip(strategies, blocks)):
            s = np.asarray(s, dtype=np.float64)
            if s.shape != (blk.shape[1],):
                raise ArgumentError(f"limit[{i}] must have {blk.shape[1]} entries, got shape {s.shape}")
            for a in range(s.size):
                ax.plot(xs.max(), s[a], "o", ms=7, mfc="none", mec=colors[k % len(colors)], mew=1.5,
                        gid="nash-limit", label="Nash limit" if k == 0 else None, clip_on=False, zorder=5)
                k += 1
    if logx:
        ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("precision λ" + (" (log scale)" if logx else ""))
    ax.set_ylabel("probability")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _blocks(profiles: Any, length: int, num_actions: Sequence[int] | None) -> list[np.ndarray]:
    if isinstance(profiles, np.ndarray) or (num_actions is not None):
        flat = as_float_array(profiles, "profiles", ndim=2)
        if num_actions is None:
            raise ArgumentError("a flat profiles array needs num_actions (the action count of each player)")
        sizes = [int(k) for k in num_actions]
        if flat.shape != (length, sum(sizes)) or min(sizes) < 1:
            raise ArgumentError(f"profiles must have shape ({length}, {sum(sizes)}) for num_actions {sizes}, "
                                f"got {flat.shape}")
        return np.split(flat, np.cumsum(sizes)[:-1], axis=1)
    blocks = [as_float_array(b, f"profiles[{i}]", ndim=2) for i, b in enumerate(profiles)]
    if not blocks:
        raise ArgumentError("profiles must hold at least one player's (L, n_i) array")
    for i, b in enumerate(blocks):
        if b.shape[0] != length:
            raise ArgumentError(f"profiles[{i}] has {b.shape[0]} points but lambdas has {length}")
    return blocks
