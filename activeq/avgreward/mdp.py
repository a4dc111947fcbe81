"""Exact average-reward MDP solving: multichain policy iteration and relative value iteration.

An MDP is a one-player :class:`activeq.games.StochasticGame` (``StochasticGame.mdp(rewards, transitions)``) or,
for MDPs too large for dense ``(S, A, S)`` arrays, a :class:`SparseMDP` (rewards ``(S, A)``, transitions a
sparse ``(S * A, S)`` matrix whose row ``s * A + a`` is ``T(. | s, a)``). Both solvers use vectorised Bellman
backups ``Q = R + (T v).reshape(S, A)`` on the sparse transition matrix.

Policy iteration follows Puterman (1994) section 9.2 (multichain): evaluate the policy's gain and bias
exactly (:func:`activeq.avgreward.gain_bias`), improve the gain first (``max_a sum_j T(j|s,a) g(j)``), and
only where no gain improvement exists improve ``r + T h`` among the gain-maximising actions; keep the current
action on ties. It terminates with a gain-optimal policy for unichain *and* multichain MDPs.

Relative value iteration (Puterman 8.5.5) runs on the aperiodicity-transformed MDP
``T' = tau T + (1 - tau) I`` (same gains and optimal policies, bias scaled by ``1/tau``) and needs a constant
optimal gain (e.g. weakly communicating MDPs); it raises ChainError when it detects that the optimal gain
differs between states.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._checks import as_float_array, check_choice, check_in_range, check_positive_int
from .._warn import caller_stacklevel
from ..errors import ArgumentError, ChainError, ConvergenceWarning
from ..games.sparse_mdp import SparseMDP
from ..games.stochastic import StochasticGame
from .chains import ChainStructure, GainBias, gain_bias

__all__ = ["SparseMDP", "AverageRewardSolution", "as_sparse_mdp", "policy_chain", "evaluate_policy",
           "solve_average_reward"]

METHODS = ("policy_iteration", "relative_value_iteration")


def as_sparse_mdp(mdp: Any, name: str = "mdp") -> SparseMDP:
    """A :class:`SparseMDP` from a SparseMDP or a one-player StochasticGame; ArgumentError otherwise."""
    if isinstance(mdp, SparseMDP):
        return mdp
    if isinstance(mdp, StochasticGame):
        if not mdp.is_mdp:
            raise ArgumentError(f"{name} must be a one-player StochasticGame (an MDP), got {mdp.num_players} players")
        return SparseMDP.from_game(mdp)
    raise ArgumentError(f"{name} must be a one-player StochasticGame or a SparseMDP, got {type(mdp).__name__}")


def _as_policy(m: SparseMDP, policy: Any, name: str = "policy") -> np.ndarray:
    """A policy as a stochastic matrix ``(S, A)``: accepts deterministic ``(S,)`` ints or ``(S, A)`` rows."""
    S, A = m.rewards.shape
    arr = np.asarray(policy)
    if arr.shape == (S,):
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.issubdtype(arr.dtype, np.floating) or not np.all(arr == np.round(arr)):
                raise ArgumentError(f"{name} of shape ({S},) must hold action indices (ints)")
            arr = arr.astype(np.int64)
        if arr.min() < 0 or arr.max() >= A:
            raise ArgumentError(f"{name} must hold actions in [0, {A}), got range [{arr.min()}, {arr.max()}]")
        out = np.zeros((S, A))
        out[np.arange(S), arr] = 1.0
        return out
    pol = as_float_array(policy, name, error=ArgumentError)
    if pol.shape != (S, A):
        raise ArgumentError(f"{name} must be (S,) action indices or (S, A) = {(S, A)} distributions, got {pol.shape}")
    if pol.min() < -1e-9 or np.any(np.abs(pol.sum(axis=1) - 1.0) > 1e-9 * A):
        s = int(np.argmax(np.abs(pol.sum(axis=1) - 1.0) + (pol.min(axis=1) < -1e-9)))
        raise ArgumentError(f"{name}[{s}] must be a probability vector, got {pol[s].tolist()}")
    pol = np.clip(pol, 0.0, None)
    return pol / pol.sum(axis=1, keepdims=True)


def policy_chain(mdp: Any, policy: Any) -> tuple[sp.csr_matrix, np.ndarray]:
    """The state chain ``P_pi`` (sparse ``(S, S)``) and expected reward ``r_pi`` (``(S,)``) of a stationary policy
    (``(S,)`` action indices or ``(S, A)`` distributions)."""
    m = as_sparse_mdp(mdp)
    return _chain(m, _as_policy(m, policy))


def _chain(m: SparseMDP, pol: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    S, A = m.rewards.shape
    # P_pi = W T with W (S, S*A) the block-diagonal policy weights
    rows = np.repeat(np.arange(S), A)
    W = sp.csr_matrix((pol.ravel(), (rows, np.arange(S * A))), shape=(S, S * A))
    W.eliminate_zeros()
    P = sp.csr_matrix(W @ m.transitions)
    return P, (pol * m.rewards).sum(axis=1)


def evaluate_policy(mdp: Any, policy: Any) -> GainBias:
    """Exact gain and bias of a stationary policy (deterministic ``(S,)`` or stochastic ``(S, A)``)."""
    P, r = policy_chain(mdp, policy)
    return gain_bias(P, r)


@dataclass(frozen=True)
class AverageRewardSolution:
    """Optimal average-reward solution of an MDP.

    ``gain[s]`` is the optimal long-run average reward from ``s`` (constant for unichain / communicating MDPs),
    ``bias`` the returned policy's bias (``P* h = 0``), ``policy[s]`` an optimal action per state,
    ``iterations`` the number of improvement steps (PI) or backups (RVI), ``converged`` False only when RVI hit
    ``max_iter``. ``structure`` is the class structure of the optimal policy's chain.
    """

    gain: np.ndarray
    bias: np.ndarray
    policy: np.ndarray
    method: str
    iterations: int
    converged: bool
    structure: ChainStructure

    @property
    def scalar_gain(self) -> float:
        """The optimal gain when it is the same from every state; ChainError otherwise."""
        g = self.gain
        if np.ptp(g) > 1e-8 * max(1.0, np.abs(g).max()):
            raise ChainError(f"the optimal gain differs between states (from {g.min():.6g} to {g.max():.6g}); "
                             f"use .gain")
        return float(g.mean())


def _backup(m: SparseMDP, v: np.ndarray) -> np.ndarray:
    """``(T v).reshape(S, A)`` with illegal actions at -inf."""
    S, A = m.rewards.shape
    q = (m.transitions @ v).reshape(S, A)
    return np.where(m.legal, q, -np.inf)


def _greedy(q: np.ndarray, current: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Argmax per row, keeping the current action unless another beats it by more than ``tol``."""
    S = q.shape[0]
    best = np.argmax(q, axis=1)
    cur_val = q[np.arange(S), current]
    improve = q[np.arange(S), best] > cur_val + tol
    return np.where(improve, best, current), improve


