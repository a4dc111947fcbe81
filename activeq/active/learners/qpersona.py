"""The tabular Q-learner "persona" of FURTHER's experiments (Kim et al., NeurIPS 2022, ``algorithm/tabular_q``).

- :class:`QPersona`: stateless Q over its own actions, as in the original;
- :class:`StateQPersona`: the same learner with a Q row per game state (memory-1 in an iterated game), for games such
  as the prisoner's dilemma where a stateless learner could not reciprocate.

Raises :class:`activeq.errors.LearnerError` for an ``initial_q`` that does not fit the game.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch

from ..._checks import as_float_array, check_in_range
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition, greedy_probs


class QPersona(LearnerBase):
    """Stateless Q-learning: ``Q(a) <- Q(a) + lr (r + γ max_b Q(b) - Q(a))``, epsilon-greedy play.

    Defaults follow FURTHER's persona: ``initial_q=(10, 20)`` (so it starts preferring action 1), ``epsilon=0.05``,
    ``discount=0.9``, ``lr=0.5``. Ties at the max share the greedy probability. Not finite-state (Q is real).
    """

    def __init__(self, initial_q: Sequence[float] = (10.0, 20.0), epsilon: float = 0.05, discount: float = 0.9,
                 lr: float = 0.5, name: str = "q_persona"):
        super().__init__()
        self.initial_q = as_float_array(initial_q, "initial_q", ndim=1, error=LearnerError)
        self.epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
        self.discount = check_in_range(discount, "discount", 0.0, 1.0, high_open=True)
        self.lr = check_in_range(lr, "lr", 0.0, None, low_open=True)
        self.name = name

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        if self.initial_q.shape[0] != game.num_actions[agent]:
            raise LearnerError(f"{self.name}: initial_q has {self.initial_q.shape[0]} entries but agent {agent} has "
                               f"{game.num_actions[agent]} actions in the game")

    def init(self, rng: torch.Generator, batch: int) -> Params:
        self._require_bound()
        return torch.as_tensor(self.initial_q, dtype=DTYPE).expand(batch, -1).clone()

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return greedy_probs(params, self.epsilon)

    def all_policies(self, params: Params) -> torch.Tensor:
        """``(B, S, A)``: the same epsilon-greedy distribution in every game state."""
        game, _ = self._require_bound()
        return self.policy(params, None).unsqueeze(1).expand(-1, game.num_states, -1)

    def update(self, params: Params, transition: Transition) -> Params:
        _, i = self._require_bound()
        a = transition.actions[:, i]
        r = transition.rewards[:, i]
        q_a = params.gather(1, a[:, None]).squeeze(1)
        target = r + self.discount * params.max(dim=1).values
        new = params.clone()
        new.scatter_(1, a[:, None], (q_a + self.lr * (target - q_a))[:, None])
        return new


class StateQPersona(QPersona):
    """The Q persona with a Q table over the game's states: memory-1 Q-learning in an iterated game.

    ``Q(s, a) <- Q(s, a) + lr (r + γ max_b Q(s', b) - Q(s, a))`` and epsilon-greedy play in each state; everything
    else as :class:`QPersona`. ``initial_q`` is ``(A,)`` (the same row in every state) or ``(S, A)``. Defaults are the
    original FURTHER persona's (Q ``(10, 20)``, epsilon 0.05, discount 0.9) except ``lr=1.0``, the original's
    effective step (see :mod:`activeq.active.further.matches`). Not finite-state (Q is real).
    """

    def __init__(self, initial_q: Sequence[float] = (10.0, 20.0), epsilon: float = 0.05, discount: float = 0.9,
                 lr: float = 1.0, name: str = "q_persona_memory1"):
        super().__init__(initial_q=(0.0,), epsilon=epsilon, discount=discount, lr=lr, name=name)
        self.initial_q = as_float_array(initial_q, "initial_q", error=LearnerError)
        if self.initial_q.ndim not in (1, 2):
            raise LearnerError(f"initial_q must have shape (A,) or (S, A), got {self.initial_q.shape}")

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        if self.initial_q.shape[-1] != A or (self.initial_q.ndim == 2 and self.initial_q.shape[0] != S):
            raise LearnerError(f"{self.name}: initial_q has shape {self.initial_q.shape}; agent {agent} needs "
                               f"({A},) or ({S}, {A})")

    def init(self, rng: torch.Generator, batch: int) -> Params:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        q = torch.as_tensor(np.broadcast_to(self.initial_q, (S, A)).copy(), dtype=DTYPE)
        return q.expand(batch, S, A).clone()

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return greedy_probs(params[torch.arange(params.shape[0]), state], self.epsilon)

    def all_policies(self, params: Params) -> torch.Tensor:
        """``(B, S, A)``: the epsilon-greedy distribution of each state's Q row."""
        return greedy_probs(params, self.epsilon)

    def update(self, params: Params, transition: Transition) -> Params:
        _, i = self._require_bound()
        b = torch.arange(params.shape[0])
        s, s2, a = transition.state, transition.next_state, transition.actions[:, i]
        q_sa = params[b, s, a]
        target = transition.rewards[:, i] + self.discount * params[b, s2].max(dim=1).values
        new = params.clone()
        new[b, s, a] = q_sa + self.lr * (target - q_sa)
        return new
