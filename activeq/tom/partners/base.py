"""Partners of a repeated two-player game: the protocol, and finite automata as the common exact form.

The probed agent is the game's row player (player 0); the partner is the column player (player 1). A partner is a
*specification* (``single_action(0)``, ``tit_for_tat()``, ``Automaton(...)``) that :meth:`Partner.bind` turns into a
:class:`BoundPartner` for one game: its start state, its action distribution in each state, and its next state after
each joint action ``(a, b)`` (agent action ``a``, partner action ``b``). That is all the exact oracle
(:mod:`activeq.tom.oracle`) needs: the partner's *actual* policy as a (possibly stochastic) Mealy machine, as in
OpenSpiel's ``bots/`` scored against ``best_response.py``.

A finite partner binds to a :class:`FiniteAutomaton`: ``policy[q]`` is a probability vector over the partner's
actions and ``next[q, a, b]`` the next state. User automata are tables: ``Automaton(actions, transitions, start)``,
where ``actions[q]`` is an action index or a probability vector and ``transitions[q][a]`` the next state after the
agent plays ``a`` (or ``transitions[q][a][b]`` after the joint action, for partners that react to their own draw).

Raises :class:`activeq.errors.ProbeError` for a table that does not fit the game (wrong action counts, states out of
range, a game that is not 2-player) and :class:`activeq.errors.ArgumentTypeError` for non-integer entries.
"""

from __future__ import annotations

import numbers
from typing import Any, Hashable, Protocol, Sequence, runtime_checkable

import numpy as np

from ..._checks import check_probability_vector, show
from ...errors import ArgumentTypeError, ProbeError
from ...games import NormalFormGame

MAX_STATES = 100_000
"""Largest automaton accepted (states), checked before any array is allocated."""


def check_two_player(game: Any, name: str = "game") -> NormalFormGame:
    """``game`` as a 2-player :class:`NormalFormGame`, else ProbeError."""
    if not isinstance(game, NormalFormGame):
        raise ProbeError(f"{name} must be a 2-player activeq NormalFormGame, got {type(game).__name__}")
    if game.num_players != 2:
        raise ProbeError(f"{name} must have 2 players (agent = row, partner = column), got {game.num_players}")
    return game


def _index(x: Any, name: str, size: int) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an int, got {type(x).__name__} {show(x)}")
    if not 0 <= int(x) < size:
        raise ProbeError(f"{name} must be in [0, {size}), got {show(x)}")
    return int(x)


@runtime_checkable
class BoundPartner(Protocol):
    """A partner bound to one game: what the oracle and the probe loop use.

    ``start`` is the initial state (hashable); ``policy(state)`` the partner's action distribution ``(B,)``;
    ``next_state(state, a, b)`` its state after the joint action. ``finite`` says whether the states are enumerable
    (then ``as_automaton()`` gives the :class:`FiniteAutomaton`).
    """

    name: str
    num_actions: int
    agent_actions: int
    start: Hashable
    finite: bool

    def policy(self, state: Hashable) -> np.ndarray: ...

    def next_state(self, state: Hashable, a: int, b: int) -> Hashable: ...


@runtime_checkable
class Partner(Protocol):
    """A partner specification: ``bind(game)`` returns the :class:`BoundPartner` for that game."""

    name: str

    def bind(self, game: NormalFormGame) -> BoundPartner: ...


class FiniteAutomaton:
    """A bound finite partner: ``policy`` ``(Q, B)`` action probabilities, ``next`` ``(Q, A, B)`` next states.

    Also a :class:`Partner` (binding it to a game with the same action counts returns itself), so an automaton
    built for one game can be passed wherever a partner is expected.
    """

    finite = True

    def __init__(self, policy: np.ndarray, next_states: np.ndarray, start: int = 0, name: str = "automaton",
                 state_labels: Sequence[str] | None = None):
        self.policy_matrix = np.asarray(policy, dtype=np.float64)
        self.next = np.asarray(next_states, dtype=np.int64)
        self.policy_matrix.setflags(write=False)
        self.next.setflags(write=False)
        Q, B = self.policy_matrix.shape
        if self.next.shape[0] != Q or self.next.shape[2] != B:
            raise ProbeError(f"{name}: next states have shape {self.next.shape}, expected ({Q}, A, {B})")
        self.num_states = Q
        self.num_actions = B
        self.agent_actions = int(self.next.shape[1])
        self.start = _index(start, "start", Q)
        self.name = name
        self.state_labels = tuple(state_labels) if state_labels is not None else tuple(str(q) for q in range(Q))

    @property
    def deterministic(self) -> bool:
        """Every state plays one action with probability 1."""
        return bool(np.all(np.isclose(self.policy_matrix.max(axis=1), 1.0, atol=1e-12)))

    def policy(self, state: Hashable) -> np.ndarray:
        return self.policy_matrix[int(state)]

    def next_state(self, state: Hashable, a: int, b: int) -> int:
        return int(self.next[int(state), a, b])

    def as_automaton(self) -> "FiniteAutomaton":
        return self

    def bind(self, game: NormalFormGame) -> "FiniteAutomaton":
        game = check_two_player(game)
        A, B = game.num_actions
        if (A, B) != (self.agent_actions, self.num_actions):
            raise ProbeError(f"partner {self.name!r} is built for {self.agent_actions} agent x {self.num_actions} "
                             f"partner actions, but the game has {A} x {B}")
        return self

    def __repr__(self) -> str:
        return f"FiniteAutomaton({self.name!r}, states={self.num_states}, actions={self.num_actions})"