def _warm_start(m: SparseMDP, sweeps: int, tau: float = 0.5) -> np.ndarray:
    """Greedy policy after a few relative value iteration sweeps (stopping early once the span is small): a start
    for policy iteration that avoids near-reducible initial chains (whose gains ~1e-12 are numerically useless)."""
    S, A = m.rewards.shape
    scale = max(1.0, float(np.abs(m.rewards).max()))
    R = np.where(m.legal, m.rewards, -np.inf)
    h = np.zeros(S)
    q = R
    for _ in range(sweeps):
        q = R + tau * _backup(m, h) + (1.0 - tau) * h[:, None]
        v = q.max(axis=1)
        diff = v - h
        h = v - v[0]
        if diff.max() - diff.min() <= 1e-6 * scale:
            break
    return np.argmax(q, axis=1)


def _policy_iteration(m: SparseMDP, tol: float, max_iter: int, warm_sweeps: int
                      ) -> tuple[np.ndarray, GainBias, int, bool]:
    S, A = m.rewards.shape
    scale = max(1.0, float(np.abs(m.rewards).max()))
    d = _warm_start(m, warm_sweeps) if warm_sweeps else np.argmax(np.where(m.legal, m.rewards, -np.inf), axis=1)
    eye = np.eye(A)
    seen: dict[bytes, float] = {}
    for it in range(1, max_iter + 1):
        ev = gain_bias(*_chain(m, eye[d]))
        key = d.tobytes()
        if key in seen:  # round-off made improvement cycle: the policies on the cycle are equally good
            warnings.warn("policy iteration revisited a policy (round-off in nearly-tied or near-reducible "
                          "policies); returning it", ConvergenceWarning, stacklevel=caller_stacklevel())
            return d, ev, it, False
        seen[key] = float(np.mean(ev.gain))
        gq = _backup(m, np.asarray(ev.gain))
        d_new, improved = _greedy(gq, d, tol * scale)
        if improved.any():
            d = d_new
            continue
        # no gain improvement: improve r + T h among actions that keep the gain maximal
        keep = gq >= gq[np.arange(S), d][:, None] - tol * scale
        hq = np.where(keep, m.rewards + _backup(m, np.asarray(ev.bias)), -np.inf)
        d_new, improved = _greedy(hq, d, tol * scale)
        if not improved.any():
            return d, ev, it, True
        d = d_new
    raise ChainError(f"policy iteration did not terminate in max_iter={max_iter} iterations "
                     f"(ties within tol={tol:g} cycling?)")


