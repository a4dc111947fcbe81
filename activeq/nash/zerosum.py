"""Zero-sum (and constant-sum) 2-player games by linear programming (von Neumann's minimax theorem).

The row player's maximin LP ``max v s.t. A^T x >= v 1, 1^T x = 1, x >= 0``; the column player's minimax strategy
is the dual of the ``A^T x >= v`` constraints, so one solve yields the value and both strategies (Dantzig 1951's
equivalence of matrix games and LPs).

Engines:

- ``"highs"``: scipy's HiGHS on that LP (payoffs scaled to [0, 1]).
- ``"ipm"``: a dense primal-dual interior point (:mod:`._dense_ipm`) on the smaller of the primal and the dual
  (one m x m Cholesky per iteration, m = the smaller side), run on *one* BLAS thread (threadpoolctl): on a shared
  machine multi-threaded OpenBLAS slowed it 50-100x, and one thread makes the answer independent of the thread
  count. It ends with an exact re-solve on the supports read off strict complementarity (a k x k linear solve,
  cheap, and it makes the answer exact), verified by primal and dual feasibility. When that verification fails
  (degenerate games with unequal support sizes), HiGHS solves the game restricted to the IPM's candidate supports
  (a warm start: a small LP), its answer is verified on the whole game, violated best responses are added and it
  is re-solved; only if that fails does HiGHS solve the whole game.
- ``"auto"``: ``"ipm"`` from :data:`DENSE_IPM_MIN_ENTRIES` payoff entries on, ``"highs"`` below.

Raises :class:`~activeq.errors.SolverError` for a non-finite or empty matrix, an unknown engine or an LP failure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from .._checks import as_float_array
from ..errors import SolverError
from ..games import NormalFormGame
from ._dense_ipm import ipm_matrix_game
from .equilibrium import Equilibrium, _check_game, make_equilibrium
from .registry import register

_HIGHS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: Feasibility slack accepted when verifying a strategy pair on the whole game (payoffs scaled to [0, 1]).
VERIFY_TOL = 1e-9


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

    Parameters
    ----------
    A : array_like
        The row player's payoffs, shape ``(m, n)``, finite.
    engine : str
        ``"highs"``, ``"ipm"`` or ``"auto"`` (see the module docstring).

    Returns
    -------
    MatrixGameSolution
        The value and a pair of optimal strategies.
    """
    A = as_float_array(A, "A", ndim=2, error=SolverError)
    if A.size == 0:
        raise SolverError(f"A must be a finite non-empty matrix, got shape {A.shape}")
    if not isinstance(engine, str) or engine not in ("auto", "highs", "ipm"):
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


_CONTROLLER = None


def _one_blas_thread():
    """A context manager limiting BLAS to one thread (threadpoolctl's controller is built once, lazily)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def _ipm(A: np.ndarray, lo: float, span: float) -> MatrixGameSolution | None:
    m, n = A.shape
    # factorise the smaller side: the row player's game A (m x m systems) or the column player's -A^T
    M1 = 1.0 + (A - lo) / span if m <= n else 1.0 + (lo + span - A.T) / span
    with _one_blas_thread():
        exact, iterate = ipm_matrix_game(M1)
        if exact is None and iterate is not None:
            exact = _restricted(M1, *iterate)
    if exact is None:
        return None
    x, y = exact if m <= n else exact[::-1]
    return MatrixGameSolution(float(x @ A @ y), x, y)


def _restricted(M1: np.ndarray, x: np.ndarray, s: np.ndarray, y: np.ndarray, z: np.ndarray,
                rounds: int = 4) -> tuple[np.ndarray, np.ndarray] | None:
    """HiGHS on the game restricted to the IPM's candidate supports, grown by violated best responses until the
    strategies are optimal in the whole game ``M1`` (entries in [1, 2]); None if that does not happen."""
    rows = np.flatnonzero(x >= 1e-3 * s) if np.any(x >= 1e-3 * s) else np.array([int(np.argmax(x))])
    cols = np.flatnonzero(y >= 1e-3 * z) if np.any(y >= 1e-3 * z) else np.array([int(np.argmax(y))])
    m, n = M1.shape
    for _ in range(rounds):
        sol = _highs(M1[np.ix_(rows, cols)], 1.0, 1.0, shifted=True)
        xf, yf = np.zeros(m), np.zeros(n)
        xf[rows], yf[cols] = sol.row, sol.column
        row_pay, col_pay = M1 @ yf, xf @ M1  # every row against y, every column against x
        bad_rows = np.flatnonzero(row_pay > sol.value + VERIFY_TOL)
        bad_cols = np.flatnonzero(col_pay < sol.value - VERIFY_TOL)
        if bad_rows.size == 0 and bad_cols.size == 0:
            return xf, yf
        rows = np.union1d(rows, bad_rows[np.argsort(-row_pay[bad_rows])][:max(1, len(rows) // 4)])
        cols = np.union1d(cols, bad_cols[np.argsort(col_pay[bad_cols])][:max(1, len(cols) // 4)])
    return None


def _highs(A: np.ndarray, lo: float, span: float, shifted: bool = False) -> MatrixGameSolution:
    """HiGHS on the maximin LP of ``(A - lo) / span``; the value is mapped back (``shifted``: A is used as is)."""
    m, n = A.shape
    A1 = A if shifted else (A - lo) / span  # in [0, 1]: value in [0, 1], well scaled
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
    value = float(res.x[-1]) if shifted else float(lo + span * res.x[-1])
    return MatrixGameSolution(value, x / x.sum(), y / y.sum())


@register("lp", players="2", zero_sum_only=True,
          summary="zero-sum / constant-sum games: value and optimal strategies by one LP")
def lp_equilibria(game: NormalFormGame, engine: str = "auto") -> list[Equilibrium]:
    """One minimax equilibrium of a 2-player constant-sum game, with the game value in ``info['value']``.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player zero-sum or constant-sum game.
    engine : str
        ``"auto"`` (dense interior point with an exact support re-solve for large games, HiGHS for small ones),
        ``"ipm"`` or ``"highs"``.

    Returns
    -------
    list of Equilibrium
        One minimax profile.
    """
    _check_game(game)
    A = game.payoff_matrix(0)
    sol = solve_matrix_game(A, engine)
    return [make_equilibrium(game, (sol.row, sol.column), "lp", value=sol.value)]
