"""Lemke-Howson complementary pivoting for bimatrix games, with a lexicographic ratio test.

With payoffs made positive, two tableaux hold ``s + B^T x = 1`` (variables x, s) and ``r + A y = 1``
(variables r, y). Labels: ``x_i``/``r_i`` carry label ``i``, ``y_j``/``s_j`` carry ``m + j``. Starting from the
artificial equilibrium (0, 0), the variable with the dropped label enters; the leaving variable's complement
enters the other tableau, and so on until the dropped label's partner leaves: the basis is then completely
labelled and normalises to a Nash equilibrium.

Ties in the ratio test (degenerate games) are broken lexicographically on ``[rhs, basis inverse] / pivot``,
which keeps the path finite and cycle-free.

Source: Lemke & Howson, *Equilibrium points of bimatrix games*, SIAM J. Appl. Math. 12 (1964); the tableau form and
lexicographic rule follow von Stengel, Handbook of Game Theory 3 (2002), Section 3.5 (Algorithm 3.5) and 6.2.
Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad options and
:class:`~activeq.errors.SolverError` if the pivot limit is reached.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_in_range
from ..errors import ArgumentError, SolverError
from ..games import NormalFormGame
from .equilibrium import Equilibrium, _check_game, make_equilibrium
from .registry import check_flag, register


class _Tableau:
    """``T @ [vars, rhs]``: rows are basic variables; the last ``len(rows)`` variable columns start as identity."""

    def __init__(self, matrix: np.ndarray, var_ids: np.ndarray, slack_first: bool):
        rows = matrix.shape[0]
        eye = np.eye(rows)
        body = np.hstack([eye, matrix]) if slack_first else np.hstack([matrix, eye])
        self.T = np.hstack([body, np.ones((rows, 1))])
        self.var_ids = var_ids  # global id of each column
        self.col_of = {int(v): c for c, v in enumerate(var_ids)}
        self.slack_cols = np.arange(rows) if slack_first else np.arange(matrix.shape[1], matrix.shape[1] + rows)
        self.basis = var_ids[self.slack_cols].copy()

    def pivot(self, entering: int, tol: float) -> int:
        """Bring global variable ``entering`` into the basis; return the global id of the leaving variable."""
        T = self.T
        col = T[:, self.col_of[entering]]
        cand = np.flatnonzero(col > tol)
        if cand.size == 0:
            raise SolverError("Lemke-Howson: unbounded ray (the payoff shift should make this impossible)")
        # lexicographic minimum of [rhs, B^{-1}] / pivot over the candidate rows
        ratios = T[cand, -1] / col[cand]
        best = cand[ratios <= ratios.min() + tol * max(1.0, abs(ratios.min()))]
        k = 0
        while best.size > 1 and k < self.slack_cols.size:
            vals = T[best, self.slack_cols[k]] / col[best]
            best = best[vals <= vals.min() + tol]
            k += 1
        row = int(best[0])
        leaving = int(self.basis[row])
        T[row] /= T[row, self.col_of[entering]]
        factor = T[:, self.col_of[entering]].copy()
        factor[row] = 0.0
        T -= np.outer(factor, T[row])
        self.basis[row] = entering
        return leaving

    def values(self, ids: np.ndarray) -> np.ndarray:
        out = np.zeros(len(ids))
        where = {int(v): r for r, v in enumerate(self.basis)}
        for k, v in enumerate(ids):
            if int(v) in where:
                out[k] = self.T[where[int(v)], -1]
        return out


def lemke_howson_path(A: np.ndarray, B: np.ndarray, label: int, tol: float = 1e-12,
                      max_pivots: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Follow the path that drops ``label``; return ``(x, y, pivots)`` with x, y normalised."""
    m, n = A.shape
    A1 = 1.0 + (A - A.min()) / max(np.ptp(A), 1e-300)
    B1 = 1.0 + (B - B.min()) / max(np.ptp(B), 1e-300)
    # global ids: x_i = i, y_j = m + j, r_i = m + n + i, s_j = 2m + n + j ; label(x_i)=label(r_i)=i, etc.
    x_ids, y_ids = np.arange(m), m + np.arange(n)
    r_ids, s_ids = m + n + np.arange(m), 2 * m + n + np.arange(n)
    tab_xs = _Tableau(B1.T, np.r_[x_ids, s_ids], slack_first=False)  # n rows: s + B^T x = 1
    tab_ry = _Tableau(A1, np.r_[r_ids, y_ids], slack_first=True)  # m rows: r + A y = 1
    lab = lambda v: v if v < m + n else v - (m + n)  # noqa: E731
    comp = lambda v: v + m + n if v < m + n else v - (m + n)  # noqa: E731
    entering = label  # x_label or y_label enters first
    limit = max_pivots or 50 * (m + n) ** 2
    for pivots in range(1, limit + 1):
        tab = tab_xs if entering < m or entering >= 2 * m + n else tab_ry
        leaving = tab.pivot(entering, tol)
        if lab(leaving) == label:
            x, y = tab_xs.values(x_ids), tab_ry.values(y_ids)
            x, y = np.clip(x, 0, None), np.clip(y, 0, None)
            return x / x.sum(), y / y.sum(), pivots
        entering = comp(leaving)
    raise SolverError(f"Lemke-Howson did not finish within {limit} pivots (label {label})")


@register("lemke-howson", players="2", summary="one equilibrium per dropped label by complementary pivoting")
def lemke_howson_equilibria(game: NormalFormGame, label: int = 0, all_labels: bool = False,
                            tol: float = 1e-12) -> list[Equilibrium]:
    """Equilibria reached by Lemke-Howson: from dropping ``label`` (default 0), or from every label.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game.
    label : int
        The label dropped to start the path: ``0..m-1`` are the row player's actions, ``m..m+n-1`` the column
        player's.
    all_labels : bool
        Follow the path of every label instead (``solve(..., all=True)`` sets this unless ``label`` is given).
    tol : float
        Pivot tolerance of the ratio test (payoffs scaled into [1, 2]), in (0, 1).

    Returns
    -------
    list of Equilibrium
        One per path followed, ``info["label"]`` and ``info["pivots"]`` saying which and how long.
    """
    _check_game(game)
    all_labels = check_flag(all_labels, "all_labels")
    tol = check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True)
    A, B = game.payoffs
    m, n = A.shape
    if all_labels:
        labels = range(m + n)
    else:
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= label < m + n:
            raise ArgumentError(f"label must be an int in [0, {m + n}) (row actions, then column actions), got {label!r}")
        labels = [int(label)]
    out = []
    for k in labels:
        x, y, pivots = lemke_howson_path(A, B, k, tol)
        out.append(make_equilibrium(game, (x, y), "lemke-howson", label=k, pivots=pivots))
    return out
