"""LOLA: one-step lookahead on the naive learners' exact gradient (Foerster et al.'s learning with opponent-learning
awareness), for tabular softmax policies.

Each other agent j is modelled as a naive learner with step ``opponent_lr`` on logits ``φ_j = log π_j`` (read from
``Transition.policies``): ``Δφ_j = η_j ∇_φj V_j(θ_i, φ)``. The LOLA agent ascends its value *after* that step,
``θ_i <- θ_i + lr ∇_θi V_i(θ_i, φ + Δφ(θ_i))``, differentiating through Δφ (second-order term included).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from ..._checks import check_in_range
from ...errors import LearnerError
from ..learner import Params, Transition
from ._tabular import discounted_values, game_tensors
from .naive import NaiveLearner


class LOLA(NaiveLearner):
    """Naive learner plus one step of opponent-learning awareness (``lookahead_steps`` > 1 unrolls more steps)."""

    differentiable_update = False  # its lookahead detaches the others' policies (no gradient unrolls through it)

    def __init__(self, lr: float = 1.0, opponent_lr: float = 1.0, discount: float = 0.96, init_logits: Any = None,
                 init_scale: float = 0.0, lookahead_steps: int = 1, name: str = "lola"):
        super().__init__(lr, discount, init_logits, init_scale, name)
        self.opponent_lr = check_in_range(opponent_lr, "opponent_lr", 0.0, None)
        if not isinstance(lookahead_steps, int) or lookahead_steps < 1:
            raise LearnerError(f"lookahead_steps must be an int >= 1, got {lookahead_steps!r}")
        self.lookahead_steps = lookahead_steps

    def value_gradient(self, logits: torch.Tensor, policies: Sequence[torch.Tensor]) -> torch.Tensor:
        game, i = self._require_bound()
        gt = game_tensors(game)
        n = len(policies)
        with torch.enable_grad():
            th = logits.detach().requires_grad_(True)
            phis = [torch.log(p.detach().clamp_min(1e-12)).requires_grad_(True) for p in policies]
            for _ in range(self.lookahead_steps):
                pols = [torch.softmax(f, dim=-1) for f in phis]
                pols[i] = torch.softmax(th, dim=-1)
                values = discounted_values(gt, pols, self.discount)
                new_phis = list(phis)
                for j in range(n):
                    if j == i:
                        continue
                    # the opponent's naive gradient at its current logits, kept differentiable in θ_i
                    (g_phi,) = torch.autograd.grad(values[:, j].sum(), phis[j], create_graph=True)
                    new_phis[j] = phis[j] + self.opponent_lr * g_phi
                phis = new_phis
            return self._own_value_grad(gt, th, [torch.softmax(f, dim=-1) for f in phis])

    def update(self, params: Params, transition: Transition) -> Params:
        return params + self.lr * self.value_gradient(params, self._policies(transition))