class Automaton:
    """A user partner as tables: ``actions[q]`` (index or probability vector), ``transitions[q][a]`` (next state).

    Parameters
    ----------
    actions : sequence
        One entry per state: the partner's action index in that state, or a probability vector over its actions.
    transitions : sequence
        ``transitions[q][a]`` is the next state after the agent plays ``a`` in state ``q``; or
        ``transitions[q][a][b]`` after the joint action ``(a, b)``.
    start : int
        The initial state (default 0).
    name : str
        A label for tables.

    Examples
    --------
    >>> from activeq import load_game
    >>> from activeq.tom.partners import Automaton
    >>> tft = Automaton([0, 1], [[0, 1], [0, 1]], name="tft")   # state = the agent's last move
    >>> tft.bind(load_game("prisoners_dilemma")).next_state(0, 1, 0)
    1
    """

    def __init__(self, actions: Sequence[Any], transitions: Sequence[Any], start: int = 0, name: str = "automaton"):
        if isinstance(actions, (str, bytes)) or not isinstance(actions, (Sequence, np.ndarray)):
            raise ArgumentTypeError(f"actions must be a sequence (one entry per state), got {type(actions).__name__}")
        if isinstance(transitions, (str, bytes)) or not isinstance(transitions, (Sequence, np.ndarray)):
            raise ArgumentTypeError(f"transitions must be a sequence of per-state rows, got {type(transitions).__name__}")
        Q = len(actions)
        if Q == 0:
            raise ProbeError("actions must list at least one state")
        if Q > MAX_STATES:
            raise ProbeError(f"actions lists {Q} states; at most {MAX_STATES}")
        if len(transitions) != Q:
            raise ProbeError(f"transitions must have one row per state ({Q}), got {len(transitions)}")
        self.actions = list(actions)
        self.transitions = transitions
        self.start = _index(start, "start", Q)
        self.name = str(name)
        self.num_states = Q

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        game = check_two_player(game)
        A, B = game.num_actions
        Q = self.num_states
        policy = np.zeros((Q, B))
        for q, entry in enumerate(self.actions):
            if isinstance(entry, numbers.Integral) and not isinstance(entry, (bool, np.bool_)):
                if not 0 <= int(entry) < B:
                    raise ProbeError(f"partner {self.name!r}: actions[{q}] = {entry} is not one of the game's "
                                     f"{B} column-player actions {list(game.action_names[1])}")
                policy[q, int(entry)] = 1.0
            else:
                try:
                    length = len(entry)
                except TypeError:
                    raise ArgumentTypeError(f"actions[{q}] must be an int or a probability vector, got "
                                            f"{type(entry).__name__}") from None
                if length != B:
                    raise ProbeError(f"partner {self.name!r}: actions[{q}] has {length} probabilities but the game's "
                                     f"column player has {B} actions {list(game.action_names[1])}")
                policy[q] = check_probability_vector(entry, f"actions[{q}]", B, error=ProbeError)
        nxt = np.zeros((Q, A, B), dtype=np.int64)
        for q, row in enumerate(self.transitions):
            if isinstance(row, (str, bytes)) or not hasattr(row, "__len__") or len(row) != A:
                raise ProbeError(f"partner {self.name!r}: transitions[{q}] must have one entry per agent action "
                                 f"({A}: {list(game.action_names[0])}), got {row!r}")
            for a, cell in enumerate(row):
                if hasattr(cell, "__len__") and not isinstance(cell, (str, bytes)):
                    if len(cell) != B:
                        raise ProbeError(f"partner {self.name!r}: transitions[{q}][{a}] must have {B} entries "
                                         f"(one per partner action), got {len(cell)}")
                    for b, c in enumerate(cell):
                        nxt[q, a, b] = _index(c, f"transitions[{q}][{a}][{b}]", Q)
                else:
                    nxt[q, a, :] = _index(cell, f"transitions[{q}][{a}]", Q)
        return FiniteAutomaton(policy, nxt, self.start, self.name)

    def __repr__(self) -> str:
        return f"Automaton({self.name!r}, states={self.num_states})"


def bind_partner(partner: Any, game: NormalFormGame) -> BoundPartner:
    """``partner.bind(game)`` with a clear error when ``partner`` is not a partner."""
    if not callable(getattr(partner, "bind", None)):
        raise ArgumentTypeError(f"partner must be an activeq.tom.partners partner (with .bind(game)), "
                                f"got {type(partner).__name__}")
    return partner.bind(check_two_player(game))
