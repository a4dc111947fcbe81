"""Deviation payoffs of an n-player game and their derivatives, on a flat strategy vector.

A mixed profile is stored flat: ``sigma = (sigma_1, ..., sigma_n)`` of length ``N = sum_i |A_i|``.
``V(sigma)`` (length N) holds ``V_ij = u_i(j, sigma_{-i})``, the payoff of player i's pure action j against the
others' mixtures. Its Jacobian ``D = dV/dsigma`` is block structured: ``D[i, k]`` (``|A_i| x |A_k|``) is
``u_i(j, l, sigma_{-ik})`` for ``k != i`` and zero on the diagonal blocks (``V_i`` does not depend on ``sigma_i``).
Both are what the homotopy methods (logit QRE, global Newton) and the support-restricted Newton polish need.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import _path_kernels as pk  # compiled, BLAS-free: polished points are the same on every machine


class Multilinear:
    """Payoff tensor ``(n, *A)`` with helpers on flat profiles (see module docstring)."""

    def __init__(self, payoffs: np.ndarray):
        self.u = np.asarray(payoffs, dtype=np.float64)
        self.n = self.u.shape[0]
        self.sizes = tuple(int(k) for k in self.u.shape[1:])
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.N = int(self.offsets[-1])
        self.player_of = np.repeat(np.arange(self.n), self.sizes)
        self.sizes_arr = np.asarray(self.sizes, dtype=np.int64)
        self.flat_u = np.ascontiguousarray(self.u.reshape(self.n, -1))  # for the compiled kernels

    # --- flat <-> per-player -------------------------------------------------------------------
    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[self.offsets[i]:self.offsets[i + 1]] for i in range(self.n)]

    def block(self, i: int) -> slice:
        return slice(int(self.offsets[i]), int(self.offsets[i + 1]))

    # --- contractions ----------------------------------------------------------------------------
    def _contract_all_but(self, i: int, keep: Sequence[int], sigmas: Sequence[np.ndarray]) -> np.ndarray:
        """Player i's payoff tensor contracted with every sigma_j, j not in ``keep`` (axes kept in order)."""
        value = self.u[i]
        for j in reversed(range(self.n)):  # reverse order keeps the earlier axis numbers valid
            if j not in keep:
                value = np.tensordot(value, sigmas[j], axes=([j], [0]))
        return value

    def _pair_matrix(self, i: int, k: int, sigmas: Sequence[np.ndarray]) -> np.ndarray:
        """u_i contracted with every sigma_j except j in {i, k}: shape (A_lo, A_hi) for lo = min(i,k), hi = max."""
        lo, hi = min(i, k), max(i, k)
        T = self.u[i]
        for j in reversed(range(hi + 1, self.n)):
            T = T.reshape(-1, self.sizes[j]) @ sigmas[j]
        for j in range(lo):
            T = sigmas[j] @ T.reshape(self.sizes[j], -1)
        a, b = self.sizes[lo], self.sizes[hi]
        if hi - lo > 1:  # contract the players strictly between lo and hi with their joint (outer) mixture
            w = sigmas[lo + 1]
            for j in range(lo + 2, hi):
                w = np.multiply.outer(w, sigmas[j]).ravel()
            T = np.einsum("amb,m->ab", T.reshape(a, w.size, b), w)
        return T.reshape(a, b)

    def values_and_jacobian(self, flat: np.ndarray, jacobian: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """``V(sigma)`` (length N) and, when asked, ``D = dV/dsigma`` (N x N)."""
        sigmas = self.split(flat)
        V = np.empty(self.N)
        D = np.zeros((self.N, self.N)) if jacobian else None
        if self.n == 1:
            V[:] = self.u[0]
            return V, D
        for i in range(self.n):
            if not jacobian:
                return self.values(flat), None
            for k in range(self.n):
                if k == i:
                    continue
                M = self._pair_matrix(i, k, sigmas)
                if k < i:
                    M = M.T  # rows: player i's actions, columns: player k's
                D[self.block(i), self.block(k)] = M
                if k == (1 if i == 0 else 0):  # any one partner gives V_i = M sigma_k
                    V[self.block(i)] = M @ sigmas[k]
        return V, D

    def values(self, flat: np.ndarray) -> np.ndarray:
        """``V(sigma)`` alone, by reshape-and-matmul contractions (the hot path of the learning dynamics)."""
        sigmas = self.split(flat)
        V = np.empty(self.N)
        for i in range(self.n):
            T = self.u[i]
            for j in reversed(range(i + 1, self.n)):  # trailing axes: (..., A_j) @ sigma_j
                T = T.reshape(-1, self.sizes[j]) @ sigmas[j]
            for j in range(i):  # leading axes: sigma_j @ (A_j, ...)
                T = sigmas[j] @ T.reshape(self.sizes[j], -1)
            V[self.block(i)] = T
        return V

    def max_regret(self, flat: np.ndarray) -> float:
        V = self.values(flat)
        return float(max(np.max(v) - float(v @ s) for v, s in zip(self.split(V), self.split(flat))))


def support_newton(ml: Multilinear, supports: Sequence[Sequence[int]], start: np.ndarray,
                   max_iter: int = 40, ftol: float = 1e-14) -> np.ndarray | None:
    """Solve for a profile on fixed supports: every supported action of a player earns the same payoff.

    Unknowns are the probabilities on the supports; equations (per player i with support S_i, reference j0):
    ``V_ij - V_ij0 = 0`` for ``j in S_i \\ {j0}`` and ``sum_{S_i} sigma_i = 1``. Newton's method from ``start`` in
    compiled code (:func:`activeq.nash._path_kernels.support_newton`; ridge least-squares steps where the system
    is singular). Returns the flat profile, or None when Newton does not converge or a probability is clearly
    negative. Whether it is an equilibrium is for the caller.
    """
    mask = np.zeros(ml.N, dtype=bool)
    for i, S in enumerate(supports):
        mask[ml.offsets[i] + np.asarray(sorted(S), dtype=np.int64)] = True
    scale = max(1.0, float(np.ptp(ml.u)))
    ok, x = pk.support_newton(ml.flat_u, ml.sizes_arr, ml.offsets, mask, np.ascontiguousarray(start, dtype=np.float64),
                              int(max_iter), float(ftol * scale))
    return x if ok else None


def polish(ml: Multilinear, approx: np.ndarray, tol: float,
           thresholds: Sequence[float] = (1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-10)) -> tuple[np.ndarray | None, float]:
    """Turn an approximate equilibrium into one with regret <= ``tol`` (absolute) by support-restricted Newton.

    Supports are read off ``approx`` at several thresholds (probabilities above ``thr`` times the player's largest);
    the first candidate whose Newton solution has regret <= tol wins. Returns (profile or None, best regret seen).
    """
    best_x, best_reg = None, np.inf
    seen = set()
    approx = np.ascontiguousarray(approx, dtype=np.float64)
    top = np.maximum.reduceat(approx, ml.offsets[:-1])[ml.player_of]
    ftol = 1e-14 * max(1.0, float(np.ptp(ml.u)))
    for thr in thresholds:
        mask = approx > thr * top
        key = mask.tobytes()
        if key in seen:
            continue
        seen.add(key)
        ok, x = pk.support_newton(ml.flat_u, ml.sizes_arr, ml.offsets, mask, approx, 40, ftol)
        if not ok:
            continue
        reg = float(pk.max_regret(ml.flat_u, ml.sizes_arr, ml.offsets, x))
        if reg < best_reg:
            best_x, best_reg = x, reg
        if reg <= tol:
            return x, reg
    return (best_x if best_reg <= tol else None), best_reg
