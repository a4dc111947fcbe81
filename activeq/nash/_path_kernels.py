"""Compiled (numba) kernels of the n-player path followers: deviation payoffs and their Jacobian, small dense
linear algebra, and the two tracing loops (Govindan-Wilson global Newton, logit QRE).

Why compiled, and why no BLAS in here: a path tracer decides at every step whether a constraint was crossed, which
cell comes next, whether a step is accepted. When those decisions rest on the last bits of a BLAS call, the route
(and the equilibria found) change with the OpenBLAS kernel and thread count. Every sum here runs in a fixed order
in plain compiled loops (no ``@``, no ``np.linalg``), so the same call gives bit-for-bit the same path on any
machine; it is also what makes the tracers faster than Gambit's C++ (no Python call per predictor step).

Flat profiles as in :mod:`activeq.nash._multilinear`: ``sigma`` has length ``N = sum_i |A_i|``, player ``i``'s block
is ``offsets[i]:offsets[i+1]``. Payoffs come as ``U`` of shape ``(n, prod |A_i|)`` (the tensor raveled in C order).

Step control follows Allgower & Georg (1990), ch. 6, as Gambit's ``PathTracer`` does: Euler predictor along the
unit tangent, chord-Newton corrector with the Jacobian at the predicted point bordered by the tangent, a step is
rejected when the corrector's first move is too large or it contracts too slowly (ratio > 0.5), and the step grows
by the deceleration factor. The tangent is the kernel of the Jacobian, taken as the solution of the bordered
system ``[J; t_prev] t = e``, so it never reverses at folds; a sign change of ``det [J; t]`` between two points marks
a bifurcation that was stepped over (counted, as Gambit does; the tracer keeps going straight).

Nothing here raises: every kernel returns a status code that the Python callers turn into errors or warnings.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# status codes of the tracers
#: longest step allowed across lam = 0 (unit-range payoffs): two nearby crossings must not share one step
H_CROSS = 0.25
OK, MAX_STEPS, UNDERFLOW, TURNED_BACK, NO_CONTINUATION, SINGULAR, TARGET = 0, 1, 2, 3, 4, 5, 6
STATUS_TEXT = {OK: "completed", MAX_STEPS: "max_steps reached", UNDERFLOW: "step length underflow",
               TURNED_BACK: "the path turned back towards its start",
               NO_CONTINUATION: "no continuation found at a face where several supports change at once",
               SINGULAR: "singular Jacobian", TARGET: "target reached"}


@njit(cache=True)
def _flags(offsets):  # pragma: no cover - compiled
    """``(True, False)`` computed at run time. Internal calls pass these instead of the constants ``True``/``False``
    (or literal ints): numba types a constant argument as a literal and compiles a separate copy of the callee for
    it, which tripled the first-call compile time of the tracers."""
    yes = offsets[0] == 0
    return yes, not yes


# --- deviation payoffs ----------------------------------------------------------------------------------------
@njit(cache=True)
def values_jac(U, sizes, offsets, sig, V, D, want_d):  # pragma: no cover - compiled
    """``V[ij] = u_i(j, sigma_-i)`` and, if ``want_d``, ``D[ij, kl] = u_i(j, l, sigma_-ik)`` (zero for k = i)."""
    n = U.shape[0]
    P = U.shape[1]
    for q in range(V.size):
        V[q] = 0.0
    if want_d:
        for q in range(D.shape[0]):
            for c in range(D.shape[1]):
                D[q, c] = 0.0
    a = np.zeros(n, np.int64)
    s = np.empty(n)
    for p in range(P):
        for m in range(n):
            s[m] = sig[offsets[m] + a[m]]
        for i in range(n):
            u = U[i, p]
            if u == 0.0:
                continue
            prod = 1.0
            for m in range(n):
                if m != i:
                    prod *= s[m]
            V[offsets[i] + a[i]] += u * prod
            if want_d:
                row = offsets[i] + a[i]
                for k in range(n):
                    if k == i:
                        continue
                    pr = 1.0
                    for m in range(n):
                        if m != i and m != k:
                            pr *= s[m]
                    D[row, offsets[k] + a[k]] += u * pr
        m = n - 1
        while m >= 0:
            a[m] += 1
            if a[m] < sizes[m]:
                break
            a[m] = 0
            m -= 1


@njit(cache=True)
def max_regret(U, sizes, offsets, sig):  # pragma: no cover - compiled
    """Largest gain of a unilateral pure deviation at the flat profile ``sig``."""
    n = U.shape[0]
    N = offsets[n]
    V = np.empty(N)
    D = np.empty((1, 1))
    yes, no = _flags(offsets)
    values_jac(U, sizes, offsets, sig, V, D, no)
    worst = 0.0
    for i in range(n):
        best = -np.inf
        mean = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            best = max(best, V[j])
            mean += V[j] * sig[j]
        worst = max(worst, best - mean)
    return worst


# --- dense linear algebra (fixed order, partial pivoting) -----------------------------------------------------
@njit(cache=True)
def lu_factor(A, piv):  # pragma: no cover - compiled
    """In-place LU with partial pivoting. Returns the determinant's sign (0 when a pivot is negligible)."""
    m = A.shape[0]
    scale = 0.0
    for i in range(m):
        for j in range(m):
            scale = max(scale, abs(A[i, j]))
    if not np.isfinite(scale) or scale == 0.0:
        return 0.0
    sign = 1.0
    for p in range(m):
        best = p
        for r in range(p + 1, m):
            if abs(A[r, p]) > abs(A[best, p]):
                best = r
        piv[p] = best
        if abs(A[best, p]) <= 1e-14 * scale:
            return 0.0
        if best != p:
            sign = -sign
            for c in range(m):
                tmp = A[p, c]
                A[p, c] = A[best, c]
                A[best, c] = tmp
        if A[p, p] < 0.0:
            sign = -sign
        inv = 1.0 / A[p, p]
        for r in range(p + 1, m):
            f = A[r, p] * inv
            A[r, p] = f
            if f != 0.0:
                for c in range(p + 1, m):
                    A[r, c] -= f * A[p, c]
    return sign


