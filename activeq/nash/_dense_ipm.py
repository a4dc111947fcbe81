"""A dense primal-dual interior-point method (Mehrotra predictor-corrector) for matrix games, with an exact
crossover to the equilibrium supports.

For large dense payoff matrices this is several times faster than a sparse LP code: each iteration is one
m x m Cholesky factorisation of ``A D A^T + D'``. With ``A > 0`` (payoffs shifted into [1, 2]) the pair

    (P) max 1^T y  s.t.  A y + s = 1,  y, s >= 0        (D) min 1^T x  s.t.  A^T x - z = 1,  x, z >= 0

has optimal value ``1 / v`` (v = game value); ``y / 1^T y`` and ``x / 1^T x`` are optimal strategies.
Near optimality the supports are read off strict complementarity (``x_i >> s_i``, ``y_j >> z_j``) and the
strategies are re-solved exactly on them; callers verify and fall back to an exact LP when that fails.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import LinAlgError, cho_factor, cho_solve


def ipm_matrix_game(A1: np.ndarray, tol: float = 1e-10, max_iter: int = 100):
    """``(exact, iterate)``: optimal (x, y) of the positive matrix game ``A1`` (entries in [1, 2]) from the exact
    support re-solve, or None when it could not be verified; ``iterate`` = the last (x, s, y, z) near optimality
    (None if the method did not get there), so a caller can re-solve on its candidate supports."""
    m, n = A1.shape
    x, s, y, z = np.ones(m), np.ones(m), np.ones(n), np.ones(n)
    N = m + n
    for _ in range(max_iter):
        r_p = 1.0 - A1 @ y - s
        r_d = 1.0 - A1.T @ x + z
        mu = (x @ s + y @ z) / N
        if mu < 1e-7 and max(np.abs(r_p).max(), np.abs(r_d).max()) < 1e-7:
            found = _crossover(A1, x, s, y, z, tol)
            if found is not None or mu < 1e-12:
                return found, (x, s, y, z)
        Dx, Dy = s / x, z / y
        M = (A1 / Dy) @ A1.T
        M.flat[:: m + 1] += Dx
        try:
            factor = cho_factor(M, check_finite=False)
        except LinAlgError:  # rank-deficient games: near optimality the iterate still names the supports
            return None, ((x, s, y, z) if mu < 1e-5 else None)

        def direction(r_xs, r_yz):
            r1 = r_p - r_xs / x
            r2 = r_d + r_yz / y
            dx = cho_solve(factor, A1 @ (r2 / Dy) - r1, check_finite=False)
            dy = (r2 - A1.T @ dx) / Dy
            return dx, dy, (r_xs - s * dx) / x, (r_yz - z * dy) / y

        def step(d):
            alpha = 1.0
            for v, dv in zip((x, y, s, z), d):
                neg = dv < 0
                if neg.any():
                    alpha = min(alpha, float(np.min(-v[neg] / dv[neg])))
            return alpha

        dx, dy, ds, dz = direction(-x * s, -y * z)
        d_aff = (dx, dy, ds, dz)
        a_aff = step(d_aff)
        mu_aff = ((x + a_aff * dx) @ (s + a_aff * ds) + (y + a_aff * dy) @ (z + a_aff * dz)) / N
        sigma = (mu_aff / mu) ** 3
        dx, dy, ds, dz = direction(sigma * mu - x * s - dx * ds, sigma * mu - y * z - dy * dz)
        alpha = min(1.0, 0.995 * step((dx, dy, ds, dz)))
        x, y, s, z = x + alpha * dx, y + alpha * dy, s + alpha * ds, z + alpha * dz
    return None, None


def _crossover(A1, x, s, y, z, tol):
    """Exact optimal strategies on the supports that strict complementarity indicates, or None.

    On square supports ``y = M^{-1} 1`` and ``x = M^{-T} 1`` have equal objectives, so primal and dual
    feasibility (checked to ``tol``) prove both optimal.
    """
    rows = np.flatnonzero(x > s)
    cols = np.flatnonzero(y > z)
    if len(rows) != len(cols) or len(rows) == 0:
        return None
    M = A1[np.ix_(rows, cols)]
    try:
        ys = np.linalg.solve(M, np.ones(len(rows)))
        xs = np.linalg.solve(M.T, np.ones(len(rows)))
    except np.linalg.LinAlgError:
        return None
    if ys.min() < 0 or xs.min() < 0:
        return None
    xf, yf = np.zeros(len(x)), np.zeros(len(y))
    xf[rows], yf[cols] = xs, ys
    if (A1 @ yf).max() > 1 + tol or (A1.T @ xf).min() < 1 - tol:
        return None
    return xf / xf.sum(), yf / yf.sum()
