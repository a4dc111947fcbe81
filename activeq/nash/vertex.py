"""All extreme Nash equilibria of a bimatrix game by vertex enumeration; correct on degenerate games.

Source: the best-response polytope formulation of von Stengel, *Computing equilibria for two-person games*,
Handbook of Game Theory 3 (2002), Section 3 (Theorem 3.3: equilibria are the completely labelled vertex pairs), and
the extreme-equilibrium enumeration of Avis, Rosenberg, Savani and von Stengel, Economic Theory 42 (2010).

With payoffs made positive, the best-response polytopes are
``P = {x >= 0 : B^T x <= 1}`` (labels: ``i`` when ``x_i = 0``, ``m + j`` when ``(B^T x)_j = 1``) and
``Q = {y >= 0 : A y <= 1}`` (labels: ``i`` when ``(A y)_i = 1``, ``m + j`` when ``y_j = 0``).
The extreme equilibria are the completely labelled vertex pairs ``(x, y) != (0, 0)``, normalised.

Fast path (nondegenerate games): enumerate only the vertices of the polytope of smaller dimension (one Qhull
run on its polar; QuantEcon's method runs Qhull on both polytopes). A vertex ``x`` with exactly ``m`` labels
fixes the ``n`` labels its partner must carry, so the partner is the unique solution of
``A[supp x, BR(x)] y = 1`` (zero off ``BR(x)``), solved per vertex in a numba kernel.
If any vertex has more than ``m`` labels or a system is (near-)singular, the game is degenerate there and we
enumerate both polytopes and match label sets (bitmasks), which finds every pair including the extreme points
of equilibrium components.
"""

from __future__ import annotations

from math import comb

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from .._checks import check_in_range
from ..games import NormalFormGame
from .equilibrium import Equilibrium, _check_game, certify
from .polytope import BRUTE_FORCE_LIMIT, QHULL_OPTIONS, Vertices, label_keys, refine, vertices
from .registry import register

Pair = tuple[np.ndarray, np.ndarray]
LabelledPair = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # x, labels(x), y, labels(y)


def _normalise(M: np.ndarray) -> np.ndarray:
    """Positive affine image of ``M`` in [1, 2]: same best responses, positive payoffs, O(1) scale."""
    lo, span = M.min(), np.ptp(M)
    return np.ones_like(M) if span == 0 else 1.0 + (M - lo) / span


def extreme_equilibria(A: np.ndarray, B: np.ndarray, tol: float = 1e-9) -> list[Pair]:
    """Completely labelled vertex pairs of the bimatrix game ``(A, B)``, as normalised strategy pairs."""
    m, n = A.shape
    if n < m:  # enumerate the smaller polytope: swap the players
        return [(x, y) for y, x in extreme_equilibria(B.T, A.T, tol)]
    # fresh writable copies: numba dispatches read-only arrays (game payoffs are read-only) on a slow path
    A, B = np.array(A, dtype=np.float64, order="C"), np.array(B, dtype=np.float64, order="C")
    fast = _fast_path(A, B, tol)
    if fast is not None:
        return fast
    A1, B1 = _normalise(A), _normalise(B)
    GP, hP, GQ, hQ = _constraints(A1, B1)
    interior = np.full(m, 0.5 / B1.sum(axis=0).max())
    VP = vertices(GP, hP, interior, tol)
    VP = Vertices(VP.points[~VP.tight[:, :m].all(axis=1)], VP.tight[~VP.tight[:, :m].all(axis=1)])
    pairs = None
    if not (VP.tight.sum(axis=1) > m).any():
        pairs = _partners(A1, VP, tol)
    if pairs is None:
        VQ = vertices(GQ, hQ, np.full(n, 0.5 / A1.sum(axis=1).max()), tol)
        VQ = Vertices(VQ.points[~VQ.tight[:, m:].all(axis=1)], VQ.tight[~VQ.tight[:, m:].all(axis=1)])
        pairs = _match(VP, VQ)
    if not pairs:
        return []
    # exact coordinates from each vertex's tight equations
    TX, TY = np.array([p[1] for p in pairs]), np.array([p[3] for p in pairs])
    X = np.clip(refine(GP, hP, TX), 0, None)
    Y = np.clip(refine(GQ, hQ, TY), 0, None)
    X[TX[:, :m]] = 0.0  # labels that say "unplayed" are exact zeros
    Y[TY[:, m:]] = 0.0
    return [(x / x.sum(), y / y.sum()) for x, y in zip(X, Y)]


def _fast_path(A: np.ndarray, B: np.ndarray, tol: float) -> list[Pair] | None:
    """One Qhull run plus the numba partner kernel; None when the game looks degenerate (or no numba/Qhull)."""
    m, n = A.shape
    kernel = _kernel("facet_equilibria")
    if kernel is None or m < 2 or comb(m + n, m) <= BRUTE_FORCE_LIMIT:
        return None
    A1, B1, interior, pts = _kernel("polar_points")(A, B)
    try:
        eqs = ConvexHull(pts, qhull_options=QHULL_OPTIONS).equations
    except (QhullError, ValueError):
        return None
    status, X, Y = kernel(eqs, interior, A1, B1, tol, 1e-9)
    if status:
        return None
    return list(zip(X, Y))