@njit(cache=True)
def lu_solve(LU, piv, b, out):  # pragma: no cover - compiled
    """Solve with a factorisation from :func:`lu_factor` (``b`` is left untouched)."""
    m = LU.shape[0]
    for i in range(m):
        out[i] = b[i]
    for p in range(m):
        q = piv[p]
        if q != p:
            tmp = out[p]
            out[p] = out[q]
            out[q] = tmp
    for i in range(m):
        s = out[i]
        for c in range(i):
            s -= LU[i, c] * out[c]
        out[i] = s
    for i in range(m - 1, -1, -1):
        s = out[i]
        for c in range(i + 1, m):
            s -= LU[i, c] * out[c]
        out[i] = s / LU[i, i]


@njit(cache=True)
def solve(A, b):  # pragma: no cover - compiled
    """``A^-1 b`` by LU (A is copied); ``(ok, x)``."""
    m = A.shape[0]
    LU = np.empty((m, m))
    for r in range(m):
        for c in range(m):
            LU[r, c] = A[r, c]
    piv = np.empty(m, np.int64)
    out = np.zeros(m)
    if lu_factor(LU, piv) == 0.0:
        return False, out
    lu_solve(LU, piv, b, out)
    ok = True
    for i in range(m):
        if not np.isfinite(out[i]):
            ok = False
    return ok, out


@njit(cache=True)
def _norm(x):  # pragma: no cover - compiled
    s = 0.0
    for v in x:
        s += v * v
    return np.sqrt(s)


@njit(cache=True)
def _maxabs(x):  # pragma: no cover - compiled
    s = 0.0
    for v in x:
        a = abs(v)
        if not a <= s:  # also catches nan
            s = a if np.isfinite(a) else np.inf
    return s


@njit(cache=True)
def _dot(x, y):  # pragma: no cover - compiled
    s = 0.0
    for k in range(x.size):
        s += x[k] * y[k]
    return s


@njit(cache=True)
def _copy(src, dst):  # pragma: no cover - compiled
    for k in range(src.size):
        dst[k] = src[k]


@njit(cache=True)
def _border(J, row, A):  # pragma: no cover - compiled
    """``A = [J; row]`` (plain loops: slice assignment costs numba much more compile time)."""
    N = J.shape[0]
    for r in range(N):
        for c in range(J.shape[1]):
            A[r, c] = J[r, c]
    for c in range(row.size):
        A[N, c] = row[c]


@njit(cache=True)
def _dist(a, b):  # pragma: no cover - compiled
    s = 0.0
    for k in range(a.size):
        s += (a[k] - b[k]) ** 2
    return np.sqrt(s)


@njit(cache=True)
def _dot_diff(a, b, t):  # pragma: no cover - compiled
    """``(a - b) . t``."""
    s = 0.0
    for k in range(a.size):
        s += (a[k] - b[k]) * t[k]
    return s


@njit(cache=True)
def _mix(a, b, w):  # pragma: no cover - compiled
    """``(1 - w) a + w b``."""
    out = np.empty(a.size)
    for k in range(a.size):
        out[k] = (1.0 - w) * a[k] + w * b[k]
    return out


@njit(cache=True)
def bordered_tangent(J, t_prev):  # pragma: no cover - compiled
    """Unit kernel vector ``t`` of the ``N x (N+1)`` matrix ``J`` with ``t . t_prev > 0`` (solves
    ``[J; t_prev] t = e``), and ``sign det [J; t]``; sign 0 when the bordered matrix is singular."""
    N = J.shape[0]
    A = np.empty((N + 1, N + 1))
    _border(J, t_prev, A)
    piv = np.empty(N + 1, np.int64)
    sign = lu_factor(A, piv)
    t = np.zeros(N + 1)
    if sign == 0.0:
        return t, 0.0
    e = np.zeros(N + 1)
    e[N] = 1.0
    lu_solve(A, piv, e, t)
    nt = _norm(t)
    if not (nt > 0.0 and np.isfinite(nt)):
        return t, 0.0
    for k in range(N + 1):
        t[k] /= nt
    # det [J; t] = det [J; t_prev] * (t . t_prev)-scaled; t . t_prev = 1 / |t_unnormalised| > 0, so same sign
    return t, sign


