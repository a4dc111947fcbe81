"""Correlated (CE) and coarse correlated (CCE) equilibria of n-player games, by linear programming.

A joint distribution ``p`` over joint actions is a **CE** when no player gains by deviating from a recommended
action ``a_i`` to ``a_i'``:  ``sum_{a_-i} p(a_i, a_-i) [u_i(a_i', a_-i) - u_i(a_i, a_-i)] <= 0`` for all i, a_i,
a_i'. It is a **CCE** when no player gains by committing in advance to a fixed action ``a_i'``:
``sum_a p(a) [u_i(a_i', a_-i) - u_i(a)] <= 0``. Both are polytopes; we optimise over them with scipy's HiGHS:

- ``"welfare"``: maximise ``sum_i u_i . p``;  ``"player:<i>"``: maximise player i's payoff;
- ``"max-min"``: maximise the smallest player payoff (egalitarian);
- an array with the game's joint-action shape: maximise ``c . p``;
- ``"max-entropy"``: the unique maximiser of ``H(p) = -sum p log p`` (the least committal equilibrium). Solved by
  its convex dual ``min_{mu >= 0} log sum_a exp(-(G^T mu)_a)`` (G: the incentive rows) after one LP finds the
  largest set of joint actions any equilibrium can use (so the dual has a finite minimiser): L-BFGS-B, then
  projected Newton on the exact Hessian ``G (diag p - p p^T) G^T`` to machine precision.

Every result carries ``max_incentive = max(G p)`` (recomputed from the game; <= 0 up to round-off for an exact
equilibrium) as its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.optimize as opt
import scipy.sparse as sp

from ..errors import SolverError
from ..games import NormalFormGame
from .equilibrium import _check_game

KINDS = ("ce", "cce")
OBJECTIVES = ("welfare", "max-entropy", "max-min", "player:<i>", "array of joint-action weights")


@dataclass(frozen=True, eq=False)
class CorrelatedEquilibrium:
    """A (coarse) correlated equilibrium: ``distribution`` over joint actions (shape = the game's action counts).

    ``payoffs``: each player's expected payoff; ``max_incentive``: the largest expected gain of any deviation
    covered by ``kind`` (the certificate; <= ~1e-12 x payoff range for an exact solution).
    """

    distribution: np.ndarray
    payoffs: np.ndarray
    max_incentive: float
    kind: str
    objective: str

    @property
    def welfare(self) -> float:
        return float(self.payoffs.sum())

    def marginals(self) -> tuple[np.ndarray, ...]:
        """Each player's marginal action distribution."""
        n = self.distribution.ndim
        return tuple(self.distribution.sum(axis=tuple(j for j in range(n) if j != i)) for i in range(n))

    def to_dict(self) -> dict[str, Any]:
        return {"distribution": self.distribution.tolist(), "payoffs": self.payoffs.tolist(),
                "max_incentive": self.max_incentive, "kind": self.kind, "objective": self.objective}

    def __repr__(self) -> str:
        pay = ", ".join(f"{v:.4g}" for v in self.payoffs)
        return (f"CorrelatedEquilibrium(kind={self.kind!r}, objective={self.objective!r}, payoffs=({pay}), "
                f"max_incentive={self.max_incentive:.2g}, support={int(np.sum(self.distribution > 1e-12))} joint actions)")


def incentive_matrix(game: NormalFormGame, kind: str = "ce") -> sp.csr_matrix:
    """Sparse matrix G with one row per deviation: ``(G p)_r`` is that deviation's expected gain under ``p``.

    Rows, player by player: CE rows ``(i, a_i, a_i')`` for ``a_i != a_i'`` (nonzero only on joint actions with
    player i playing ``a_i``); CCE rows ``(i, a_i')`` (dense over all joint actions). Columns: joint actions in
    C order (``np.ravel_multi_index``). ``p`` is an equilibrium of that kind iff ``G p <= 0``.
    """
    _check_game(game)
    if kind not in KINDS:
        raise SolverError(f"kind must be one of {KINDS}, got {kind!r}")
    shape = game.num_actions
    M = int(np.prod(shape))
    cols = np.arange(M).reshape(shape)
    blocks = []
    for i, k in enumerate(shape):
        U = np.moveaxis(game.payoffs[i], i, 0).reshape(k, -1)  # (own action, others' joint action)
        C = np.moveaxis(cols, i, 0).reshape(k, -1)
        if kind == "ce":
            a, b = np.nonzero(~np.eye(k, dtype=bool))  # recommended a, deviation b
            gains = U[b] - U[a]  # (rows, others)
            rows = np.repeat(np.arange(a.size), U.shape[1])
            blocks.append(sp.csr_matrix((gains.ravel(), (rows, C[a].ravel())), shape=(a.size, M)))
        else:
            # gain of committing to b: sum over all joint a of p(a) [u_i(b, a_-i) - u_i(a)]
            G = U[:, None, :] - U[None, :, :]  # (b, own a, others)
            G = np.moveaxis(G.reshape(k, k, *[shape[j] for j in range(len(shape)) if j != i]), 1, i + 1)
            blocks.append(sp.csr_matrix(G.reshape(k, M)))
    return sp.vstack(blocks, format="csr")


def max_incentive(game: NormalFormGame, distribution: Any, kind: str = "ce") -> float:
    """The largest expected gain from a deviation of the given kind under ``distribution`` (<= 0: equilibrium)."""
    p = _check_distribution(game, distribution)
    return float((incentive_matrix(game, kind) @ p.ravel()).max())


def _check_distribution(game: NormalFormGame, distribution: Any) -> np.ndarray:
    try:
        p = np.asarray(distribution, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SolverError(f"distribution must be an array of numbers: {exc}") from None
    if p.shape != game.num_actions:
        raise SolverError(f"distribution must have the game's joint-action shape {game.num_actions}, got {p.shape}")
    if not np.all(np.isfinite(p)) or p.min() < -1e-9 or abs(p.sum() - 1.0) > 1e-9 * max(1, p.size):
        raise SolverError("distribution must be finite, non-negative and sum to 1")
    return p


def _objective_vector(game: NormalFormGame, objective: Any) -> tuple[np.ndarray | None, str]:
    """Linear objective c (to maximise) and its label; None for the special objectives."""
    n = game.num_players
    if isinstance(objective, str):
        if objective == "welfare":
            return game.payoffs.sum(axis=0).ravel(), objective
        if objective in ("max-entropy", "max-min"):
            return None, objective
        if objective.startswith("player:"):
            try:
                i = int(objective.split(":", 1)[1])
            except ValueError:
                i = -1
            if not 0 <= i < n:
                raise SolverError(f"objective {objective!r}: player index must be in [0, {n})")
            return game.payoffs[i].ravel(), objective
        raise SolverError(f"objective must be one of {', '.join(OBJECTIVES)}; got {objective!r}")
    try:
        c = np.asarray(objective, dtype=np.float64)
    except (TypeError, ValueError):
        raise SolverError(f"objective must be one of {', '.join(OBJECTIVES)}; got {type(objective).__name__}") from None
    if c.shape != game.num_actions or not np.all(np.isfinite(c)):
        raise SolverError(f"an array objective must be finite with the joint-action shape {game.num_actions}, got {c.shape}")
    return c.ravel(), "linear"


def _lp(c: np.ndarray, G: sp.csr_matrix, extra_ub: tuple[sp.spmatrix, np.ndarray] | None = None,
        n_extra_vars: int = 0, bounds: list | None = None) -> np.ndarray:
    """maximise c.x s.t. G x[:M] <= 0 (+ extra rows), sum x[:M] = 1, x >= 0 (default bounds); return x."""
    M = G.shape[1]
    nv = M + n_extra_vars
    A_ub = sp.hstack([G, sp.csr_matrix((G.shape[0], n_extra_vars))]) if n_extra_vars else G
    b_ub = np.zeros(G.shape[0])
    if extra_ub is not None:
        A_ub = sp.vstack([A_ub, extra_ub[0]])
        b_ub = np.concatenate([b_ub, extra_ub[1]])
    A_eq = sp.csr_matrix(np.concatenate([np.ones(M), np.zeros(n_extra_vars)])[None, :])
    res = opt.linprog(-c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds or (0, None), method="highs",
                      options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:  # the CE/CCE polytopes are never empty (Nash equilibria are in them)
        raise SolverError(f"correlated: the LP solver failed ({res.message})")
    return res.x


def _max_support(G: sp.csr_matrix) -> np.ndarray:
    """Joint actions that some equilibrium plays with positive probability (one LP over the cone G q <= 0).

    maximise sum_a y_a  s.t.  G q <= 0, q >= y, 0 <= y <= 1 (q unnormalised): y_a = 1 exactly where possible.
    """
    m, M = G.shape
    A_ub = sp.vstack([sp.hstack([G, sp.csr_matrix((m, M))]), sp.hstack([-sp.identity(M), sp.identity(M)])])
    b_ub = np.zeros(m + M)
    c = np.concatenate([np.zeros(M), -np.ones(M)])
    bounds = [(0, None)] * M + [(0, 1)] * M
    res = opt.linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"correlated: the support LP failed ({res.message})")
    return res.x[M:] > 0.5


def _max_entropy(G: sp.csr_matrix) -> np.ndarray:
    """argmax H(p) over {p >= 0, sum p = 1, G p <= 0}, via the dual (see module docstring)."""
    M = G.shape[1]
    keep = _max_support(G)
    Gz = G[:, keep].toarray()
    active = np.abs(Gz).max(axis=1) > 0
    Gz = Gz[active]
    p_full = np.zeros(M)
    if Gz.shape[0] == 0:
        p_full[keep] = 1.0 / keep.sum()
        return p_full

    def probs(mu: np.ndarray) -> np.ndarray:
        theta = -(Gz.T @ mu)
        theta -= theta.max()
        e = np.exp(theta)
        return e / e.sum()

    def f_and_grad(mu: np.ndarray) -> tuple[float, np.ndarray]:
        theta = -(Gz.T @ mu)
        top = theta.max()
        e = np.exp(theta - top)
        s = e.sum()
        return float(top + np.log(s)), -(Gz @ (e / s))

    m = Gz.shape[0]
    res = opt.minimize(f_and_grad, np.zeros(m), jac=True, method="L-BFGS-B", bounds=[(0, None)] * m,
                       options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-12})
    mu = np.maximum(res.x, 0.0)
    for _ in range(100):  # projected Newton on the free variables, with a backtracking line search
        p = probs(mu)
        g = -(Gz @ p)
        viol = np.maximum(Gz @ p, 0.0).max()
        comp = np.abs(mu * g).max()
        if viol <= 1e-14 and comp <= 1e-14:
            break
        free = (mu > 1e-14) | (g < 0)
        Hs = (Gz[free] * p) @ Gz[free].T - np.outer(Gz[free] @ p, Gz[free] @ p)
        d = np.linalg.lstsq(Hs, -g[free], rcond=None)[0]
        f0 = f_and_grad(mu)[0]
        step = 1.0
        while step > 1e-12:
            trial = mu.copy()
            trial[free] = np.maximum(mu[free] + step * d, 0.0)
            if f_and_grad(trial)[0] <= f0 + 1e-15:
                break
            step *= 0.5
        if step <= 1e-12:
            break
        mu = trial
    p_full[keep] = probs(mu)
    return p_full


def correlated(game: NormalFormGame, kind: str = "ce", objective: Any = "welfare") -> CorrelatedEquilibrium:
    """The CE or CCE of ``game`` optimising ``objective`` (see module docstring for the choices).

    LP objectives return an optimal vertex (ties broken by HiGHS); ``"max-entropy"`` is unique.
    """
    _check_game(game)
    if kind not in KINDS:
        raise SolverError(f"kind must be one of {KINDS}, got {kind!r}")
    c, label = _objective_vector(game, objective)
    span = float(np.ptp(game.payoffs))
    span = span if span > 0 else 1.0
    G = incentive_matrix(game, kind) / span  # unit-range payoffs: tolerances mean the same in every game
    M = G.shape[1]
    n = game.num_players
    if label == "max-entropy":
        p = _max_entropy(G)
    elif label == "max-min":
        U = sp.csr_matrix(game.payoffs.reshape(n, M) / span)
        # variables (p, t): maximise t s.t. t - u_i . p <= 0
        rows = sp.hstack([-U, sp.csr_matrix(np.ones((n, 1)))])
        x = _lp(np.concatenate([np.zeros(M), [1.0]]), G, (rows, np.zeros(n)), 1,
                bounds=[(0, None)] * M + [(None, None)])
        p = x[:M]
    else:
        p = _lp(c / span, G)
    p = np.clip(p, 0.0, None)
    p /= p.sum()
    dist = p.reshape(game.num_actions)
    dist.setflags(write=False)
    pay = (game.payoffs.reshape(n, M) @ p)
    pay.setflags(write=False)
    inc = float((incentive_matrix(game, kind) @ p).max())
    return CorrelatedEquilibrium(dist, pay, inc, kind, label)
