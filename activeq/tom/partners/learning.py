"""Learning partners from :mod:`activeq.active`: a partner that adapts to the agent that probes it.

Any :class:`activeq.active.Learner` plays the column seat of the one-state stochastic game made from the matrix game
(its update sees the joint action and both rewards, exactly as in an active Markov game). Two ready-made ones:

- ``fictitious_play(window=2)``: windowed fictitious play (:class:`activeq.active.WindowedFictitiousPlay`), a
  *finite-state* learner: it binds to a :class:`~activeq.tom.partners.base.FiniteAutomaton` over its window
  contents, so the oracle's best response to it is an exact planning problem over the learner's state.
- ``q_learner()``: the stateless Q-learner persona (:class:`activeq.active.QPersona`, default greedy, epsilon 0).
  Its Q-values are real numbers, so its state set is not finite: the oracle enumerates the states reachable in the
  horizon (exact expectimax over them) and raises ProbeError when more than ``activeq.tom.oracle.MAX_LAYER_STATES``
  would be needed (in practice horizons up to ~10 for 2-3 actions). This is the documented limit of "best response to
  the partner's actual policy" for learners with continuous state.

Raises ProbeError when the learner does not fit the game (via the learner's own LearnerError, re-raised).
"""

from __future__ import annotations

from typing import Any, Hashable

import numpy as np

from ...errors import LearnerError, ProbeError
from ...games import NormalFormGame
from .base import FiniteAutomaton, check_two_player


def _one_state_game(game: NormalFormGame) -> Any:
    from ...games import StochasticGame

    A, B = game.num_actions
    return StochasticGame(np.asarray(game.payoffs)[None], np.ones((1, A, B, 1)), action_names=game.action_names,
                          name=game.name)


class _ContinuousLearner:
    """A bound learner with real-valued state; states are the parameters' bytes (exact, hashable)."""

    finite = False

    def __init__(self, learner: Any, game: NormalFormGame, name: str):
        import torch

        self._torch = torch
        self.learner = learner
        self.name = name
        self.agent_actions, self.num_actions = game.num_actions
        self._payoffs = np.asarray(game.payoffs)
        params = learner.init(torch.Generator().manual_seed(0), 1)
        self._params: dict[Hashable, Any] = {}
        self.start = self._key(params)

    def _key(self, params: Any) -> Hashable:
        arr = params.detach().numpy() if hasattr(params, "detach") else np.asarray(params)
        key = arr.tobytes()
        self._params.setdefault(key, params)
        return key

    def policy(self, state: Hashable) -> np.ndarray:
        zero = self._torch.zeros(1, dtype=self._torch.long)
        return self.learner.policy(self._params[state], zero)[0].numpy().astype(np.float64)

    def next_state(self, state: Hashable, a: int, b: int) -> Hashable:
        from ...active import Transition

        torch = self._torch
        zero = torch.zeros(1, dtype=torch.long)
        r = torch.as_tensor(np.array(self._payoffs[:, a, b]), dtype=torch.float64)[None]
        tr = Transition(zero, torch.as_tensor([[a, b]]), r, zero)
        return self._key(self.learner.update(self._params[state], tr))


class LearnerPartner:
    """Wrap an :mod:`activeq.active` learner as a partner (see the module docstring).

    Parameters
    ----------
    learner : activeq.active.Learner
        An unbound learner; it is bound to seat 1 (the column player) of the game.
    name : str, optional
        A label (default: the learner's name).
    """

    def __init__(self, learner: Any, name: str | None = None):
        if not callable(getattr(learner, "bind", None)) or not callable(getattr(learner, "update", None)):
            from ...errors import ArgumentTypeError

            raise ArgumentTypeError(f"learner must be an activeq.active Learner, got {type(learner).__name__}")
        self.learner = learner
        self.name = name or getattr(learner, "name", "learner")

    def bind(self, game: NormalFormGame) -> Any:
        import torch

        from ...active import Transition

        game = check_two_player(game)
        try:
            bound = self.learner.bind(_one_state_game(game), 1)
        except LearnerError as exc:
            raise ProbeError(f"learning partner {self.name!r} does not fit the game: {exc}") from None
        if not bound.finite_states:
            return _ContinuousLearner(bound, game, self.name)
        A, B = game.num_actions
        states = bound.enumerate_states()
        Q = int(bound.index(states).shape[0])
        zero = torch.zeros(Q, dtype=torch.long)
        policy = bound.policy(states, zero).numpy().astype(np.float64)
        nxt = np.zeros((Q, A, B), dtype=np.int64)
        for a in range(A):
            for b in range(B):
                acts = torch.as_tensor([[a, b]] * Q)
                r = torch.as_tensor(np.array(game.payoffs[:, a, b]), dtype=torch.float64).expand(Q, 2)
                new = bound.update(states, Transition(zero, acts, r, zero))
                nxt[:, a, b] = bound.index(new).numpy()
        order = bound.index(states).numpy()
        policy_by_index = np.zeros_like(policy)
        policy_by_index[order] = policy
        nxt_by_index = np.zeros_like(nxt)
        nxt_by_index[order] = nxt
        start = int(bound.index(bound.init(torch.Generator().manual_seed(0), 1))[0])
        labels = [bound.state_label(k) for k in range(Q)]
        return FiniteAutomaton(policy_by_index, nxt_by_index, start, self.name, labels)


def fictitious_play(window: int = 2, epsilon: float = 0.0, initial: Any = None) -> LearnerPartner:
    """Windowed fictitious play as a finite-state learning partner.

    Parameters
    ----------
    window : int
        How many of the agent's past actions it best-responds to.
    epsilon : float
        Trembling probability (0: deterministic best response, ties shared).
    initial : sequence of int, optional
        Starting window content (agent actions, oldest first).

    Returns
    -------
    LearnerPartner
    """
    from ...active import WindowedFictitiousPlay

    return LearnerPartner(WindowedFictitiousPlay(window, initial, epsilon), f"fictitious_play:{window}")


def q_learner(initial_q: Any = None, epsilon: float = 0.0, discount: float = 0.9, lr: float = 0.5) -> LearnerPartner:
    """The stateless Q-learner persona as a learning partner (continuous state; see the module docstring).

    Parameters
    ----------
    initial_q : sequence of float, optional
        Initial Q-values, one per partner action (default: zeros, fixed at bind time).
    epsilon, discount, lr : float
        Exploration, discount and learning rate of the Q update.

    Returns
    -------
    LearnerPartner
    """
    from ...active import QPersona

    class _Q(QPersona):
        def _on_bind(self) -> None:
            game, agent = self._require_bound()
            if self._default_q:
                self.initial_q = np.zeros(game.num_actions[agent])
            super()._on_bind()

    q = _Q(initial_q if initial_q is not None else (0.0, 0.0), epsilon, discount, lr)
    q._default_q = initial_q is None
    return LearnerPartner(q, "q_learner")