# --- global Newton: the cell-wise smooth pieces ---------------------------------------------------------------
@njit(cache=True)
def _cell_r(z, sup, offsets, r, v):  # pragma: no cover - compiled
    n = offsets.size - 1
    for i in range(n):
        cnt = 0
        tot = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            if sup[j]:
                cnt += 1
                tot += z[j]
        vi = (tot - 1.0) / cnt
        v[i] = vi
        for j in range(offsets[i], offsets[i + 1]):
            r[j] = z[j] - vi if sup[j] else 0.0


@njit(cache=True)
def cell_slack(z, sup, offsets, out):  # pragma: no cover - compiled
    """(Reads ``z[:N]``; ``z`` may be the whole ``x = (z, lam)``.) Slacks of the support cell: ``z_j - v_i`` on the support, ``v_i - z_j`` off it (positive inside)."""
    n = offsets.size - 1
    r = np.empty(offsets[offsets.size - 1])
    v = np.empty(n)
    _cell_r(z, sup, offsets, r, v)
    for i in range(n):
        for j in range(offsets[i], offsets[i + 1]):
            out[j] = z[j] - v[i] if sup[j] else v[i] - z[j]


@njit(cache=True)
def _slack_grad(sup, offsets, player_of, j, g):  # pragma: no cover - compiled
    """Gradient (in x = (z, lam)) of slack j of the cell ``sup``."""
    for q in range(g.size):
        g[q] = 0.0
    i = player_of[j]
    cnt = 0
    for l in range(offsets[i], offsets[i + 1]):
        if sup[l]:
            cnt += 1
    sgn = 1.0 if sup[j] else -1.0
    for l in range(offsets[i], offsets[i + 1]):
        if sup[l]:
            g[l] -= sgn / cnt
    g[j] += sgn


@njit(cache=True)
def gnm_HJ(x, sup, b, U, sizes, offsets, F, J, want_j):  # pragma: no cover - compiled
    """``H_S(x) = z - r_S(z) - V(r_S(z)) - lam b`` and (if ``want_j``) its ``N x (N+1)`` Jacobian on cell ``S``."""
    N = b.size
    n = offsets.size - 1
    z = x  # only its first N entries are read
    lam = x[N]
    r = np.empty(N)
    v = np.empty(n)
    _cell_r(z, sup, offsets, r, v)
    V = np.empty(N)
    D = np.empty((N, N)) if want_j else np.empty((1, 1))
    values_jac(U, sizes, offsets, r, V, D, want_j)
    for j in range(N):
        F[j] = z[j] - r[j] - V[j] - lam * b[j]
    if not want_j:
        return
    # dr/dz = P (block-wise: delta - 1/|S_i| on S_i x S_i), so J_z = I - P - D P, J_lam = -b
    for row in range(N):
        for c in range(N):
            J[row, c] = 0.0
        J[row, row] = 1.0
        J[row, N] = -b[row]
    for i in range(n):
        cnt = 0
        for l in range(offsets[i], offsets[i + 1]):
            if sup[l]:
                cnt += 1
        inv = 1.0 / cnt
        for row in range(N):
            avg = 0.0
            for l in range(offsets[i], offsets[i + 1]):
                if sup[l]:
                    avg += D[row, l]
            avg *= inv
            for l in range(offsets[i], offsets[i + 1]):
                if sup[l]:
                    J[row, l] -= D[row, l] - avg
        for j in range(offsets[i], offsets[i + 1]):
            if sup[j]:
                for l in range(offsets[i], offsets[i + 1]):
                    if sup[l]:
                        J[j, l] -= (1.0 if l == j else 0.0) - inv


