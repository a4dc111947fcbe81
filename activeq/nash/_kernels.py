"""numba kernels for the 2-player enumeration hot loop (compiled once, cached on disk).

Imported lazily by :mod:`activeq.nash.vertex`; when numba is missing the numpy path there is used instead.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def partners(A1, tight, tol, pivot_tol):  # pragma: no cover - compiled
    """For each nondegenerate vertex x of P (row labels = zero entries, column labels = best responses),
    solve ``A1[supp x, BR x] y = 1`` by Gaussian elimination with partial pivoting and test ``y`` in Q.

    Returns ``(status, Y, ok)``: status 0 = all systems regular, 1 = some vertex is degenerate or its system
    (near-)singular (the caller then matches both polytopes instead). ``Y`` holds the partners, ``ok`` marks
    the vertices whose partner is feasible (a completely labelled pair).
    """
    V = tight.shape[0]
    m, n = A1.shape
    Y = np.zeros((V, n))
    ok = np.zeros(V, dtype=np.bool_)
    rows = np.empty(m, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    M = np.empty((m, m + 1))
    for v in range(V):
        k = 0
        for i in range(m):
            if not tight[v, i]:
                rows[k] = i
                k += 1
        c = 0
        for j in range(n):
            if tight[v, m + j]:
                if c == k:
                    return 1, Y, ok
                cols[c] = j
                c += 1
        if c != k:
            return 1, Y, ok
        if k == 0:
            continue
        for a in range(k):
            for b in range(k):
                M[a, b] = A1[rows[a], cols[b]]
            M[a, k] = 1.0
        if not _solve_into(M, k, Y[v], cols, pivot_tol):
            return 1, Y, ok
        ok[v] = _in_Q(A1, Y[v], cols, k, tol)
    return 0, Y, ok


@njit(cache=True)
def _solve_into(M, k, out, idx, pivot_tol):  # pragma: no cover - compiled
    """Solve the k x k system in ``M[:k, :k+1]`` (augmented, destroyed) by Gaussian elimination with partial
    pivoting, writing solution b to ``out[idx[b]]``. Returns False, with ``out`` untouched, as soon as a pivot's
    magnitude falls below ``pivot_tol`` (or is exactly 0): the system is (near-)singular and the caller gives up."""
    for p in range(k):
        best = p
        for a in range(p + 1, k):
            if abs(M[a, p]) > abs(M[best, p]):
                best = a
        piv = abs(M[best, p])
        if piv < pivot_tol or piv == 0.0:
            return False
        if best != p:
            for b in range(p, k + 1):
                t = M[p, b]
                M[p, b] = M[best, b]
                M[best, b] = t
        for a in range(p + 1, k):
            f = M[a, p] / M[p, p]
            if f != 0.0:
                for b in range(p, k + 1):
                    M[a, b] -= f * M[p, b]
    for p in range(k - 1, -1, -1):
        s = M[p, k]
        for b in range(p + 1, k):
            s -= M[p, b] * out[idx[b]]
        out[idx[p]] = s / M[p, p]
    return True


@njit(cache=True)
def _in_Q(A1, y, cols, k, tol):  # pragma: no cover - compiled
    """Whether ``y`` (nonzero only on ``cols[:k]``) lies in ``Q = {y >= 0 : A1 y <= 1}``, up to ``tol``."""
    for b in range(k):
        if y[cols[b]] < -tol:
            return False
    for i in range(A1.shape[0]):
        s = 0.0
        for b in range(k):
            s += A1[i, cols[b]] * y[cols[b]]
        if s > 1.0 + tol:
            return False
    return True


@njit(cache=True)
def facet_equilibria(eqs, interior, A1, B1, tol, pivot_tol):  # pragma: no cover - compiled
    """Extreme equilibria from the facets of the polar hull of P (one facet = one vertex x of P).

    For each vertex: labels by tolerance; if it has exactly m labels the partner y solves
    ``A1[supp, BR] y = 1`` and x is re-solved exactly from ``B1[supp, BR]^T x = 1``; keep the pair if y is in Q.
    Returns ``(status, X, Y)``: status 1 means a degenerate vertex or a (near-)singular system was met and
    the caller must match both polytopes instead.
    """
    F = eqs.shape[0]
    m, n = A1.shape
    X = np.zeros((F, m))
    Y = np.zeros((F, n))
    x = np.empty(m)
    rows = np.empty(m, dtype=np.int64)
    cols = np.empty(n, dtype=np.int64)
    M = np.empty((m, m + 1))
    count = 0
    for f in range(F):
        d = eqs[f, m]
        if d >= 0.0:
            return 1, X[:0], Y[:0]
        for i in range(m):
            x[i] = interior[i] - eqs[f, i] / d
        k = 0
        for i in range(m):
            if x[i] > tol:
                rows[k] = i
                k += 1
        c = 0
        for j in range(n):
            s = 0.0
            for i in range(m):
                s += B1[i, j] * x[i]
            if s >= 1.0 - tol:
                if c == k:
                    return 1, X[:0], Y[:0]
                cols[c] = j
                c += 1
        if c != k:
            return 1, X[:0], Y[:0]
        if k == 0:
            continue
        for a in range(k):
            for b in range(k):
                M[a, b] = A1[rows[a], cols[b]]
            M[a, k] = 1.0
        y = Y[count]
        y[:] = 0.0
        if not _solve_into(M, k, y, cols, pivot_tol):
            return 1, X[:0], Y[:0]
        if not _in_Q(A1, y, cols, k, tol):
            continue
        for a in range(k):  # transpose system for x: sum_a B1[rows[a], cols[b]] x[rows[a]] = 1
            for b in range(k):
                M[b, a] = B1[rows[a], cols[b]]
            M[a, k] = 1.0
        xr = X[count]
        xr[:] = 0.0
        if not _solve_into(M, k, xr, rows, pivot_tol):
            return 1, X[:0], Y[:0]
        sx = 0.0
        sy = 0.0
        for i in range(m):
            if xr[i] < 0.0:
                xr[i] = 0.0
            sx += xr[i]
        for j in range(n):
            if y[j] < 0.0:
                y[j] = 0.0
            sy += y[j]
        for i in range(m):
            xr[i] /= sx
        for j in range(n):
            y[j] /= sy
        count += 1
    return 0, X[:count], Y[:count]


@njit(cache=True)
def polar_points(A, B):  # pragma: no cover - compiled
    """Normalised payoffs ``A1, B1`` (each mapped into [1, 2]), the interior point ``c`` of
    ``P = {x >= 0 : B1^T x <= 1}`` and the polar points ``G_k / (h_k - G_k c)`` whose hull facets are P's vertices."""
    m, n = A.shape
    A1 = np.empty((m, n))
    B1 = np.empty((m, n))
    for M, out in ((A, A1), (B, B1)):
        lo = M.min()
        span = M.max() - lo
        for i in range(m):
            for j in range(n):
                out[i, j] = 1.0 if span == 0.0 else 1.0 + (M[i, j] - lo) / span
    colmax = 0.0
    for j in range(n):
        s = 0.0
        for i in range(m):
            s += B1[i, j]
        colmax = max(colmax, s)
    t = 0.5 / colmax
    interior = np.full(m, t)
    pts = np.zeros((m + n, m))
    for i in range(m):  # -x_i <= 0, slack t
        pts[i, i] = -1.0 / t
    for j in range(n):  # (B1^T x)_j <= 1, slack 1 - t * colsum_j
        s = 0.0
        for i in range(m):
            s += B1[i, j]
        slack = 1.0 - t * s
        for i in range(m):
            pts[m + j, i] = B1[i, j] / slack
    return A1, B1, interior, pts
