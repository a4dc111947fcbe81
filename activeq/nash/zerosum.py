"""Zero-sum (and constant-sum) 2-player games by linear programming.

The row player's maximin LP ``max v s.t. A^T x >= v 1, 1^T x = 1, x >= 0``; the column player's minimax
strategy is the dual of the ``A^T x >= v`` constraints, so one solve yields the value and both strategies.
Small games use scipy's HiGHS; large dense ones a dense interior-point method with an exact, verified
crossover (:mod:`._dense_ipm`), falling back to HiGHS whenever that cannot certify its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ..errors import SolverError
from ..games import NormalFormGame
from ._dense_ipm import ipm_matrix_game
from .equilibrium import Equilibrium, make_equilibrium
from .registry import register

_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class MatrixGameSolution:
    """Value ``value`` of the matrix game ``A`` to the row player, with optimal ``row`` and ``column`` strategies."""

    value: float
    row: np.ndarray
    column: np.ndarray


#: From this many payoff entries on, "auto" tries the dense interior-point method first (HiGHS is the fallback).
DENSE_IPM_MIN_ENTRIES = 2500


def solve_matrix_game(A: np.ndarray, engine: str = "auto") -> MatrixGameSolution:
    """Minimax value and optimal strategies of the zero-sum game where the row player receives ``A``.

    ``engine``: ``"highs"`` (scipy's HiGHS LP), ``"ipm"`` (dense Mehrotra interior point + exact crossover on the
    supports, verified by primal and dual feasibility; HiGHS if it cannot certify) or ``"auto"`` (``"ipm"`` for
    large matrices, ``"highs"`` for small ones).
    """
    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.size == 0 or not np.all(np.isfinite(A)):
        raise SolverError(f"A must be a finite non-empty matrix, got shape {A.shape}")
    if engine not in ("auto", "highs", "ipm"):
        raise SolverError(f"engine must be 'auto', 'highs' or 'ipm', got {engine!r}")
    m, n = A.shape
    lo, span = A.min(), np.ptp(A)
    if span == 0:
        return MatrixGameSolution(float(lo), np.full(m, 1 / m), np.full(n, 1 / n))
    if engine == "ipm" or (engine == "auto" and A.size >= DENSE_IPM_MIN_ENTRIES):
        found = _ipm(A, lo, span)
        if found is not None:
            return found
    return _highs(A, lo, span)


def _ipm(A: np.ndarray, lo: float, span: float) -> MatrixGameSolution | None:
    m, n = A.shape
    if m <= n:  # factorise the smaller side: m x m
        found = ipm_matrix_game(1.0 + (A - lo) / span)
        if found is None:
            return None
        x, y = found
    else:  # the column player's game -A^T, shifted into [1, 2]
        found = ipm_matrix_game(1.0 + (lo + span - A.T) / span)
        if found is None:
            return None
        y, x = found
    return MatrixGameSolution(float(x @ A @ y), x, y)


def _highs(A: np.ndarray, lo: float, span: float) -> MatrixGameSolution:
    m, n = A.shape
    A1 = (A - lo) / span  # in [0, 1]: value in [0, 1], well scaled
    c = np.zeros(m + 1)
    c[-1] = -1.0  # maximise v
    A_ub = np.hstack([-A1.T, np.ones((n, 1))])  # v - (A^T x)_j <= 0
    A_eq = np.zeros((1, m + 1))
    A_eq[0, :m] = 1.0
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs", options=_HIGHS)
    if res.status != 0:
        raise SolverError(f"the zero-sum LP failed: {res.message}")
    x = np.clip(res.x[:m], 0, None)
    y = np.clip(-res.ineqlin.marginals, 0, None)
    return MatrixGameSolution(float(lo + span * res.x[-1]), x / x.sum(), y / y.sum())


@register("lp", players="2", zero_sum_only=True,
          summary="zero-sum / constant-sum games: value and optimal strategies by one LP (HiGHS)")
def lp_equilibria(game: NormalFormGame, engine: str = "auto") -> list[Equilibrium]:
    """One minimax equilibrium of a 2-player constant-sum game, with the game value in ``info['value']``."""
    A = game.payoff_matrix(0)
    sol = solve_matrix_game(A, engine)
    return [make_equilibrium(game, (sol.row, sol.column), "lp", value=sol.value)]
