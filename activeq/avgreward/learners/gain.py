"""Gain of a policy's chain on the learned model, and the gains of one-row changes ("what if pi(s) were a?").

For a chain ``P`` with a unique stationary law ``mu`` and rewards ``r`` the gain is ``g = mu . r``. Let ``C`` be
``I - P`` with its last column replaced by ones: ``mu C = e_last``, so ``mu`` is the last row of ``C^{-1}``.
Replacing row ``s`` of ``P`` by ``p'`` (and ``r_s`` by ``r'_s``) changes ``C`` by the rank-one term ``-e_s v^T``
with ``v = p' - P[s]`` (last entry zeroed). Sherman-Morrison then gives, with ``x = C^{-1} r`` and
``y = C^{-1} e_s``,

    mu'_s = mu_s / (1 - v.y),        g' = g + mu'_s (r'_s - r_s + v.x),

so every candidate row at ``s`` costs O(S) once ``x``, ``y`` are known. Committing a row change is a rank-one
update of ``C^{-1}``: :class:`FastChainGain` keeps the updates in low-rank form and folds them in with one
matrix product every few commits, and exploits the sparse-plus-constant rows of a counts model, so a commit costs
O(S (support + pending updates)) plus an amortised BLAS-3 fold instead of an O(S^2) memory sweep.
:class:`DenseChainGain` is the straightforward reference (one dense O(S^3) solve per candidate). Both produce the
same numbers up to round-off.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import blas

from ..._checks import check_choice, check_positive_int
from ...errors import ChainError
from .base import Stateful

SOLVERS = ("fast", "dense")


def _bordered(P: np.ndarray) -> np.ndarray:
    """``I - P`` with the last column replaced by ones."""
    C = np.eye(P.shape[0]) - P
    C[:, -1] = 1.0
    return C


def stationary_dense(P: np.ndarray) -> np.ndarray:
    """Stationary law of an irreducible chain by one dense solve of ``mu (I - P) = 0, sum(mu) = 1``."""
    S = P.shape[0]
    e = np.zeros(S)
    e[-1] = 1.0
    try:
        return np.linalg.solve(_bordered(P).T, e)
    except np.linalg.LinAlgError:
        raise ChainError("the model chain has no unique stationary distribution") from None


def _differential_values(P: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``h`` with ``(I - P) h = r - g 1`` and ``h[-1] = 0``, by one dense solve of ``C (h; g) = r``."""
    x = np.linalg.solve(_bordered(P), r)
    x[-1] = 0.0
    return x


def greedy_choice(values: np.ndarray, current: int, tol: float = 1e-9) -> int:
    """Argmax of ``values`` treating values within ``tol * max(1, |max|)`` of the best as ties.

    Ties keep ``current`` if it is among them, else take the lowest index: a deterministic rule that the dense
    and fast solvers share, so round-off differences far below ``tol`` cannot change a decision.
    """
    best = values.max()
    ties = values >= best - tol * max(1.0, abs(best))
    if ties[current]:
        return int(current)
    return int(np.argmax(ties))


class ChainGain(Stateful):
    """Holds ``P`` (S x S) and ``r`` (S) of the current policy on the model; see the module docstring."""

    def __init__(self, P: np.ndarray, r: np.ndarray):
        self.P = np.array(P, dtype=float)
        self.r = np.array(r, dtype=float)

    @property
    def num_states(self) -> int:
        return self.P.shape[0]

    def set_row(self, s: int, row: np.ndarray, reward: float) -> None:
        raise NotImplementedError

    def candidate_gains(self, s: int, rows: np.ndarray, rewards: np.ndarray) -> np.ndarray:
        """Gain of the chain with row ``s`` replaced by ``rows[k]`` and ``r[s]`` by ``rewards[k]``, for each k."""
        raise NotImplementedError

    def stationary(self) -> np.ndarray:
        raise NotImplementedError

    def gain(self) -> float:
        return float(self.stationary() @ self.r)

    def differential_values(self) -> np.ndarray:
        """Values ``h`` with ``(I - P) h = r - g 1`` up to an additive constant (here ``h[-1] = 0``)."""
        raise NotImplementedError

    def differential_values_if(self, s: int, row: np.ndarray, reward: float) -> np.ndarray:
        """:meth:`differential_values` of the chain with row ``s`` replaced by ``row`` and ``r[s]`` by ``reward``,
        without changing this chain (the what-if a policy-gradient step needs before it commits its new row)."""
        P = self.P.copy()
        P[s] = row
        r = self.r.copy()
        r[s] = reward
        return _differential_values(P, r)


