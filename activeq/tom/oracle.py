"""The exact oracle: the best response to a partner's actual policy in a T-round repeated game.

Backward induction over (round, partner state) (Bellman 1957; the finite-horizon expectimax of Puterman 1994,
section 4.5): with partner policy ``pi_q`` and next state ``n(q, a, b)``,

    Q*_t(q, a) = sum_b pi_q(b) [u(a, b) + V*_{t+1}(n(q, a, b))],   V*_t(q) = max_a Q*_t(q, a),   V*_T = 0,   (1)

so ``V* = V*_0(start)`` is the largest *expected* total payoff any agent can get against the partner: the expectation
is over the partner's own randomness (stochastic automata, trembling learners); for a deterministic partner it is the
exact optimum over all action sequences. Ties go to the lowest action index within ``TIE_TOL``.

- Finite partners (automata, tit-for-tat, windowed fictitious play, ...) are solved on arrays ``(T, Q, A)``.
- Learning partners with real-valued state (a Q-learner) are solved by enumerating the partner states reachable in
  each round (exact over that tree); the enumeration stops with ProbeError past ``MAX_LAYER_STATES`` states.

The long-run optimal gain against a finite partner, ``lim V*/T``, is the optimal average reward of the MDP over
partner states (rewards ``sum_b pi_q(b) u(a, b)``) from :func:`activeq.avgreward.solve_average_reward`.

Raises ProbeError for a horizon < 1, a partner that does not fit the game, or a state enumeration over budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable

import numpy as np

from .._checks import check_bool, check_positive_int
from ..errors import ArgumentTypeError, ProbeError
from ..games import NormalFormGame
from .partners.base import BoundPartner, FiniteAutomaton, bind_partner, check_two_player

TIE_TOL = 1e-9
"""Two actions whose Q*-values differ by less than this are tied (the lower index wins)."""

MAX_LAYER_STATES = 200_000
"""Most partner states the oracle enumerates over all rounds for a partner with continuous state."""

MAX_CELLS = 50_000_000
"""Largest ``T * Q * A`` table the finite oracle allocates."""


def check_horizon(horizon: Any, name: str = "horizon") -> int:
    """``horizon`` as an int >= 1, else ProbeError / ArgumentTypeError naming it."""
    if isinstance(horizon, (bool, np.bool_)) or not isinstance(horizon, (int, np.integer)):
        raise ArgumentTypeError(f"{name} must be an int number of rounds, got {type(horizon).__name__}")
    if int(horizon) < 1:
        raise ProbeError(f"{name} must be >= 1 round, got {horizon}")
    return check_positive_int(horizon, name)


@dataclass(frozen=True)
class OracleResult:
    """The best response to a partner over ``horizon`` rounds.

    ``value`` is V* (expected optimal total payoff from the start); ``rewards[t]`` the expected payoff in round t
    under the optimal policy (they sum to ``value``); ``actions`` the optimal action per round along the partner's
    path when the partner is deterministic (None otherwise: the optimal action then depends on the partner's random
    state, see :meth:`best_action`); ``gain`` the long-run optimal average reward (finite partners; None otherwise).
    """

    value: float
    horizon: int
    rewards: np.ndarray
    actions: tuple[int, ...] | None
    gain: float | None
    partner: BoundPartner = field(repr=False)
    _q: tuple[np.ndarray, ...] = field(repr=False)
    _index: tuple[dict, ...] | None = field(repr=False)

    @property
    def per_step(self) -> float:
        """V*/T."""
        return self.value / self.horizon

    def _row(self, t: int, state: Hashable) -> np.ndarray:
        if not 0 <= t < self.horizon:
            raise ProbeError(f"round t must be in [0, {self.horizon}), got {t}")
        if self._index is None:
            return self._q[t][int(state)]
        try:
            return self._q[t][self._index[t][state]]
        except KeyError:
            raise ProbeError(f"partner state not reachable in round {t}") from None

    def q_values(self, t: int, state: Hashable) -> np.ndarray:
        """Q*_t(state, a) for every agent action (equation 1)."""
        return self._row(t, state).copy()

    def value_at(self, t: int, state: Hashable) -> float:
        """V*_t(state): the best expected payoff over rounds t..T-1 from partner state ``state``."""
        if t == self.horizon:
            return 0.0
        return float(self._row(t, state).max())

    def best_action(self, t: int, state: Hashable) -> int:
        """The optimal action in round t at partner state ``state`` (lowest index among ties)."""
        row = self._row(t, state)
        return int(np.flatnonzero(row >= row.max() - TIE_TOL)[0])

    def gap(self, t: int, state: Hashable, action: int) -> float:
        """V*_t(state) - Q*_t(state, action) >= 0: the regret of playing ``action`` once, then optimally."""
        row = self._row(t, state)
        return float(row.max() - row[action])


def _stage_rewards(game: NormalFormGame) -> np.ndarray:
    return np.asarray(game.payoff_matrix(0), dtype=np.float64)  # (A, B)


def _solve_finite(U: np.ndarray, auto: FiniteAutomaton, T: int) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    pi, nxt = auto.policy_matrix, auto.next
    Q, A = auto.num_states, U.shape[0]
    if T * Q * A > MAX_CELLS:
        raise ProbeError(f"horizon {T} x {Q} partner states x {A} actions = {T * Q * A} cells; at most {MAX_CELLS}")
    R = pi @ U.T  # (Q, A): expected stage payoff
    qs = np.empty((T, Q, A))
    v = np.zeros(Q)
    for t in range(T - 1, -1, -1):
        qs[t] = R + np.einsum("qb,qab->qa", pi, v[nxt])
        v = qs[t].max(axis=1)
    return tuple(qs), R


def _best(row: np.ndarray) -> np.ndarray:
    """Lowest-index argmax within TIE_TOL, row-wise."""
    return np.argmax(row >= row.max(axis=-1, keepdims=True) - TIE_TOL, axis=-1)


def _forward_finite(qs: tuple[np.ndarray, ...], R: np.ndarray, auto: FiniteAutomaton, T: int
                    ) -> tuple[np.ndarray, tuple[int, ...] | None]:
    Q = auto.num_states
    d = np.zeros(Q)
    d[auto.start] = 1.0
    rewards = np.empty(T)
    for t in range(T):
        a = _best(qs[t])
        rewards[t] = d @ R[np.arange(Q), a]
        nd = np.zeros(Q)
        # mass flows along next[q, a*(q), b] with weight pi[q, b]
        np.add.at(nd, auto.next[np.arange(Q), a], d[:, None] * auto.policy_matrix)
        d = nd
    actions = None
    if auto.deterministic:
        q, path = auto.start, []
        for t in range(T):
            a = int(_best(qs[t][q]))
            path.append(a)
            q = int(auto.next[q, a, int(np.argmax(auto.policy_matrix[q]))])
        actions = tuple(path)
    return rewards, actions


def _gain(U: np.ndarray, auto: FiniteAutomaton) -> float:
    import scipy.sparse as sp

    from ..avgreward import solve_average_reward
    from ..games.sparse_mdp import SparseMDP

    Q, A, B = auto.num_states, U.shape[0], auto.num_actions
    R = auto.policy_matrix @ U.T
    rows = (np.arange(Q)[:, None, None] * A + np.arange(A)[None, :, None]) * np.ones((1, 1, B), dtype=np.int64)
    vals = np.broadcast_to(auto.policy_matrix[:, None, :], (Q, A, B))
    T = sp.csr_matrix((vals.ravel(), (rows.ravel(), auto.next.ravel())), shape=(Q * A, Q))
    sol = solve_average_reward(SparseMDP(R, T))
    return float(sol.gain[auto.start])


def _solve_layered(U: np.ndarray, partner: BoundPartner, T: int):
    A, B = U.shape
    layers: list[list[Hashable]] = [[partner.start]]
    index: list[dict] = [{partner.start: 0}]
    pis: list[np.ndarray] = []
    nxts: list[np.ndarray] = []
    total = 1
    for t in range(T):
        states = layers[t]
        pi = np.array([partner.policy(s) for s in states])
        pis.append(pi)
        if t == T - 1:
            break
        nidx: dict = {}
        nstates: list[Hashable] = []
        nxt = np.zeros((len(states), A, B), dtype=np.int64)
        for k, s in enumerate(states):
            for a in range(A):
                for b in range(B):
                    if pi[k, b] <= 0.0:
                        continue
                    s2 = partner.next_state(s, a, b)
                    j = nidx.get(s2)
                    if j is None:
                        j = nidx[s2] = len(nstates)
                        nstates.append(s2)
                        total += 1
                        if total > MAX_LAYER_STATES:
                            raise ProbeError(
                                f"partner {partner.name!r} has more than {MAX_LAYER_STATES} reachable states within "
                                f"{t + 2} of {T} rounds: its continuous state makes the exact oracle infeasible at "
                                f"this horizon; use a finite-state partner or a shorter horizon")
                    nxt[k, a, b] = j
        nxts.append(nxt)
        layers.append(nstates)
        index.append(nidx)
    qs: list[np.ndarray] = [np.empty(0)] * T
    v = np.zeros(1)
    for t in range(T - 1, -1, -1):
        R = pis[t] @ U.T
        cont = np.einsum("qb,qab->qa", pis[t], v[nxts[t]]) if t < T - 1 else 0.0
        qs[t] = R + cont
        v = qs[t].max(axis=1)
    d = np.array([1.0])
    rewards = np.empty(T)
    for t in range(T):
        a = _best(qs[t])
        n_t = len(layers[t])
        rewards[t] = d @ (pis[t] @ U.T)[np.arange(n_t), a]
        if t < T - 1:
            nd = np.zeros(len(layers[t + 1]))
            np.add.at(nd, nxts[t][np.arange(n_t), a], d[:, None] * pis[t])
            d = nd
    deterministic = all(np.all(np.isclose(p.max(axis=1), 1.0)) for p in pis)
    actions = None
    if deterministic:
        k, path = 0, []
        for t in range(T):
            a = int(_best(qs[t][k]))
            path.append(a)
            if t < T - 1:
                k = int(nxts[t][k, a, int(np.argmax(pis[t][k]))])
        actions = tuple(path)
    return tuple(qs), tuple(index), rewards, actions


def oracle(game: NormalFormGame, partner: Any, horizon: int = 100, *, gain: bool = True) -> OracleResult:
    """The exact best response to ``partner`` over ``horizon`` rounds of ``game`` (equation 1).

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game; the agent is the row player.
    partner : Partner
        A partner from :mod:`activeq.tom.partners` (or an already bound one).
    horizon : int
        Number of rounds T >= 1.
    gain : bool
        Also compute the long-run optimal gain (finite partners only).

    Returns
    -------
    OracleResult
        ``value`` = V*, per-round optimal ``rewards`` and ``actions``, ``gain``; ``q_values``/``gap`` per state.

    Examples
    --------
    >>> from activeq import load_game
    >>> from activeq.tom import oracle
    >>> from activeq.tom.partners import tit_for_tat
    >>> res = oracle(load_game("prisoners_dilemma"), tit_for_tat(), 100)
    >>> res.value, res.actions[-2:]
    (302.0, (0, 1))
    """
    game = check_two_player(game)
    T = check_horizon(horizon)
    gain = check_bool(gain, "gain")
    bound = bind_partner(partner, game)
    U = _stage_rewards(game)
    if bound.finite:
        auto = bound.as_automaton()
        qs, R = _solve_finite(U, auto, T)
        rewards, actions = _forward_finite(qs, R, auto, T)
        value = float(qs[0][auto.start].max())
        g = _gain(U, auto) if gain else None
        return OracleResult(value, T, rewards, actions, g, auto, qs, None)
    qs, index, rewards, actions = _solve_layered(U, bound, T)
    return OracleResult(float(qs[0][0].max()), T, rewards, actions, None, bound, qs, index)
