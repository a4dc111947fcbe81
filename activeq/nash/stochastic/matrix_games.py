"""Many small zero-sum matrix games solved at once (the per-state step of Shapley's iteration).

Two paths, both exact up to round-off:

- *support reuse*: when a support pair (I, J) of equal size is known (e.g. from the previous Shapley iterate), the
  equalising systems ``x_I^T M_IJ = v 1``, ``M_IJ y_J = v 1``, ``1^T x = 1^T y = 1`` are solved for all such states in
  one batched ``numpy.linalg.solve`` and the result is *verified* (non-negative, no profitable row or column);
- *linear program*: every state that is not verified goes into one block-diagonal LP (scipy HiGHS):
  ``max sum_s v_s`` s.t. ``v_s <= x_s^T M_s[:, j]`` for every legal column j, ``1^T x_s = 1``, ``x_s >= 0``;
  the column player's strategies are the duals of the column constraints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sp

from ...errors import SolverError


@dataclass(frozen=True, eq=False)
class MatrixGameSolutions:
    """``values (S,)``, row strategies ``x (S, m)``, column ``y (S, n)``, how many games needed the LP, supports."""

    values: np.ndarray
    x: np.ndarray
    y: np.ndarray
    lp_states: int
    supports: tuple[np.ndarray, np.ndarray]


def _verify(M: np.ndarray, x: np.ndarray, y: np.ndarray, v: np.ndarray, row_ok: np.ndarray, col_ok: np.ndarray,
            tol: np.ndarray) -> np.ndarray:
    """Per game: x, y are distributions on legal actions and (x, y) is a saddle point within ``tol``."""
    col_pay = np.einsum("gi,gij->gj", x, M)  # row player's payoff against each column
    row_pay = np.einsum("gij,gj->gi", M, y)
    ok = (x.min(axis=1) >= -tol) & (y.min(axis=1) >= -tol)
    ok &= np.where(col_ok, col_pay, np.inf).min(axis=1) >= v - tol
    ok &= np.where(row_ok, row_pay, -np.inf).max(axis=1) <= v + tol
    return ok


def _solve_supports(M: np.ndarray, rows: np.ndarray, cols: np.ndarray, row_ok: np.ndarray, col_ok: np.ndarray,
                    tol: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Equalising solve for games whose support masks ``rows``/``cols`` have equal sizes; returns (ok, v, x, y)."""
    G, m, n = M.shape
    ok = np.zeros(G, dtype=bool)
    v = np.zeros(G)
    x = np.zeros((G, m))
    y = np.zeros((G, n))
    k_rows = rows.sum(axis=1)
    k_cols = cols.sum(axis=1)
    for k in np.unique(k_rows):
        grp = np.flatnonzero((k_rows == k) & (k_cols == k))
        if grp.size == 0 or k == 0:
            continue
        I = np.argsort(~rows[grp], axis=1, kind="stable")[:, :k]  # indices of the support rows
        J = np.argsort(~cols[grp], axis=1, kind="stable")[:, :k]
        sub = M[grp[:, None, None], I[:, :, None], J[:, None, :]]  # (g, k, k)
        A = np.zeros((grp.size, k + 1, k + 1))
        ones = np.ones((grp.size, k))
        # x: sub^T x - v = 0, 1^T x = 1
        A[:, :k, :k] = np.swapaxes(sub, 1, 2)
        A[:, :k, k] = -1.0
        A[:, k, :k] = ones
        b = np.zeros((grp.size, k + 1))
        b[:, k] = 1.0
        B = A.copy()
        B[:, :k, :k] = sub
        try:
            sx = np.linalg.solve(A, b[..., None])[..., 0]
            sy = np.linalg.solve(B, b[..., None])[..., 0]
        except np.linalg.LinAlgError:  # some singular sub-game: leave the whole group to the LP
            continue
        xs = np.zeros((grp.size, m))
        ys = np.zeros((grp.size, n))
        np.put_along_axis(xs, I, sx[:, :k], axis=1)
        np.put_along_axis(ys, J, sy[:, :k], axis=1)
        vs = sx[:, k]
        good = np.isfinite(vs) & _verify(M[grp], xs, ys, vs, row_ok[grp], col_ok[grp], tol[grp])
        ok[grp] = good
        v[grp], x[grp], y[grp] = vs, xs, ys
    return ok, v, x, y


