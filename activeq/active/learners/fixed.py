"""A fixed (non-learning) stationary policy: the Nash special case of an active Markov game."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..._checks import as_float_array, show
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition


class FixedPolicy(LearnerBase):
    """Plays ``policy`` forever: ``(A,)`` (same in every game state) or ``(S, A)``; one internal state."""

    finite_states = True

    def __init__(self, policy: Any, name: str = "fixed"):
        super().__init__()
        arr = as_float_array(policy, "policy", error=LearnerError)
        if arr.ndim not in (1, 2) or arr.size == 0:
            raise LearnerError(f"policy must have shape (A,) or (S, A) with A >= 1, got {arr.shape}")
        if arr.min() < -1e-9 or np.any(np.abs(arr.sum(axis=-1) - 1.0) > 1e-9 * arr.shape[-1]):
            raise LearnerError(f"policy rows must be probability vectors, got {show(arr.tolist())}")
        arr = np.clip(arr, 0.0, None)
        self._policy = arr / arr.sum(axis=-1, keepdims=True)
        self.name = name
        self._table: torch.Tensor | None = None

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        arr = self._policy
        if arr.shape[-1] != A:
            raise LearnerError(f"{self.name}: policy has {arr.shape[-1]} actions but agent {agent} has {A} in the game")
        if arr.ndim == 2 and arr.shape[0] != S:
            raise LearnerError(f"{self.name}: policy has {arr.shape[0]} states but the game has {S}")
        self._table = torch.as_tensor(np.broadcast_to(arr, (S, A)).copy(), dtype=DTYPE)

    @property
    def table(self) -> np.ndarray:
        """The policy as an ``(S, A)`` array (after binding) or as given."""
        return self._policy if self._table is None else self._table.numpy().copy()

    @property
    def num_states(self) -> int:
        return 1

    def init(self, rng: torch.Generator, batch: int) -> Params:
        return torch.zeros(batch, dtype=torch.long)

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        self._require_bound()
        return self._table[state]

    def all_policies(self, params: Params) -> torch.Tensor:
        self._require_bound()
        return self._table.expand(params.shape[0], -1, -1)

    def update(self, params: Params, transition: Transition) -> Params:
        return params

    def enumerate_states(self) -> Params:
        return torch.zeros(1, dtype=torch.long)

    def index(self, params: Params) -> torch.Tensor:
        return torch.zeros(params.shape[0], dtype=torch.long)
