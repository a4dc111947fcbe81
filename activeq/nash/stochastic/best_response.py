"""Best responses and exploitability in discounted stochastic games.

Fixing the other players' stationary strategies turns player i's problem into a Markov decision process with
rewards ``r(s, a) = E_{a_-i}[R_i(s, a, a_-i)]`` and transitions ``p(s' | s, a) = E_{a_-i}[T(s' | s, a, a_-i)]``.
We solve it by policy iteration (exact policy evaluation by a linear solve, greedy improvement), which terminates
after finitely many improvements with the optimal deterministic stationary policy; the final Bellman residual is
reported as a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..._checks import check_positive_int
from ...errors import GameError, SolverError
from ...games import StochasticGame
from .evaluation import _values, check_discounted, contract_others


@dataclass(frozen=True, eq=False)
class BestResponse:
    """An optimal stationary reply of ``player`` to the others' fixed stationary strategies.

    ``policy``: ``(S, A_i)`` one-hot (deterministic) policy; ``values``: its discounted values per state;
    ``q_values``: ``(S, A_i)`` optimal action values (illegal actions -inf); ``iterations``: policy-improvement rounds;
    ``bellman_residual``: ``max_s |max_a q(s, a) - V(s)|`` at the end (round-off size).
    """

    player: int
    policy: np.ndarray
    values: np.ndarray
    q_values: np.ndarray
    iterations: int
    bellman_residual: float


@dataclass(frozen=True, eq=False)
class Exploitability:
    """How much each player gains by best-responding to a stationary profile.

    ``gains[s, i] = V_i^{BR}(s) - V_i^{sigma}(s) >= 0``; ``max_gain`` the largest; ``nash_conv`` the sum over
    players of the gains averaged over the game's initial distribution; ``values`` the profile's own values.
    """

    gains: np.ndarray
    max_gain: float
    nash_conv: float
    values: np.ndarray
    best_responses: tuple[BestResponse, ...]


def _check_player(sg: StochasticGame, player: Any) -> int:
    if isinstance(player, (bool, np.bool_)) or not isinstance(player, (int, np.integer)) \
            or not 0 <= int(player) < sg.num_players:
        raise SolverError(f"player must be an int in [0, {sg.num_players}), got {player!r}")
    return int(player)


def induced_mdp(sg: StochasticGame, player: int, profile: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Player ``player``'s MDP against the others' policies in ``profile``: rewards ``(S, A_i)``, transitions ``(S, A_i, S)``."""
    r = contract_others(sg.rewards[:, player], profile, keep=[player])
    p = contract_others(sg.transitions, profile, keep=[player], trail="t")
    return r, p


def _full_profile(sg: StochasticGame, player: int, others: Any) -> tuple[np.ndarray, ...]:
    """Accept either the others' policies only (n-1 arrays) or a full profile (n arrays; player's own is ignored)."""
    try:
        items = list(others)
    except TypeError:
        raise SolverError(f"others must be a sequence of (S, A_j) policies, got {type(others).__name__}") from None
    n = sg.num_players
    if len(items) == n - 1:
        items = items[:player] + [sg.uniform_policies()[player]] + items[player:]
    elif len(items) != n:
        raise SolverError(f"others must hold the policies of the other {n - 1} players (or a full profile of {n}), "
                          f"got {len(items)}")
    else:
        items = list(items)
        items[player] = sg.uniform_policies()[player]
    try:
        return sg.check_policies(items, "others", tol=1e-7)
    except GameError as exc:
        raise SolverError(str(exc)) from None


def best_response(sg: StochasticGame, player: int, others: Sequence[Any], *, max_iter: int = 1000) -> BestResponse:
    """Optimal stationary policy of ``player`` against the others' stationary strategies (policy iteration).

    ``others``: the n-1 other players' ``(S, A_j)`` policies in player order (a full n-profile is accepted too;
    the entry for ``player`` is ignored).
    """
    sg = check_discounted(sg, "best_response")
    i = _check_player(sg, player)
    profile = _full_profile(sg, i, others)
    max_iter = check_positive_int(max_iter, "max_iter")
    return _best_response(sg, i, profile, max_iter)


def _best_response(sg: StochasticGame, i: int, profile: Sequence[np.ndarray], max_iter: int = 1000) -> BestResponse:
    S = sg.num_states
    gamma = sg.discount
    legal = sg.legal_actions[i]
    r, p = induced_mdp(sg, i, profile)
    # start from the greedy policy of the immediate rewards
    act = np.where(legal, r, -np.inf).argmax(axis=1)
    rows = np.arange(S)
    eye = np.eye(S)
    it = 0
    for it in range(1, max_iter + 1):
        V = np.linalg.solve(eye - gamma * p[rows, act], r[rows, act])
        q = np.where(legal, r + gamma * (p @ V), -np.inf)
        best = q.max(axis=1)
        scale = 1e-12 * max(1.0, float(np.abs(V).max()))
        improve = best > q[rows, act] + scale
        if not improve.any():
            break
        act = np.where(improve, q.argmax(axis=1), act)
    else:
        raise SolverError(f"best_response: policy iteration did not terminate in max_iter={max_iter} rounds")
    pol = np.zeros((S, sg.num_actions[i]))
    pol[rows, act] = 1.0
    resid = float(np.abs(q.max(axis=1) - V).max())
    for a in (pol, V, q):
        a.setflags(write=False)
    return BestResponse(i, pol, V, q, it, resid)


def exploitability(sg: StochasticGame, strategies: Sequence[Any]) -> Exploitability:
    """Per state and player, the gain of an optimal (multi-step) deviation from a stationary profile."""
    sg = check_discounted(sg, "exploitability")
    try:
        pol = sg.check_policies(strategies, "strategies", tol=1e-7)
    except GameError as exc:
        raise SolverError(str(exc)) from None
    V = _values(sg, pol)
    brs = tuple(_best_response(sg, i, pol) for i in range(sg.num_players))
    gains = np.stack([br.values for br in brs], axis=1) - V
    gains = np.maximum(gains, 0.0)
    nash_conv = float((sg.initial @ gains).sum())
    gains.setflags(write=False)
    V.setflags(write=False)
    return Exploitability(gains, float(gains.max()), nash_conv, V, brs)
