"""Naive learners: policy-gradient ascent on the learner's own return, treating the others as fixed.

``NaiveLearner`` uses the exact expected gradient of the closed-form discounted value (as in LOLA's memory-1
iterated games, for any tabular stochastic game): ``θ_i <- θ_i + lr ∇_θi V_i(θ_i, π_-i)`` with tabular softmax
logits θ_i of shape ``(S, A_i)``. It reads the others' current policies from ``Transition.policies``.
``SampledNaiveLearner`` estimates the same ascent from its own experience only (a tabular actor-critic:
TD error δ = r + γ v(s') - v(s), critic v(s) += lr_v δ, actor ``θ(s, a) += lr δ (1[a] - π(·|s))``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from ..._checks import as_float_array, check_in_range
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition
from ._tabular import GameTensors, discounted_values, game_tensors, policy_gradient


def _initial_logits(init: Any, S: int, A: int, name: str) -> np.ndarray | None:
    if init is None:
        return None
    arr = as_float_array(init, name, error=LearnerError)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (S, A))
    if arr.shape != (S, A):
        raise LearnerError(f"{name} must have shape (A,) = ({A},) or (S, A) = ({S}, {A}), got {arr.shape}")
    return np.array(arr, dtype=np.float64)


def probs_to_logits(probs: Sequence[float] | np.ndarray) -> np.ndarray:
    """Logits whose softmax is ``probs`` (last axis), clipped away from 0 so they stay finite."""
    p = np.clip(np.asarray(probs, dtype=np.float64), 1e-12, None)
    return np.log(p / p.sum(axis=-1, keepdims=True))


class _SoftmaxTabular(LearnerBase):
    """Tabular softmax policy over (game state, own action) with configurable initial logits."""

    def __init__(self, lr: float, discount: float, init_logits: Any, init_scale: float, name: str):
        super().__init__()
        self.lr = check_in_range(lr, "lr", 0.0, None, low_open=True)
        self.discount = check_in_range(discount, "discount", 0.0, 1.0, high_open=True)
        self.init_scale = check_in_range(init_scale, "init_scale", 0.0, None)
        self._init_given = init_logits
        self._init: np.ndarray | None = None
        self.name = name

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        self._init = _initial_logits(self._init_given, game.num_states, game.num_actions[agent], "init_logits")

    def _init_logits(self, rng: torch.Generator, batch: int) -> torch.Tensor:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        base = torch.zeros(S, A, dtype=DTYPE) if self._init is None else torch.as_tensor(self._init, dtype=DTYPE)
        logits = base.expand(batch, S, A).clone()
        if self.init_scale > 0:
            logits = logits + self.init_scale * torch.randn(batch, S, A, generator=rng, dtype=DTYPE)
        return logits

    @staticmethod
    def _probs(logits: torch.Tensor, state: torch.Tensor) -> torch.Tensor:
        rows = logits[torch.arange(logits.shape[0]), state]
        return torch.softmax(rows, dim=-1)


class NaiveLearner(_SoftmaxTabular):
    """Exact policy gradient on the normalised discounted value ``(1-γ) p0ᵀ(I-γP)⁻¹ r_i`` (others held fixed)."""

    needs_policies = True
    differentiable_update = True   # the update is a smooth function of the policies only (gradient unrolls)

    def __init__(self, lr: float = 1.0, discount: float = 0.96, init_logits: Any = None, init_scale: float = 0.0,
                 name: str = "naive"):
        super().__init__(lr, discount, init_logits, init_scale, name)

    def init(self, rng: torch.Generator, batch: int) -> Params:
        return self._init_logits(rng, batch)

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return self._probs(params, state)

    def all_policies(self, params: Params) -> torch.Tensor:
        """``(B, S, A)`` action probabilities at every game state."""
        return torch.softmax(params, dim=-1)

    def value_gradient(self, logits: torch.Tensor, policies: Sequence[torch.Tensor]) -> torch.Tensor:
        """∇ of this agent's normalised value w.r.t. its logits ``(B, S, A)`` by autograd (others held fixed).

        ``update`` uses the closed form :func:`policy_gradient` (faster); this autograd version is its reference.
        """
        game, _ = self._require_bound()
        with torch.enable_grad():
            th = logits.detach().requires_grad_(True)
            return self._own_value_grad(game_tensors(game), th, [p.detach() for p in policies])

    def _own_value_grad(self, gt: GameTensors, th: torch.Tensor, pols: list[torch.Tensor]) -> torch.Tensor:
        """∇_θ V_i with this agent's policy ``softmax(th)`` put into ``pols`` (the others' policies as given, possibly
        still differentiable, as in LOLA's lookahead). Call under ``torch.enable_grad()`` with ``th`` requiring grad."""
        _, i = self._require_bound()
        pols[i] = torch.softmax(th, dim=-1)
        v = discounted_values(gt, pols, self.discount)[:, i]
        (grad,) = torch.autograd.grad(v.sum(), th)
        return grad

    def _policies(self, transition: Transition) -> Sequence[torch.Tensor]:
        """Every agent's ``(B, S, A_j)`` policies from the transition; these learners cannot work without them."""
        if transition.policies is None:
            raise LearnerError(f"{self.name} needs Transition.policies (every agent's policy at every state)")
        return transition.policies

    def update(self, params: Params, transition: Transition) -> Params:
        pols = list(self._policies(transition))
        game, i = self._require_bound()
        pols[i] = torch.softmax(params, dim=-1)
        return params + self.lr * policy_gradient(game_tensors(game), pols, self.discount, i)


class SampledNaiveLearner(_SoftmaxTabular):
    """Policy gradient from sampled experience only: a tabular actor-critic on the discounted return."""

    def __init__(self, lr: float = 0.5, critic_lr: float = 0.2, discount: float = 0.9, init_logits: Any = None,
                 init_scale: float = 0.0, name: str = "naive_sampled"):
        super().__init__(lr, discount, init_logits, init_scale, name)
        self.critic_lr = check_in_range(critic_lr, "critic_lr", 0.0, 1.0, low_open=True)

    def init(self, rng: torch.Generator, batch: int) -> Params:
        game, _ = self._require_bound()
        logits = self._init_logits(rng, batch)
        return {"logits": logits, "values": torch.zeros(batch, game.num_states, dtype=DTYPE)}

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return self._probs(params["logits"], state)

    def all_policies(self, params: Params) -> torch.Tensor:
        return torch.softmax(params["logits"], dim=-1)

    def update(self, params: Params, transition: Transition) -> Params:
        _, i = self._require_bound()
        b = torch.arange(transition.batch)
        s, s2 = transition.state, transition.next_state
        a = transition.actions[:, i]
        v = params["values"]
        # normalised (1-γ) scale keeps the critic on the reward scale
        delta = (1.0 - self.discount) * transition.rewards[:, i] + self.discount * v[b, s2] - v[b, s]
        values = v.clone()
        values[b, s] = v[b, s] + self.critic_lr * delta
        logits = params["logits"].clone()
        pi = torch.softmax(logits[b, s], dim=-1)
        onehot = torch.nn.functional.one_hot(a, pi.shape[-1]).to(DTYPE)
        logits[b, s] = logits[b, s] + self.lr * delta[:, None] * (onehot - pi)
        return {"logits": logits, "values": values}