@njit(cache=True)
def _gnm_newton(x0, sup, b, U, sizes, offsets, player_of, k, tol):  # pragma: no cover - compiled
    """Newton on ``[H_S(x); c(x)] = 0`` where ``c`` is ``lam`` (``k < 0``) or slack ``k`` of the cell."""
    yes, no = _flags(offsets)
    N = b.size
    x = np.empty(x0.size)
    _copy(x0, x)
    F = np.empty(N)
    J = np.empty((N, N + 1))
    A = np.empty((N + 1, N + 1))
    rhs = np.empty(N + 1)
    dx = np.empty(N + 1)
    piv = np.empty(N + 1, np.int64)
    g = np.zeros(N + 1)
    sl = np.empty(N)
    if k < 0:
        g[N] = 1.0
    else:
        _slack_grad(sup, offsets, player_of, k, g)
    for _ in range(40):
        gnm_HJ(x, sup, b, U, sizes, offsets, F, J, yes)
        if k < 0:
            c = x[N]
        else:
            cell_slack(x, sup, offsets, sl)
            c = sl[k]
        res = max(_maxabs(F), abs(c))
        if res <= tol:
            return True, x
        if not np.isfinite(res):
            return False, x
        _border(J, g, A)
        if lu_factor(A, piv) == 0.0:
            return False, x
        for q in range(N):
            rhs[q] = -F[q]
        rhs[N] = -c
        lu_solve(A, piv, rhs, dx)
        for q in range(N + 1):
            x[q] += dx[q]
    gnm_HJ(x, sup, b, U, sizes, offsets, F, J, no)
    return _maxabs(F) <= 100 * tol, x


@njit(cache=True)
def _face_continuation(x, sup, t_in, orient, b, U, sizes, offsets, player_of, face_tol, dir_tol):
    # pragma: no cover - compiled
    """At a point ``x`` on the boundary of cell ``sup``, where the arriving tangent ``t_in`` leaves the cell: the
    neighbouring cell and the direction in which the path continues.

    ``T``: the constraints with ``|slack| <= face_tol`` (one at a generic kink; several where the path meets a
    lower-dimensional face, as in games with ties or symmetries). Every cell obtained by flipping a subset of ``T``
    is a candidate; its tangent (kernel of its Jacobian at ``x``, both signs) is admissible when it lowers no slack
    in ``T`` by more than ``dir_tol`` and raises at least one by more than that (it points into that cell, or runs
    along a face of it, as on the continua of degenerate games), and it is not the way we came (the original cell
    with ``-t_in``, or ``-t_in`` itself in another cell). One admissible choice: take it. Several (a branch point of a degenerate game): prefer the
    one that keeps the orientation ``sign det [J; t]`` (Kohlberg-Mertens index), then the straightest one
    (largest ``t . t_in``), then the first in a fixed order. Returns ``(found, new_sup, t, orientation, |T|)``.
    """
    yes, no = _flags(offsets)
    N = b.size
    sl = np.empty(N)
    cell_slack(x, sup, offsets, sl)
    T = np.empty(N, np.int64)
    nT = 0
    for j in range(N):
        if abs(sl[j]) <= face_tol:
            T[nT] = j
            nT += 1
    best_sup = np.empty(sup.size, np.bool_)
    _copy(sup, best_sup)
    best_t = np.zeros(N + 1)
    best_o = 0.0
    if nT == 0 or nT > 8:
        return False, best_sup, best_t, best_o, nT
    best_score = -np.inf
    found = False
    F = np.empty(N)
    J = np.empty((N, N + 1))
    g = np.empty(N + 1)
    cand = np.empty(sup.size, np.bool_)
    for mask in range(1 << nT):
        _copy(sup, cand)
        for q in range(nT):
            if (mask >> q) & 1:
                cand[T[q]] = not sup[T[q]]
        okc = True
        n = offsets.size - 1
        for i in range(n):  # every player keeps a nonempty support
            cnt = 0
            for l in range(offsets[i], offsets[i + 1]):
                if cand[l]:
                    cnt += 1
            if cnt == 0:
                okc = False
        if not okc:
            continue
        gnm_HJ(x, cand, b, U, sizes, offsets, F, J, yes)
        tau, o = bordered_tangent(J, t_in)
        if o == 0.0:
            continue
        for sgn in (1.0, -1.0):
            if mask == 0 and sgn < 0:
                continue  # back the way we came
            if sgn * _dot(tau, t_in) < -1.0 + 1e-9:
                continue  # straight back along the way we came (in a cell that agrees with ours on the face)
            admissible = True
            rising = False
            for q in range(nT):
                _slack_grad(cand, offsets, player_of, T[q], g)
                dg = sgn * _dot(g, tau)
                if dg < -dir_tol:
                    admissible = False
                    break
                if dg > dir_tol:
                    rising = True
            if not admissible or not rising:
                continue
            o_dir = o * sgn
            score = (2.0 if o_dir == orient else 0.0) + sgn * _dot(tau, t_in)
            if score > best_score + 1e-12:
                best_score = score
                found = True
                _copy(cand, best_sup)
                for q in range(N + 1):
                    best_t[q] = sgn * tau[q]
                best_o = o_dir
    return found, best_sup, best_t, best_o, nT