def _constraints(A1: np.ndarray, B1: np.ndarray) -> tuple[np.ndarray, ...]:
    """``P = {x : G_P x <= h_P}`` and ``Q = {y : G_Q y <= h_Q}``, constraint k carrying label k."""
    m, n = A1.shape
    GP = np.vstack([-np.eye(m), B1.T])
    hP = np.r_[np.zeros(m), np.ones(n)]
    GQ = np.vstack([A1, -np.eye(n)])
    hQ = np.r_[np.ones(m), np.zeros(n)]
    return GP, hP, GQ, hQ


def _partners(A1: np.ndarray, VP: Vertices, tol: float) -> list[LabelledPair] | None:
    """Nondegenerate vertices of P: solve for each one's unique complementary y; None if a system is singular."""
    kernel = _kernel("partners")
    if kernel is not None:
        status, Y, ok = kernel(A1, VP.tight, tol, 1e-9)
        if status:
            return None
        tight_y = np.concatenate([(1.0 - Y[ok] @ A1.T) <= tol, Y[ok] <= tol], axis=1)
        return [(x, tx, y, ty) for x, tx, y, ty in zip(VP.points[ok], VP.tight[ok], Y[ok], tight_y)]
    return _partners_numpy(A1, VP, tol)


def _kernel(name: str):
    """A numba kernel from :mod:`._kernels`, or None when numba is unavailable (then numpy code runs)."""
    if name not in _KERNELS:
        try:
            from . import _kernels
            _KERNELS[name] = getattr(_kernels, name)
        except ImportError:  # pragma: no cover - numba is a dependency; keep working without it
            _KERNELS[name] = None
    return _KERNELS[name]


_KERNELS: dict = {}


def _partners_numpy(A1: np.ndarray, VP: Vertices, tol: float) -> list[LabelledPair] | None:
    """Same as the numba kernel, one batched matrix inverse per support size."""
    m, n = A1.shape
    supp = ~VP.tight[:, :m]
    br = VP.tight[:, m:]
    k = supp.sum(axis=1)
    if np.any(k != br.sum(axis=1)):
        return None
    pairs: list[LabelledPair] = []
    for size in np.unique(k[k > 0]):
        sel = np.flatnonzero(k == size)
        rows = np.nonzero(supp[sel])[1].reshape(-1, size)
        cols = np.nonzero(br[sel])[1].reshape(-1, size)
        M = A1[rows[:, :, None], cols[:, None, :]]
        try:
            Minv = np.linalg.inv(M)
        except np.linalg.LinAlgError:
            return None
        # condition number in the infinity norm; A1 has entries in [1, 2] so ||M|| <= 2 * size
        if np.abs(Minv).sum(axis=2).max() * 2 * size > 1e9:
            return None
        ys = Minv.sum(axis=2)  # M^{-1} 1
        ok = ys.min(axis=1) >= -tol
        if not ok.any():
            continue
        sel, cols, ys = sel[ok], cols[ok], ys[ok]
        y = np.zeros((len(sel), n))
        np.put_along_axis(y, cols, ys, axis=1)
        slack = 1.0 - y @ A1.T
        ok = slack.min(axis=1) >= -tol
        tight_y = np.concatenate([slack <= tol, y <= tol], axis=1)
        pairs += [(VP.points[s], VP.tight[s], yy, ty) for s, yy, ty in zip(sel[ok], y[ok], tight_y[ok])]
    return pairs


def _match(VP: Vertices, VQ: Vertices, chunk: int = 512) -> list[LabelledPair]:
    """Every vertex pair whose label sets cover all ``m + n`` labels (chunked broadcast over bitmasks)."""
    K = VP.tight.shape[1]
    if len(VP.points) == 0 or len(VQ.points) == 0:
        return []
    full = label_keys(np.ones((1, K), dtype=bool))[0]
    need = full & ~label_keys(VP.tight)  # labels x lacks
    lacks = ~label_keys(VQ.tight)
    pairs: list[LabelledPair] = []
    for start in range(0, len(need), chunk):
        block = need[start:start + chunk]
        ok = np.all((block[:, None, :] & lacks[None, :, :]) == 0, axis=2)
        for a, b in zip(*np.nonzero(ok)):
            pairs.append((VP.points[start + a], VP.tight[start + a], VQ.points[b], VQ.tight[b]))
    return pairs


@register("vertex", players="2", complete=True,
          summary="all extreme equilibria by vertex enumeration (exact on degenerate games)")
def _vertex_profiles(game: NormalFormGame, tol: float = 1e-9) -> list[Pair]:
    """The registered method: raw profiles, certified once by :func:`activeq.nash.solve`.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game.
    tol : float
        Slack below which a constraint of the (unit-scaled) best-response polytopes counts as tight, in (0, 1).

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        Every extreme equilibrium.
    """
    _check_game(game)
    tol = check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True)
    A, B = game.payoffs
    return extreme_equilibria(A, B, tol)


def vertex_equilibria(game: NormalFormGame, tol: float = 1e-9) -> list[Equilibrium]:
    """Every extreme Nash equilibrium of a 2-player game (the vertices of all equilibrium components)."""
    return certify(game, _vertex_profiles(game, tol), "vertex")