class DenseChainGain(ChainGain):
    """The straightforward reference: every query re-solves dense ``S x S`` systems from scratch."""

    def set_row(self, s: int, row: np.ndarray, reward: float) -> None:
        self.P[s] = row
        self.r[s] = reward

    def candidate_gains(self, s: int, rows: np.ndarray, rewards: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape[0])
        for k in range(rows.shape[0]):
            P = self.P.copy()
            P[s] = rows[k]
            r = self.r.copy()
            r[s] = rewards[k]
            out[k] = stationary_dense(P) @ r
        return out

    def stationary(self) -> np.ndarray:
        return stationary_dense(self.P)

    def differential_values(self) -> np.ndarray:
        return _differential_values(self.P, self.r)


class FastChainGain(ChainGain):
    """Rank-one (Sherman-Morrison) maintenance of ``C^{-1}``, applied lazily and exploiting sparse row changes.

    ``C^{-1} = B + U Z`` with ``B`` a dense base and ``U Z`` the last ``j < fold_every`` rank-one updates; the
    updates are folded into ``B`` with one matrix product (BLAS-3) every ``fold_every`` commits instead of one
    O(S^2) memory sweep (BLAS-2 ``dger``) per commit. A committed row change ``v`` is "sparse plus a constant"
    for a counts model with a uniform prior (the prior mass is the same outside the observed next states), so
    ``v^T C^{-1} = c 1^T C^{-1} + sum_{j in supp} v'_j C^{-1}[j]`` costs ``O(S (|supp| + j))`` with ``w = 1^T C^{-1}``
    kept up to date; dense changes fall back to a full product. ``mu`` (the last row), ``w`` and ``x = C^{-1} r``
    are updated exactly at every commit. ``C^{-1}`` is re-inverted from scratch every ``refresh_every`` commits
    (default ``max(50, 4 S)``) and whenever an update is ill-conditioned, so round-off cannot accumulate.
    ``lazy=False`` applies every update at once (one in-place ``dger``): fewer calls, faster below a few hundred
    states, which is what ``lazy=None`` picks (lazy from ``LAZY_FROM`` states on).
    """

    LAZY_FROM = 300

    def __init__(self, P: np.ndarray, r: np.ndarray, refresh_every: int | None = None, fold_every: int = 32,
                 lazy: bool | None = None):
        super().__init__(P, r)
        S = self.P.shape[0]
        self.lazy = bool(S >= self.LAZY_FROM if lazy is None else lazy)
        self.refresh_every = check_positive_int(refresh_every if refresh_every is not None else max(50, 4 * S),
                                                "refresh_every")
        self.fold_every = check_positive_int(fold_every, "fold_every")
        self.U = np.zeros((S, self.fold_every))
        self.Z = np.zeros((self.fold_every, S))
        self._refresh()

    def _refresh(self) -> None:
        try:
            self.B = np.linalg.inv(_bordered(self.P))
        except np.linalg.LinAlgError:
            raise ChainError("the model chain has no unique stationary distribution") from None
        self.pending = 0
        self.updates = 0
        self.x = self.B @ self.r
        self.mu = self.B[-1].copy()
        self.w = self.B.sum(axis=0)

    def _fold(self) -> None:
        j = self.pending
        if j:
            self.B += self.U[:, :j] @ self.Z[:j]
            self.pending = 0

    def _column(self, s: int) -> np.ndarray:
        """``C^{-1}[:, s]``."""
        j = self.pending
        return self.B[:, s] + self.U[:, :j] @ self.Z[:j, s] if j else self.B[:, s].copy()

    def _left_product(self, v: np.ndarray) -> np.ndarray:
        """``v^T C^{-1}`` using the sparse-plus-constant structure of ``v`` when it has it (lazy mode)."""
        j = self.pending
        supp = None
        if self.lazy:
            c = _background(v)
            supp = np.flatnonzero(v != c)
        if supp is None or supp.size > v.shape[0] // 4:
            z, coef, rows = v @ self.B, v, slice(None)
        else:
            coef, rows = v[supp] - c, supp
            z = c * self.w + coef @ self.B[supp]
        return z + (coef @ self.U[rows, :j]) @ self.Z[:j] if j else z

    def set_row(self, s: int, row: np.ndarray, reward: float) -> None:
        v = row - self.P[s]
        v[-1] = 0.0
        delta = reward - self.r[s]
        self.updates += 1
        z = self._left_product(v)                 # v^T C^{-1}
        denom = 1.0 - z[s]
        if self.updates >= self.refresh_every or abs(denom) < 1e-8:
            self.P[s] = row
            self.r[s] = reward
            self._refresh()
            return
        y = self._column(s) / denom
        # Sherman-Morrison: C'^{-1} = C^{-1} + y z^T, applied to x = C^{-1} r, mu = e_last^T C^{-1}, w = 1^T C^{-1}
        self.x += y * (z @ self.r + delta)
        self.mu += y[-1] * z
        if self.lazy:
            self.w += y.sum() * z           # 1^T C^{-1}: only the lazy path's sparse products use it
            self.U[:, self.pending] = y
            self.Z[self.pending] = z
            self.pending += 1
            if self.pending == self.fold_every:
                self._fold()
        else:   # B[i, k] += y_i z_k, in place through the Fortran-ordered view B^T
            blas.dger(1.0, z, y, a=self.B.T, overwrite_a=True)
        self.P[s] = row
        self.r[s] = reward

    def candidate_gains(self, s: int, rows: np.ndarray, rewards: np.ndarray) -> np.ndarray:
        mu = self.mu
        y = self._column(s)
        V = rows - self.P[s]
        V[:, -1] = 0.0
        mu_s_new = mu[s] / (1.0 - V @ y)
        g = float(mu @ self.r)
        return g + mu_s_new * (rewards - self.r[s] + V @ self.x)

    def stationary(self) -> np.ndarray:
        return self.mu.copy()

    def differential_values(self) -> np.ndarray:
        x = self.x.copy()
        x[-1] = 0.0
        return x

    def differential_values_if(self, s: int, row: np.ndarray, reward: float) -> np.ndarray:
        """Sherman-Morrison on ``x = C^{-1} r`` alone, ``x' = x + y (r'_s - r_s + v.x) / (1 - v.y)`` with
        ``y = C^{-1} e_s``: O(S) beyond one column of ``C^{-1}``, where committing the row costs a rank-one update."""
        v = row - self.P[s]
        v[-1] = 0.0
        y = self._column(s)
        denom = 1.0 - v @ y
        if abs(denom) < 1e-8:   # ill-conditioned update: solve the modified chain from scratch, as set_row would
            return super().differential_values_if(s, row, reward)
        x = self.x + y * ((reward - self.r[s] + v @ self.x) / denom)
        x[-1] = 0.0
        return x


def _background(v: np.ndarray) -> float:
    """The value most entries of ``v`` share (the prior's constant for a counts-model row change): one of the first
    three entries when two of them agree, else the median."""
    if v.shape[0] < 3:
        return float(np.median(v))
    a, b, c = v[0], v[1], v[2]
    if a == b or a == c:
        return float(a)
    if b == c:
        return float(b)
    return float(np.median(v))


def make_chain_gain(P: np.ndarray, r: np.ndarray, solver: str = "fast", refresh_every: int | None = None) -> ChainGain:
    """A :class:`FastChainGain` (``solver="fast"``) or the :class:`DenseChainGain` reference (``"dense"``)."""
    check_choice(solver, "solver", SOLVERS)
    if solver == "dense":
        return DenseChainGain(P, r)
    return FastChainGain(P, r, refresh_every)