@njit(cache=True)
def _hermite_dip(x, t, xp, tn, sup, offsets, sl_new, slack_tol):  # pragma: no cover - compiled
    """Whether a constraint dips below ``-slack_tol`` inside the step and is back above it at the end (or ``lam``
    changes sign twice): the slacks are affine in ``z``, so they are checked at three points of the cubic Hermite
    interpolant of the path between ``x`` and ``xp`` (tangents ``t``, ``tn``). Endpoint values alone miss such
    double crossings."""
    N = sl_new.size
    L = _dist(x, xp)
    p = np.empty(x.size)
    sl = np.empty(N)
    for s in (0.25, 0.5, 0.75):
        h00 = 2 * s ** 3 - 3 * s ** 2 + 1
        h10 = s ** 3 - 2 * s ** 2 + s
        h01 = -2 * s ** 3 + 3 * s ** 2
        h11 = s ** 3 - s ** 2
        for q in range(x.size):
            p[q] = h00 * x[q] + h10 * L * t[q] + h01 * xp[q] + h11 * L * tn[q]
        cell_slack(p, sup, offsets, sl)
        for j in range(N):
            if sl[j] < -slack_tol and sl_new[j] >= -slack_tol:
                return True
        if (x[N] > 0.0) == (xp[N] > 0.0) and (p[N] > 0.0) != (x[N] > 0.0):
            return True  # lam = 0 crossed twice inside the step: two equilibria would be skipped
    return False