def _solve_lp(M: np.ndarray, row_ok: np.ndarray, col_ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block-diagonal HiGHS LP for all games in ``M`` (G, m, n)."""
    G, m, n = M.shape
    nv = m + 1  # per game: x (m), v
    # inequality rows: for each legal column j: v - sum_i x_i M[i, j] <= 0
    g_idx, j_idx = np.nonzero(col_ok)
    n_ineq = g_idx.size
    r = np.repeat(np.arange(n_ineq), m + 1)
    c = (g_idx[:, None] * nv + np.arange(m + 1)[None, :]).ravel()
    vals = np.concatenate([-M[g_idx, :, j_idx], np.ones((n_ineq, 1))], axis=1).ravel()
    A_ub = sp.csr_matrix((vals, (r, c)), shape=(n_ineq, G * nv))
    r_eq = np.repeat(np.arange(G), m)
    c_eq = (np.arange(G)[:, None] * nv + np.arange(m)[None, :]).ravel()
    A_eq = sp.csr_matrix((np.ones(G * m), (r_eq, c_eq)), shape=(G, G * nv))
    cost = np.zeros(G * nv)
    cost[m::nv] = -1.0
    bounds = np.zeros((G * nv, 2))
    bounds[:, 1] = np.inf
    xb = bounds.reshape(G, nv, 2)
    xb[:, :m, 1] = np.where(row_ok, np.inf, 0.0)
    xb[:, m, 0] = -np.inf
    res = scipy.optimize.linprog(cost, A_ub=A_ub, b_ub=np.zeros(n_ineq), A_eq=A_eq, b_eq=np.ones(G),
                                 bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"the stage-game linear program failed: {res.message}")
    sol = res.x.reshape(G, nv)
    x = np.clip(sol[:, :m], 0.0, None)
    x /= x.sum(axis=1, keepdims=True)
    y = np.zeros((G, n))
    y[g_idx, j_idx] = -res.ineqlin.marginals
    y = np.clip(y, 0.0, None)
    tot = y.sum(axis=1, keepdims=True)
    y = np.where(tot > 0, y / np.where(tot > 0, tot, 1.0), col_ok / col_ok.sum(axis=1, keepdims=True))
    return sol[:, m], x, y


def solve_matrix_games(M: np.ndarray, row_ok: np.ndarray | None = None, col_ok: np.ndarray | None = None,
                       supports: tuple[np.ndarray, np.ndarray] | None = None,
                       support_tol: float = 1e-9) -> MatrixGameSolutions:
    """Values and optimal strategies of the zero-sum games ``M[g]`` (row player maximises), all at once.

    ``row_ok``/``col_ok``: legal-action masks ``(G, m)``/``(G, n)``; ``supports``: boolean masks to try first.
    """
    G, m, n = M.shape
    row_ok = np.ones((G, m), dtype=bool) if row_ok is None else row_ok
    col_ok = np.ones((G, n), dtype=bool) if col_ok is None else col_ok
    scale = np.maximum(1.0, np.abs(M).max(axis=(1, 2)))
    tol = support_tol * scale
    v = np.zeros(G)
    x = np.zeros((G, m))
    y = np.zeros((G, n))
    done = np.zeros(G, dtype=bool)
    if supports is not None:
        done, v, x, y = _solve_supports(M, supports[0], supports[1], row_ok, col_ok, tol)
    todo = np.flatnonzero(~done)
    if todo.size:
        v[todo], x[todo], y[todo] = _solve_lp(M[todo], row_ok[todo], col_ok[todo])
        # polish the LP's answers (HiGHS is accurate to ~1e-9) by the exact equalising solve on its supports
        ok, pv, px, py = _solve_supports(M[todo], x[todo] > 1e-9, y[todo] > 1e-9, row_ok[todo], col_ok[todo],
                                         tol[todo])
        fix = todo[ok]
        v[fix], x[fix], y[fix] = pv[ok], px[ok], py[ok]
    x = np.clip(x, 0.0, None)
    y = np.clip(y, 0.0, None)
    x /= x.sum(axis=1, keepdims=True)
    y /= y.sum(axis=1, keepdims=True)
    return MatrixGameSolutions(v, x, y, int(todo.size), (x > 1e-12, y > 1e-12))
