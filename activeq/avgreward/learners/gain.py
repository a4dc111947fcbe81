"""Gain of a policy's chain on the learned model, and the gains of one-row changes ("what if pi(s) were a?").

For a chain ``P`` with a unique stationary law ``mu`` and rewards ``r`` the gain is ``g = mu . r``. Let ``C`` be
``I - P`` with its last column replaced by ones: ``mu C = e_last``, so ``mu`` is the last row of ``C^{-1}``.
Replacing row ``s`` of ``P`` by ``p'`` (and ``r_s`` by ``r'_s``) changes ``C`` by the rank-one term ``-e_s v^T``
with ``v = p' - P[s]`` (last entry zeroed). Sherman-Morrison then gives, with ``x = C^{-1} r`` and
``y = C^{-1} e_s``,

    mu'_s = mu_s / (1 - v.y),        g' = g + mu'_s (r'_s - r_s + v.x),

so every candidate row at ``s`` costs O(S) once ``x``, ``y`` are known, and committing a row change updates
``C^{-1}`` in O(S^2). :class:`DenseChainGain` is the straightforward reference (one dense O(S^3) solve per
candidate); :class:`FastChainGain` is the rank-one version. Both produce the same numbers up to round-off.
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
    """Stationary law of an irreducible chain by one dense solve of ``mu (I - P) = 0, mu . 1 = 1``."""
    S = P.shape[0]
    e = np.zeros(S)
    e[-1] = 1.0
    try:
        return np.linalg.solve(_bordered(P).T, e)
    except np.linalg.LinAlgError:
        raise ChainError("the model chain has no unique stationary distribution") from None


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
        x = np.linalg.solve(_bordered(self.P), self.r)
        x[-1] = 0.0
        return x


class FastChainGain(ChainGain):
    """Rank-one (Sherman-Morrison) maintenance of ``C^{-1}``; re-inverted from scratch every ``refresh_every``
    updates (and whenever an update is ill-conditioned) to keep round-off from accumulating."""

    def __init__(self, P: np.ndarray, r: np.ndarray, refresh_every: int | None = None):
        super().__init__(P, r)
        S = self.P.shape[0]
        self.refresh_every = check_positive_int(refresh_every if refresh_every is not None else max(50, S), "refresh_every")
        self.updates = 0
        self._refresh()

    def _refresh(self) -> None:
        try:
            # inv(C^T)^T is C^{-1} in Fortran order: in-place BLAS rank-one updates (dger) need that layout
            self.Cinv = np.linalg.inv(_bordered(self.P).T).T
        except np.linalg.LinAlgError:
            raise ChainError("the model chain has no unique stationary distribution") from None
        self.x = self.Cinv @ self.r
        self.updates = 0

    def set_row(self, s: int, row: np.ndarray, reward: float) -> None:
        v = row - self.P[s]
        v[-1] = 0.0
        delta = reward - self.r[s]
        self.updates += 1
        z = self.Cinv.T @ v                      # v^T C^{-1}
        denom = 1.0 - z[s]
        if self.updates >= self.refresh_every or abs(denom) < 1e-8:
            self.P[s] = row
            self.r[s] = reward
            self._refresh()
            return
        y = self.Cinv[:, s] / denom
        # x' = C'^{-1} r' = x + y (z . r + delta) with y = C^{-1} e_s / denom (Sherman-Morrison applied to x)
        self.x += y * (z @ self.r + delta)
        self.Cinv = blas.dger(1.0, y, z, a=self.Cinv, overwrite_a=True)
        self.P[s] = row
        self.r[s] = reward

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.Cinv = np.asfortranarray(self.Cinv)

    def candidate_gains(self, s: int, rows: np.ndarray, rewards: np.ndarray) -> np.ndarray:
        mu = self.Cinv[-1]
        y = self.Cinv[:, s]
        V = rows - self.P[s]
        V[:, -1] = 0.0
        mu_s_new = mu[s] / (1.0 - V @ y)
        g = float(mu @ self.r)
        return g + mu_s_new * (rewards - self.r[s] + V @ self.x)

    def stationary(self) -> np.ndarray:
        return self.Cinv[-1].copy()

    def differential_values(self) -> np.ndarray:
        x = self.x.copy()
        x[-1] = 0.0
        return x


def make_chain_gain(P: np.ndarray, r: np.ndarray, solver: str = "fast", refresh_every: int | None = None) -> ChainGain:
    """A :class:`FastChainGain` (``solver="fast"``) or the :class:`DenseChainGain` reference (``"dense"``)."""
    check_choice(solver, "solver", SOLVERS)
    if solver == "dense":
        return DenseChainGain(P, r)
    return FastChainGain(P, r, refresh_every)
