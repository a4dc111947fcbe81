"""Finite Markov chains: class structure, stationary laws, gain and bias.

A chain is a row-stochastic matrix ``P`` (dense ``numpy`` array or ``scipy.sparse``), ``P[s, s']`` the
probability of moving from ``s`` to ``s'``. Everything here is exact up to floating point and uses direct
(sparse LU) solves, never eigen-decompositions, so it scales to chains with 1e5+ states.

Math (Puterman 1994, App. A and ch. 8-9):

* closed recurrent classes = strongly connected components with no edge leaving them; the other states are
  transient;
* on a closed class C the stationary law solves ``pi_C (I - P_CC) = 0, sum pi_C = 1`` (unique, also for a
  periodic class, where it is the Cesaro limit ``lim (1/T) sum_t P^t``);
* the gain ``g = P* r`` (``P*`` the Cesaro limit matrix) and the bias ``h`` solve
  ``g = P g``, ``g + h = r + P h``, ``P* h = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla

from .._checks import as_float_array, check_bool
from ..errors import ArgumentError, ChainError

STOCHASTIC_TOL = 1e-9
DENSE_SOLVE_LIMIT = 400  # below this many states a dense LU is faster than a sparse one

__all__ = ["ChainStructure", "StationaryDistributions", "GainBias", "as_chain", "recurrent_classes",
           "stationary_distribution", "gain_bias"]


# --------------------------------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------------------------------
def as_chain(P: Any, name: str = "P", tol: float = STOCHASTIC_TOL) -> sp.csr_matrix:
    """``P`` as a validated row-stochastic CSR matrix (copy), else ChainError saying what is wrong.

    Accepts dense arrays (anything ``numpy.asarray`` takes) and any ``scipy.sparse`` matrix or array. Entries
    in ``[-tol, 0)`` are clipped to 0 and rows renormalised; larger violations raise.
    """
    if sp.issparse(P):
        M = sp.csr_matrix(P, dtype=np.float64, copy=True)
        if M.ndim != 2:
            raise ChainError(f"{name} must be a 2-D transition matrix, got ndim {M.ndim}")
        M.sum_duplicates()
        data = M.data
        if not np.all(np.isfinite(data)):
            raise ChainError(f"{name} must be finite, found {data[~np.isfinite(data)][0]}")
    else:
        arr = as_float_array(P, name, ndim=2, error=ChainError)
        M = sp.csr_matrix(arr)
        M.sum_duplicates()
    n, m = M.shape
    if n != m:
        raise ChainError(f"{name} must be square (n_states x n_states), got shape {M.shape}")
    if n == 0:
        raise ChainError(f"{name} must have at least one state")
    if M.nnz and M.data.min() < -tol:
        k = int(np.argmin(M.data))
        row = int(np.searchsorted(M.indptr, k, side="right") - 1)
        raise ChainError(f"{name} must be non-negative, got {M.data[k]:.3g} at ({row}, {int(M.indices[k])})")
    M.data = np.clip(M.data, 0.0, None)
    M.eliminate_zeros()
    sums = np.asarray(M.sum(axis=1)).ravel()
    bad = np.abs(sums - 1.0) > tol * max(1.0, np.sqrt(n))
    if bad.any():
        s = int(np.flatnonzero(bad)[0])
        raise ChainError(f"{name} must be row-stochastic (each row sums to 1 within {tol:g}); "
                         f"row {s} sums to {sums[s]:.12g}")
    M = sp.csr_matrix(sp.diags(1.0 / sums) @ M)
    M.sort_indices()
    return M


def _matrix(P: Any, name: str = "P") -> np.ndarray | sp.csr_matrix:
    """Validated chain, dense ``ndarray`` when it has at most DENSE_SOLVE_LIMIT states (fast small solves)."""
    if not sp.issparse(P):
        arr = as_float_array(P, name, ndim=2, error=ChainError)
        if arr.shape[0] == arr.shape[1] and 0 < arr.shape[0] <= DENSE_SOLVE_LIMIT:
            n = arr.shape[0]
            if arr.min() < -STOCHASTIC_TOL:
                idx = tuple(int(v) for v in np.unravel_index(np.argmin(arr), arr.shape))
                raise ChainError(f"{name} must be non-negative, got {arr.min():.3g} at {idx}")
            sums = arr.sum(axis=1)
            bad = np.abs(sums - 1.0) > STOCHASTIC_TOL * max(1.0, np.sqrt(n))
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise ChainError(f"{name} must be row-stochastic (each row sums to 1 within {STOCHASTIC_TOL:g}); "
                                 f"row {k} sums to {sums[k]:.12g}")
            arr = np.clip(arr, 0.0, None)
            return arr / arr.sum(axis=1, keepdims=True)
    M = as_chain(P, name)
    return M.toarray() if M.shape[0] <= DENSE_SOLVE_LIMIT else M


def _sub(M: np.ndarray | sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray | sp.csr_matrix:
    if isinstance(M, np.ndarray):
        return M[np.ix_(rows, cols)]
    return M[rows][:, cols]


def _eye_minus(M: np.ndarray | sp.csr_matrix) -> np.ndarray | sp.csr_matrix:
    if isinstance(M, np.ndarray):
        return np.eye(M.shape[0]) - M
    return sp.csr_matrix(sp.identity(M.shape[0], format="csr") - M)


def _reward_vector(r: Any, n: int, name: str = "r") -> np.ndarray:
    vec = as_float_array(r, name, error=ArgumentError)
    if vec.shape != (n,):
        raise ArgumentError(f"{name} must have shape ({n},) (one reward per state), got {vec.shape}")
    return vec


# --------------------------------------------------------------------------------------------------
# class structure
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainStructure:
    """Communicating-class structure of a chain.

    ``classes[k]`` are the (sorted) states of the k-th closed recurrent class, ``periods[k]`` its period
    (1 = aperiodic); ``transient`` the remaining states; ``labels[s]`` the class index of ``s`` or -1 if transient.
    """

    classes: tuple[np.ndarray, ...]
    periods: tuple[int, ...]
    transient: np.ndarray
    labels: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def is_unichain(self) -> bool:
        """One closed recurrent class (plus possibly transient states)."""
        return len(self.classes) == 1

    @property
    def is_irreducible(self) -> bool:
        return len(self.classes) == 1 and self.transient.size == 0

    @property
    def is_aperiodic(self) -> bool:
        return all(p == 1 for p in self.periods)


def _gcd_of(diffs: np.ndarray) -> int:
    g = int(np.gcd.reduce(np.abs(diffs.astype(np.int64)))) if diffs.size else 0
    return g if g > 0 else 1


def _period(M: np.ndarray | sp.csr_matrix, states: np.ndarray) -> int:
    """Period of an irreducible class: gcd over its edges (u, v) of level(u) + 1 - level(v), BFS levels."""
    if states.size == 1:
        return 1
    sub = M if states.size == M.shape[0] else _sub(M, states, states)
    if (sub.diagonal() > 0).any():  # a self-loop: aperiodic
        return 1
    if isinstance(sub, np.ndarray):
        adj = sub > 0
        level = np.full(states.size, -1, dtype=np.int64)
        level[0] = 0
        frontier = np.zeros(states.size, dtype=bool)
        frontier[0] = True
        depth = 0
        while frontier.any():
            depth += 1
            nxt = adj[frontier].any(axis=0) & (level < 0)
            level[nxt] = depth
            frontier = nxt
        u, v = np.nonzero(adj)
    else:
        level = csgraph.shortest_path(sub, method="D", unweighted=True, indices=0).astype(np.int64)
        coo = sub.tocoo()
        u, v = coo.row, coo.col
    return _gcd_of(level[u] + 1 - level[v])


def recurrent_classes(P: Any) -> ChainStructure:
    """Closed recurrent classes, their periods and the transient states of the chain ``P``.

    Strongly connected components (``scipy.sparse.csgraph``) that no edge leaves are the closed classes;
    cost O(n + nnz) plus one BFS per class for the period.
    """
    return _structure(_matrix(P))


def _dense_graph(M: np.ndarray) -> sp.csr_matrix:
    """The support of a small dense chain as a CSR graph (direct construction: cheap for repeated calls)."""
    adj = M > 0
    rows, cols = np.nonzero(adj)
    indptr = np.zeros(M.shape[0] + 1, dtype=np.int32)
    np.cumsum(adj.sum(axis=1), out=indptr[1:])
    return sp.csr_matrix((np.ones(cols.size), cols.astype(np.int32), indptr), shape=M.shape)


def _structure(M: np.ndarray | sp.csr_matrix) -> ChainStructure:
    n = M.shape[0]
    graph = _dense_graph(M) if isinstance(M, np.ndarray) else M
    n_comp, comp = csgraph.connected_components(graph, directed=True, connection="strong")
    open_comp = np.zeros(n_comp, dtype=bool)
    if n_comp > 1:
        if isinstance(M, np.ndarray):
            leaving_rows = ((M > 0) & (comp[:, None] != comp[None, :])).any(axis=1)
            open_comp[comp[leaving_rows]] = True
        else:
            coo = M.tocoo()
            leaving = comp[coo.row] != comp[coo.col]
            open_comp[comp[coo.row[leaving]]] = True
    closed_ids = np.flatnonzero(~open_comp)
    # order classes by their smallest state, so results are deterministic and readable
    first = np.full(n_comp, n)
    np.minimum.at(first, comp, np.arange(n))
    closed_ids = closed_ids[np.argsort(first[closed_ids])]
    labels = np.full(n, -1, dtype=np.int64)
    classes = []
    for k, c in enumerate(closed_ids):
        members = np.flatnonzero(comp == c)
        labels[members] = k
        classes.append(members)
    periods = tuple(_period(M, c) for c in classes)
    transient = np.flatnonzero(labels < 0)
    for a in classes:
        a.setflags(write=False)
    transient.setflags(write=False)
    labels.setflags(write=False)
    return ChainStructure(tuple(classes), periods, transient, labels)


# --------------------------------------------------------------------------------------------------
# linear solves
# --------------------------------------------------------------------------------------------------
def _solve(A: np.ndarray | sp.spmatrix, b: np.ndarray) -> np.ndarray:
    """Solve ``A x = b`` (b 1-D or 2-D) with a dense LU for small systems, sparse LU (SuperLU) otherwise."""
    if A.shape[0] == 0:
        return np.zeros((0,) + b.shape[1:])
    if isinstance(A, np.ndarray):
        return np.linalg.solve(A, b)
    if A.shape[0] <= DENSE_SOLVE_LIMIT:
        return np.linalg.solve(A.toarray(), b)
    lu = spla.splu(sp.csc_matrix(A))
    return lu.solve(np.asarray(b, dtype=np.float64))


POWER_FIRST_LIMIT = 2_000  # larger classes first try a few hundred lazy power steps (fast-mixing chains)


def _power_stationary(sub: sp.csr_matrix, iters: int = 300, tol: float = 1e-12) -> np.ndarray | None:
    """Lazy power iteration ``x <- x (I + P) / 2`` from the uniform law; returns the limit only when the error
    bound ``residual / (1 - observed contraction rate)`` falls below ``tol`` within ``iters`` steps, else None
    (then the caller does the exact LU solve). Sparse LU of expander-like chains fills in badly; those mix fast."""
    m = sub.shape[0]
    PT = sp.csr_matrix(sub.T)
    x = np.full(m, 1.0 / m)
    prev = None
    for _ in range(iters):
        y = 0.5 * (x + PT @ x)
        res = float(np.abs(y - x).sum())
        x = y
        if prev is not None and prev > 0:
            rate = res / prev
            if rate < 0.999 and res / (1.0 - rate) < tol:
                x = np.clip(x, 0.0, None)
                return x / x.sum()
        if res == 0.0:
            return x / x.sum()
        prev = res
    return None


def _stationary_from(sub: Any, k: int, m: int) -> np.ndarray:
    """Normalised solution of ``pi_{-k} (I - P_{-k,-k}) = P_{k,-k}`` with ``pi_k = 1`` (clipped at 0)."""
    rest = np.r_[0:k, k + 1:m]
    A = _eye_minus(_sub(sub, rest, rest))
    b = sub[k, rest] if isinstance(sub, np.ndarray) else np.asarray(sub[k][:, rest].todense()).ravel()
    x = _solve(A.T if isinstance(A, np.ndarray) else sp.csr_matrix(A.T), b)
    pi = np.empty(m)
    pi[k] = 1.0
    pi[rest] = x
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def _class_stationary(M: sp.csr_matrix, states: np.ndarray) -> np.ndarray:
    """Stationary law of an irreducible class: fix pi_k = 1 for a reference state k and solve the
    non-singular M-matrix system ``pi_{-k} (I - P_{-k,-k}) = P_{k,-k}``, then normalise."""
    m = states.size
    if m == 1:
        return np.ones(1)
    sub = M if m == M.shape[0] else _sub(M, states, states)
    # doubly stochastic (columns sum to 1 too) and irreducible: the uniform law, exactly
    colsum = np.asarray(sub.sum(axis=0)).ravel()
    if np.abs(colsum - 1.0).max() <= 1e-12 * max(1.0, np.sqrt(m)):
        return np.full(m, 1.0 / m)
    if m > POWER_FIRST_LIMIT and not isinstance(sub, np.ndarray):
        pi = _power_stationary(sub)
        if pi is not None:
            return pi
    # Fix pi_k = 1 at a reference state k of (near-)maximal mass: with a low-mass reference (pi_k ~ 1e-50 in
    # near-deterministic chains draining away from k) the reduced system is numerically singular and the solve
    # returns garbage. Start at state 0 and re-solve from the heaviest state until the reference is (nearly) it.
    k = 0
    pi = _stationary_from(sub, k, m)
    PT = sp.csr_matrix(sub.T) if not isinstance(sub, np.ndarray) else sub.T
    for attempt in range(3):
        res = float(np.abs(PT @ pi - pi).sum())
        top = int(np.argmax(pi))
        if res <= 1e-10 * max(1.0, np.sqrt(m)):
            break
        if attempt == 0:  # reference by lazy power iteration: mass piles up where the chain drains to
            y = np.full(m, 1.0 / m)
            for _ in range(min(20 * m, 20_000)):
                y = 0.5 * (y + PT @ y)
            top = int(np.argmax(y))
        k = top
        pi = _stationary_from(sub, k, m)
    return pi


@dataclass(frozen=True)
class StationaryDistributions:
    """All stationary laws of a (possibly reducible) chain: one per closed recurrent class.

    ``distributions[k]`` (length ``n_states``) is supported on ``structure.classes[k]``; every stationary law
    of the chain is a convex combination of these rows.
    """

    distributions: np.ndarray
    structure: ChainStructure

    @property
    def classes(self) -> tuple[np.ndarray, ...]:
        return self.structure.classes

    @property
    def is_unique(self) -> bool:
        return self.structure.is_unichain


def stationary_distribution(P: Any, *, unique: bool = True) -> np.ndarray | StationaryDistributions:
    """Stationary law(s) ``pi = pi P`` of the chain ``P`` (dense or scipy.sparse).

    With ``unique=True`` (default) returns the one stationary distribution as an array ``(n,)`` (zero on
    transient states) and raises ChainError if the chain has more than one closed recurrent class. With
    ``unique=False`` returns :class:`StationaryDistributions`, one law per closed class. Periodic classes are
    fine: the result is the Cesaro limit of ``P^t`` restricted to the class. Direct sparse LU solve per class.
    """
    unique = check_bool(unique, "unique")
    M = _matrix(P)
    struct = _structure(M)
    if unique and struct.n_classes > 1:
        sizes = ", ".join(str(c.size) for c in struct.classes[:5])
        raise ChainError(f"P has no unique stationary distribution: {struct.n_classes} closed recurrent classes "
                         f"(sizes {sizes}{', ...' if struct.n_classes > 5 else ''}); "
                         f"pass unique=False to get one distribution per class")
    if unique:
        return _stationary_rows(M, struct)[0]
    dists = _stationary_rows(M, struct)
    dists.setflags(write=False)
    return StationaryDistributions(dists, struct)


def _stationary_rows(M: np.ndarray | sp.csr_matrix, struct: ChainStructure) -> np.ndarray:
    n = M.shape[0]
    dists = np.zeros((struct.n_classes, n))
    for k, states in enumerate(struct.classes):
        dists[k, states] = _class_stationary(M, states)
    return dists


# --------------------------------------------------------------------------------------------------
# gain and bias
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GainBias:
    """Gain ``g`` (long-run average reward from each start state) and bias ``h`` (differential values).

    They solve ``g = P g``, ``g + h = r + P h`` with the normalisation ``P* h = 0`` (so ``pi . h = 0`` on every
    recurrent class); ``h(s) - h(s')`` is the extra total reward of starting in ``s`` rather than ``s'``.
    """

    gain: np.ndarray
    bias: np.ndarray
    structure: ChainStructure

    @property
    def is_unichain(self) -> bool:
        return self.structure.is_unichain

    @property
    def scalar_gain(self) -> float:
        """The common gain of a unichain; ChainError if the gain differs between states."""
        g = self.gain
        if np.ptp(g) > 1e-9 * max(1.0, np.abs(g).max()):
            raise ChainError(f"the gain is not constant across states (from {g.min():.6g} to {g.max():.6g}); "
                             f"use .gain for the per-state values")
        return float(g.mean())


def gain_bias(P: Any, r: Any) -> GainBias:
    """Gain and bias of the reward ``r`` (shape ``(n,)``) under the chain ``P``: unichain and multichain.

    Per closed class C with stationary law pi_C: ``g_C = pi_C . r_C`` and ``h_C`` solves
    ``(I - P_CC) h_C = r_C - g_C`` with ``pi_C . h_C = 0``; on transient states T,
    ``(I - P_TT) g_T = P_TR g_R`` and ``(I - P_TT) h_T = r_T - g_T + P_TR h_R``. All direct sparse solves.
    """
    M = _matrix(P)
    n = M.shape[0]
    rv = _reward_vector(r, n)
    struct = _structure(M)
    g = np.zeros(n)
    h = np.zeros(n)
    for states in struct.classes:
        pi = _class_stationary(M, states)
        rc = rv[states]
        gc = float(pi @ rc)
        g[states] = gc
        m = states.size
        if m == 1:
            continue
        # h_k = 0 at a heaviest reference state k (a low-mass k makes I - P_{-k,-k} numerically singular),
        # then shift so that pi . h = 0
        sub = M if m == n else _sub(M, states, states)
        k = int(np.argmax(pi))
        rest = np.r_[0:k, k + 1:m]
        hc = np.zeros(m)
        hc[rest] = _solve(_eye_minus(_sub(sub, rest, rest)), rc[rest] - gc)
        h[states] = hc - pi @ hc
    T = struct.transient
    if T.size:
        R = np.flatnonzero(struct.labels >= 0)
        A = _eye_minus(_sub(M, T, T))
        PTR = _sub(M, T, R)
        g[T] = _solve(A, PTR @ g[R])
        h[T] = _solve(A, rv[T] - g[T] + PTR @ h[R])
    g.setflags(write=False)
    h.setflags(write=False)
    return GainBias(g, h, struct)