@njit(cache=True)
def gnm_trace(U, sizes, offsets, player_of, b, x0, sup0, t0, end_lambda, lam_cap, max_steps, h0, h_max,
              out_sig, out_lam_side, dbg_x, dbg_t, dbg_sup, kink_log):  # pragma: no cover - compiled
    """Follow the global Newton path from ``x0`` (in cell ``sup0``, initial direction ``t0``) until
    ``lam < end_lambda``. Each crossing of ``lam = 0`` is solved exactly in its cell and stored, as the profile
    ``r_S(z)``, in ``out_sig`` (at most ``out_sig.shape[0]``).

    Returns ``(status, steps, kinks, n_found, bifurcations, restarts, lam_last, faces)``; ``faces`` counts the
    kinks where several constraints were tight at once.
    """
    yes, no = _flags(offsets)
    N = b.size
    corr_tol = 1e-12
    slack_tol = 1e-12
    face_tol = 1e-9
    dir_tol = 1e-9
    h_min = 1e-11
    x = np.empty(x0.size)
    _copy(x0, x)
    sup = np.empty(sup0.size, np.bool_)
    _copy(sup0, sup)
    F = np.empty(N)
    J = np.empty((N, N + 1))
    A = np.empty((N + 1, N + 1))
    piv = np.empty(N + 1, np.int64)
    rhs = np.zeros(N + 1)
    dx = np.empty(N + 1)
    sl_old = np.empty(N)
    sl_new = np.empty(N)
    xp = np.empty(N + 1)
    gnm_HJ(x, sup, b, U, sizes, offsets, F, J, yes)
    t, orient = bordered_tangent(J, t0)
    if orient == 0.0:
        return SINGULAR, 0, 0, 0, 0, 0, x[N], 0
    h = h0
    steps = kinks = n_found = bif = restarts = faces = 0
    restarted_at = -1
    while True:
        if x[N] < end_lambda:
            return OK, steps, kinks, n_found, bif, restarts, x[N], faces
        if steps >= max_steps:
            _copy(x, dbg_x)
            _copy(t, dbg_t)
            _copy(sup, dbg_sup)
            return MAX_STEPS, steps, kinks, n_found, bif, restarts, x[N], faces
        if x[N] > lam_cap:
            return TURNED_BACK, steps, kinks, n_found, bif, restarts, x[N], faces
        if h < h_min:
            # restart once from this (last good) point: re-decide the cell and direction as at a face with a
            # wider tolerance, tighten the corrector, and start again with a small step
            if restarted_at == steps:
                return UNDERFLOW, steps, kinks, n_found, bif, restarts, x[N], faces
            restarted_at = steps
            restarts += 1
            corr_tol = 1e-13
            okf, nsup, nt, o_new, nT = _face_continuation(x, sup, t, orient, b, U, sizes, offsets, player_of,
                                                       1e-7, 1e-12)
            if okf:
                _copy(nsup, sup)
                _copy(nt, t)
                orient = o_new
            h = 1e-4
        for q in range(N + 1):
            xp[q] = x[q] + h * t[q]
        gnm_HJ(xp, sup, b, U, sizes, offsets, F, J, yes)
        _border(J, t, A)
        if lu_factor(A, piv) == 0.0:
            h *= 0.5
            continue
        ok = False
        first = 0.0
        prev = 0.0
        iters = 0
        for it in range(12):
            iters = it + 1
            if it > 0:
                gnm_HJ(xp, sup, b, U, sizes, offsets, F, J, no)
                if _maxabs(F) <= corr_tol:
                    ok = True
                    break
            for q in range(N):
                rhs[q] = F[q]
            rhs[N] = 0.0
            lu_solve(A, piv, rhs, dx)
            d = _norm(dx)
            if not np.isfinite(d):
                break
            if it == 0:
                first = d
                if d > 0.3 * h + 1e-13:
                    break
            elif d > 0.5 * prev + 1e-15:
                break
            for q in range(N + 1):
                xp[q] -= dx[q]
            prev = d
            if d <= 1e-14 * (1.0 + abs(xp[N])):
                gnm_HJ(xp, sup, b, U, sizes, offsets, F, J, no)
                ok = _maxabs(F) <= 100 * corr_tol
                break
        if not ok:
            h *= 0.5
            continue
        gnm_HJ(xp, sup, b, U, sizes, offsets, F, J, yes)
        tn, on = bordered_tangent(J, t)
        if on == 0.0 or _dot(tn, t) < 0.9:
            h *= 0.5
            continue
        cell_slack(x, sup, offsets, sl_old)
        cell_slack(xp, sup, offsets, sl_new)
        if h > 1e-6 and _hermite_dip(x, t, xp, tn, sup, offsets, sl_new, slack_tol):
            h *= 0.5
            continue
        k = -1
        wk = 2.0
        for j in range(N):
            if sl_new[j] < -slack_tol and sl_new[j] < sl_old[j] - slack_tol:
                w = max(sl_old[j], 0.0) / (sl_old[j] - sl_new[j])
                w = min(max(w, 0.0), 1.0)
                if w < wk:
                    wk = w
                    k = j
        if k >= 0:  # the step leaves the cell: land on its boundary, then find the neighbouring cell
            guess = _mix(x, xp, wk)
            okb, xb = _gnm_newton(guess, sup, b, U, sizes, offsets, player_of, k, 1e-13)
            if okb:
                cell_slack(xb, sup, offsets, sl_new)
                for j in range(N):
                    if j != k and sl_new[j] < -slack_tol:
                        okb = False
                if _dist(xb, x) > 1.5 * _dist(xp, x) + 1e-9:
                    okb = False  # another branch of this cell's equations
                if _dot_diff(xb, x, t) <= 1e-12 * (1.0 + abs(x[N])):
                    okb = False  # behind us, or the point we stand on: the curve bends back, take a shorter step
            if not okb:
                h *= 0.5
                continue
            if (x[N] > 0.0) != (xb[N] > 0.0):
                okc, xc = _solve_crossing(x, xb, sup, b, U, sizes, offsets, player_of)
                if (not okc or h > H_CROSS) and h > 1e-6:  # resolve lam = 0 with short steps
                    h *= 0.5
                    continue
                if n_found < out_sig.shape[0]:
                    _store_crossing(xc, sup, offsets, out_sig, n_found)
                    out_lam_side[n_found] = 1.0 if x[N] > 0.0 else -1.0
                    n_found += 1
            okf, nsup, nt, o_new, nT = _face_continuation(xb, sup, t, orient, b, U, sizes, offsets, player_of,
                                                       face_tol, dir_tol)
            if okf and nT == 1 and o_new != orient and h > 1e-6:
                # a kink through one constraint keeps the orientation sign det [J; t] (the index of the path); a
                # flip means the step jumped over a crossing (in and out again): take a shorter step
                h *= 0.5
                continue
            if not okf:
                _copy(xb, x)
                _copy(xb, dbg_x)
                _copy(t, dbg_t)
                _copy(sup, dbg_sup)
                return NO_CONTINUATION, steps, kinks, n_found, bif, restarts, xb[N], faces
            _copy(xb, x)
            _copy(nsup, sup)
            _copy(nt, t)
            orient = o_new
            if kinks < kink_log.shape[0]:
                kink_log[kinks, 0] = x[N]
                kink_log[kinks, 1] = k
                kink_log[kinks, 2] = _dot(nt, t)
                kink_log[kinks, 3] = nT
            kinks += 1
            steps += 1
            if nT > 1:
                faces += 1
            continue
        if on != orient:
            if h > 1e-6:  # a sign change of det [J; t] inside a cell: first make sure no crossing was jumped
                h *= 0.5
                continue
            bif += 1
        if (x[N] > 0.0) != (xp[N] > 0.0):
            okc, xc = _solve_crossing(x, xp, sup, b, U, sizes, offsets, player_of)
            if (not okc or h > H_CROSS) and h > 1e-6:  # resolve lam = 0 with short steps
                h *= 0.5
                continue
            if n_found < out_sig.shape[0]:
                _store_crossing(xc, sup, offsets, out_sig, n_found)
                out_lam_side[n_found] = 1.0 if x[N] > 0.0 else -1.0
                n_found += 1
        orient = on
        _copy(xp, x)
        _copy(tn, t)
        steps += 1
        if iters <= 3 and first < 0.05 * h:
            h = min(h * 1.5, h_max)


