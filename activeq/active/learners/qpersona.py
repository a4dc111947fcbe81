"""The tabular Q-learner "persona" of FURTHER's experiments: stateless Q over its own actions."""

from __future__ import annotations

from typing import Sequence

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
