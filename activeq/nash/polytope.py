"""Vertices of a bounded polytope ``{x : G x <= h}`` with their tight-constraint sets (labels).

Used by the 2-player enumeration methods. Two engines:

* polar convex hull (Qhull, via :class:`scipy.spatial.ConvexHull`): shift an interior point ``c`` to the origin,
  then the vertices of ``{x' : g_k . x' <= 1}`` (with ``g_k = G_k / (h_k - G_k c)``) are the facets of
  ``conv{g_k}``: a facet ``n . p + d = 0`` gives the vertex ``x' = -n / d``;
* brute force for small problems or when Qhull refuses (dimension 1, precision trouble): every choice of ``dim``
  constraints, one batched linear solve, keep the feasible solutions.

Either way each vertex's tight set is recomputed from the constraints with a tolerance, so degenerate vertices
(more than ``dim`` tight constraints) carry *all* their labels, and the coordinates of vertices with exactly
``dim`` tight constraints are refined by an exact solve of those equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np
from scipy.spatial import ConvexHull, QhullError

#: Below this many constraint subsets, brute force is as fast as Qhull and immune to its precision handling.
BRUTE_FORCE_LIMIT = 60
#: Triangulated output; exact pre-merges keep Qhull's facets true to the input (degenerate vertices are then
#: several simplicial facets with one hyperplane, which :func:`_finish` folds back into one vertex).
QHULL_OPTIONS = "Qt Qx"


@dataclass(frozen=True)
class Vertices:
    """Vertices ``points`` (V x dim) of ``{x : G x <= h}`` and their tight sets ``tight`` (V x K booleans)."""

    points: np.ndarray
    tight: np.ndarray


def vertices(G: np.ndarray, h: np.ndarray, interior: np.ndarray, tol: float = 1e-9,
             engine: str = "auto") -> Vertices:
    """All vertices of the bounded, full-dimensional polytope ``{x : G x <= h}``.

    ``interior`` must satisfy ``G @ interior < h`` strictly. ``tol`` is the slack below which a constraint
    counts as tight (the caller scales the problem so that O(1) slacks are meaningful).
    """
    K, dim = G.shape
    if engine == "auto":
        engine = "brute" if dim < 2 or comb(K, dim) <= BRUTE_FORCE_LIMIT else "hull"
    if engine == "hull":
        try:
            pts = _hull_points(G, h, interior)
        except QhullError:
            pts = None
        if pts is None:
            engine = "brute"
        else:
            return _finish(G, h, pts, tol)
    return _finish(G, h, _brute_points(G, h, tol), tol)


def hull_equations(G: np.ndarray, h: np.ndarray, interior: np.ndarray) -> np.ndarray:
    """Facet equations ``[n, d]`` of the polar hull ``conv{G_k / (h_k - G_k c)}``; vertex = ``c - n / d``."""
    slack = h - G @ interior
    if slack.min() <= 0:
        raise ValueError("interior point is not strictly inside the polytope")
    return ConvexHull(G / slack[:, None], qhull_options=QHULL_OPTIONS).equations


def _hull_points(G: np.ndarray, h: np.ndarray, interior: np.ndarray) -> np.ndarray | None:
    eq = hull_equations(G, h, interior)
    d = eq[:, -1]
    if np.any(d >= 0):  # origin not strictly inside: the polytope was unbounded or not full-dimensional
        return None
    return interior + eq[:, :-1] / (-d[:, None])


def _brute_points(G: np.ndarray, h: np.ndarray, tol: float) -> np.ndarray:
    K, dim = G.shape
    idx = np.array(list(combinations(range(K), dim)), dtype=np.intp).reshape(-1, dim)
    M = G[idx]  # (C, dim, dim)
    rhs = h[idx]
    det = np.linalg.det(M)
    norms = np.prod(np.linalg.norm(M, axis=2), axis=1)
    ok = np.abs(det) > 1e-12 * np.maximum(norms, 1e-300)
    M, rhs = M[ok], rhs[ok]
    if len(M) == 0:
        return np.empty((0, dim))
    x = np.linalg.solve(M, rhs[..., None])[..., 0]
    feasible = np.all(x @ G.T <= h + tol, axis=1)
    return x[feasible]


def _finish(G: np.ndarray, h: np.ndarray, pts: np.ndarray, tol: float) -> Vertices:
    """Tight sets by tolerance; one vertex per tight set (Qhull's triangulation repeats degenerate vertices)."""
    K, dim = G.shape
    if len(pts) == 0:
        return Vertices(np.empty((0, dim)), np.empty((0, K), dtype=bool))
    tight = (h - pts @ G.T) <= tol
    _, first = np.unique(label_keys(tight), axis=0, return_index=True)
    tight, pts = tight[first], pts[first]
    keep = tight.sum(axis=1) >= dim
    return Vertices(pts[keep], tight[keep])


def refine(G: np.ndarray, h: np.ndarray, tight: np.ndarray) -> np.ndarray:
    """Exact vertices from their tight sets (V x K): solve ``G_T x = h_T`` (least squares when degenerate)."""
    V, dim = len(tight), G.shape[1]
    out = np.empty((V, dim))
    simple = tight.sum(axis=1) == dim
    if simple.any():
        rows = np.nonzero(tight[simple])[1].reshape(-1, dim)
        out[simple] = np.linalg.solve(G[rows], h[rows][..., None])[..., 0]
    for v in np.flatnonzero(~simple):
        rows = np.flatnonzero(tight[v])
        out[v] = np.linalg.lstsq(G[rows], h[rows], rcond=None)[0]
    return out


def label_keys(tight: np.ndarray) -> np.ndarray:
    """Boolean label sets (V x K) packed as V x ceil(K/64) uint64 words (bit k of word k//64 = label k)."""
    V, K = tight.shape
    W = -(-K // 64)
    packed = np.zeros((V, 8 * W), dtype=np.uint8)
    packed[:, :-(-K // 8)] = np.packbits(tight, axis=1, bitorder="little")
    return packed.view("<u8")