@njit(cache=True)
def _solve_crossing(xa, xb, sup, b, U, sizes, offsets, player_of):  # pragma: no cover - compiled
    """The point with ``lam = 0`` on the cell's curve between ``xa`` and ``xb`` (Newton from the interpolated
    guess). ``ok`` is False when Newton fails or lands farther from the guess than half the segment: then it may
    have found another crossing of the same cell's equations, and the caller takes a shorter step (it also
    resolves every crossing with steps of at most ``H_CROSS``)."""
    lam_index = -1 - offsets[0]  # -1, computed at run time (see _flags)
    N = b.size
    w = xa[N] / (xa[N] - xb[N])
    guess = _mix(xa, xb, w)
    ok, x = _gnm_newton(guess, sup, b, U, sizes, offsets, player_of, lam_index, 1e-14)
    if not ok or _dist(x, guess) > 0.25 * _dist(xa, xb) + 1e-9:
        return False, guess
    return True, x


@njit(cache=True)
def _store_crossing(x, sup, offsets, out_sig, row):  # pragma: no cover - compiled
    """Store ``r_S(z)`` (clipped, renormalised) as row ``row`` of ``out_sig``."""
    n = offsets.size - 1
    N = offsets[n]
    r = np.empty(N)
    v = np.empty(n)
    _cell_r(x, sup, offsets, r, v)
    for i in range(n):
        tot = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            r[j] = max(r[j], 0.0)
            tot += r[j]
        for j in range(offsets[i], offsets[i + 1]):
            out_sig[row, j] = r[j] / tot


# --- logit QRE path -------------------------------------------------------------------------------------------
@njit(cache=True)
def logit_HJ(x, U, sizes, offsets, F, J, want_j):  # pragma: no cover - compiled
    """Logit equations in ``y = log sigma``: ``y_j - y_r - lam (V_j - V_r)`` (non-reference ``j``, reference
    ``r`` = each player's first action) and ``sum_j exp(y_j) - 1`` (reference rows); Jacobian ``N x (N+1)``."""
    n = offsets.size - 1
    N = offsets[n]
    lam = x[N]
    sig = np.empty(N)
    for j in range(N):
        sig[j] = np.exp(x[j])
    V = np.empty(N)
    D = np.empty((N, N)) if want_j else np.empty((1, 1))
    values_jac(U, sizes, offsets, sig, V, D, want_j)
    for i in range(n):
        r = offsets[i]
        tot = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            tot += sig[j]
        F[r] = tot - 1.0
        for j in range(r + 1, offsets[i + 1]):
            F[j] = x[j] - x[r] - lam * (V[j] - V[r])
        if want_j:
            for c in range(N + 1):
                J[r, c] = 0.0
            for j in range(offsets[i], offsets[i + 1]):
                J[r, j] = sig[j]
            for j in range(r + 1, offsets[i + 1]):
                for c in range(N):
                    J[j, c] = -lam * (D[j, c] - D[r, c]) * sig[c]
                J[j, j] += 1.0
                J[j, r] -= 1.0
                J[j, N] = -(V[j] - V[r])


@njit(cache=True)
def logit_trace(U, sizes, offsets, x0, t0, h0, lam_stop, max_steps, h_max, path_lam, path_y, n_path):
    # pragma: no cover - compiled
    """Follow the logit branch from ``(x0, t0)`` until ``lam >= lam_stop`` or ``max_steps`` accepted steps.

    Accepted points are appended to ``path_lam``/``path_y`` from index ``n_path`` while there is room. Returns
    ``(status, x, t, h, steps, n_path, bifurcations)`` with status TARGET, MAX_STEPS, UNDERFLOW or SINGULAR.
    """
    yes, no = _flags(offsets)
    N = x0.size - 1
    x = np.empty(x0.size)
    _copy(x0, x)
    F = np.empty(N)
    J = np.empty((N, N + 1))
    A = np.empty((N + 1, N + 1))
    piv = np.empty(N + 1, np.int64)
    rhs = np.zeros(N + 1)
    dx = np.empty(N + 1)
    xp = np.empty(N + 1)
    logit_HJ(x, U, sizes, offsets, F, J, yes)
    t, orient = bordered_tangent(J, t0)
    if orient == 0.0:
        return SINGULAR, x, t0, h0, 0, n_path, 0
    h = h0
    steps = bif = 0
    h_min = 1e-10
    max_dist = 0.4  # Gambit's c_maxDist, in log-probability units
    while True:
        if x[N] >= lam_stop:
            return TARGET, x, t, h, steps, n_path, bif
        if steps >= max_steps:
            return MAX_STEPS, x, t, h, steps, n_path, bif
        if h < h_min:
            return UNDERFLOW, x, t, h, steps, n_path, bif
        for q in range(N + 1):
            xp[q] = x[q] + h * t[q]
        logit_HJ(xp, U, sizes, offsets, F, J, yes)
        _border(J, t, A)
        if lu_factor(A, piv) == 0.0:
            h *= 0.5
            continue
        ok = False
        decel = 0.5  # growth factor is 1 / decel, at most 2
        prev = 0.0
        for it in range(20):
            if it > 0:
                logit_HJ(xp, U, sizes, offsets, F, J, no)
            if it > 0 and _maxabs(F) <= 1e-11:
                ok = True
                break
            for q in range(N):
                rhs[q] = F[q]
            rhs[N] = 0.0
            lu_solve(A, piv, rhs, dx)
            d = _norm(dx)
            if not np.isfinite(d) or d >= max_dist:
                break
            decel = max(decel, np.sqrt(d / max_dist) * 2.0)
            if it > 0:
                contr = d / (prev + 1e-12)
                if contr > 0.5:
                    break
                decel = max(decel, np.sqrt(contr / 0.5) * 2.0)
            for q in range(N + 1):
                xp[q] -= dx[q]
            prev = d
        if not ok:
            h *= 0.5
            continue
        logit_HJ(xp, U, sizes, offsets, F, J, yes)
        tn, on = bordered_tangent(J, t)
        if on == 0.0 or _dot(tn, t) < 0.9:
            h *= 0.5
            continue
        if on != orient:
            bif += 1
            orient = on
        _copy(xp, x)
        _copy(tn, t)
        steps += 1
        if n_path < path_lam.size:
            path_lam[n_path] = x[N]
            for q in range(N):
                path_y[n_path, q] = x[q]
            n_path += 1
        h = min(h / min(decel, 2.0), h_max)