def _relative_value_iteration(m: SparseMDP, tol: float, max_iter: int, tau: float
                              ) -> tuple[np.ndarray, int, bool]:
    S, A = m.rewards.shape
    scale = max(1.0, float(np.abs(m.rewards).max()))
    R = np.where(m.legal, m.rewards, -np.inf)
    h = np.zeros(S)
    prev_diff = None
    stuck = 0
    for it in range(1, max_iter + 1):
        q = R + tau * _backup(m, h) + (1.0 - tau) * h[:, None]
        v = q.max(axis=1)
        diff = v - h
        span = float(diff.max() - diff.min())
        if span <= tol * scale:
            return np.argmax(q, axis=1), it, True
        if prev_diff is not None and np.abs(diff - prev_diff).max() <= 1e-3 * tol * scale:
            stuck += 1
            if stuck >= 10:
                raise ChainError(f"relative value iteration cannot converge: the optimal gain differs between states "
                                 f"(per-state gains from {diff.min():.6g} to {diff.max():.6g}); this MDP is "
                                 f"multichain, use method='policy_iteration'")
        else:
            stuck = 0
        prev_diff = diff
        h = v - v[0]
    warnings.warn(f"relative value iteration stopped after max_iter={max_iter} backups with Bellman span {span:.3g} "
                  f"> tol={tol:g}; the returned policy is the greedy one", ConvergenceWarning, stacklevel=caller_stacklevel())
    return np.argmax(q, axis=1), max_iter, False


def solve_average_reward(mdp: Any, method: str = "policy_iteration", *, tol: float = 1e-9,
                         max_iter: int | None = None, tau: float = 0.5,
                         warm_start: int = 1000) -> AverageRewardSolution:
    """Optimal gain, bias and a deterministic optimal policy of a finite MDP under the average-reward criterion.

    ``mdp``: a one-player StochasticGame or a :class:`SparseMDP`. ``method``: ``"policy_iteration"`` (exact,
    unichain and multichain; ``tol`` is the tie tolerance) or ``"relative_value_iteration"`` (needs a constant
    optimal gain; stops when the span of the Bellman residual is below ``tol``; ``tau`` is the aperiodicity
    transform). ``tol`` is relative to ``max(1, max |r|)``. Policy iteration starts from the greedy policy of up to
    ``warm_start`` relative value iteration sweeps (0: from the greedy immediate-reward policy); the start only
    changes how many exact evaluations are needed, not the answer. The returned gain and bias are those of the
    returned policy, evaluated exactly.
    """
    m = as_sparse_mdp(mdp)
    check_choice(method, "method", METHODS)
    tol = check_in_range(tol, "tol", 0.0, None, low_open=True)
    tau = check_in_range(tau, "tau", 0.0, 1.0, low_open=True)
    if method == "policy_iteration":
        max_iter = 10 * m.num_states * m.num_actions + 10 if max_iter is None else check_positive_int(max_iter, "max_iter")
        warm = check_positive_int(warm_start, "warm_start", minimum=0)
        d, ev, it, converged = _policy_iteration(m, tol, max_iter, warm)
    else:
        if tau >= 1.0 - 1e-12:
            tau = 1.0
        max_iter = 100_000 if max_iter is None else check_positive_int(max_iter, "max_iter")
        d, it, converged = _relative_value_iteration(m, tol, max_iter, tau)
        ev = gain_bias(*_chain(m, np.eye(m.num_actions)[d]))
    d = np.asarray(d, dtype=np.int64)
    d.setflags(write=False)
    return AverageRewardSolution(ev.gain, ev.bias, d, method, it, converged, ev.structure)