# --- support-restricted Newton (the polish that turns a path point into an exact equilibrium) -----------------
@njit(cache=True)
def support_newton(U, sizes, offsets, mask, start, max_iter, ftol):  # pragma: no cover - compiled
    """Newton on "every supported action of a player earns the same, probabilities on the support sum to 1".

    Unknowns: the probabilities on ``mask``; per player ``i`` with support ``S_i`` and reference ``j0 = min S_i``
    the equations ``V_j - V_j0 = 0`` (``j in S_i \\ {j0}``) and ``sum_{S_i} sigma = 1`` (a square system). Starts
    from ``start`` restricted to the support. Singular steps (exact ties) fall back to a ridge-regularised
    least-squares step. Returns ``(ok, x)``; ``ok`` is False when Newton does not converge to ``ftol`` or a
    probability is clearly negative (whether ``x`` is an equilibrium is for the caller).
    """
    n = offsets.size - 1
    N = offsets[n]
    m = 0
    for j in range(N):
        if mask[j]:
            m += 1
    idx = np.empty(m, np.int64)
    pos = np.full(N, -1, np.int64)
    q = 0
    for j in range(N):
        if mask[j]:
            idx[q] = j
            pos[j] = q
            q += 1
    x = np.zeros(N)
    for i in range(n):
        tot = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            if mask[j]:
                x[j] = max(start[j], 1e-12)
                tot += x[j]
        for j in range(offsets[i], offsets[i + 1]):
            x[j] /= tot
    V = np.empty(N)
    D = np.empty((N, N))
    F = np.empty(m)
    J = np.empty((m, m))
    yes = offsets[0] == 0
    converged = False
    for _ in range(max_iter + 1):
        values_jac(U, sizes, offsets, x, V, D, yes)
        row = 0
        for i in range(n):
            j0 = -1
            tot = 0.0
            for j in range(offsets[i], offsets[i + 1]):
                if mask[j]:
                    tot += x[j]
                    if j0 < 0:
                        j0 = j
                    else:
                        F[row] = V[j] - V[j0]
                        for c in range(m):
                            J[row, c] = D[j, idx[c]] - D[j0, idx[c]]
                        row += 1
            F[row] = tot - 1.0
            for c in range(m):
                J[row, c] = 1.0 if (idx[c] >= offsets[i] and idx[c] < offsets[i + 1]) else 0.0
            row += 1
        if _maxabs(F) <= ftol:
            converged = True
            break
        neg = np.empty(m)
        for c in range(m):
            neg[c] = -F[c]
        ok, step = solve(J, neg)
        if not ok:  # exact ties: ridge least squares (J^T J + mu I) step = J^T neg
            JT = np.zeros((m, m))
            rhs = np.zeros(m)
            mu = 0.0
            for a in range(m):
                for b in range(m):
                    s = 0.0
                    for r in range(m):
                        s += J[r, a] * J[r, b]
                    JT[a, b] = s
                    mu = max(mu, abs(s))
                for r in range(m):
                    rhs[a] += J[r, a] * neg[r]
            for a in range(m):
                JT[a, a] += 1e-12 * max(mu, 1.0)
            ok, step = solve(JT, rhs)
            if not ok:
                return False, x
        big = 0.0
        for c in range(m):
            x[idx[c]] += step[c]
            big = max(big, abs(x[idx[c]]))
        if not (big <= 1e6):
            return False, x
    if not converged:
        return False, x
    for j in range(N):
        if x[j] < -1e-9:
            return False, x
    for i in range(n):
        tot = 0.0
        for j in range(offsets[i], offsets[i + 1]):
            x[j] = max(x[j], 0.0)
            tot += x[j]
        for j in range(offsets[i], offsets[i + 1]):
            x[j] /= tot
    return True, x
