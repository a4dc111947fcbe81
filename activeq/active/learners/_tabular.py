"""Torch views of a tabular game and the closed-form discounted value used by naive learners and LOLA.

For a stationary profile π the state chain is ``P[s, s'] = Σ_a π(a|s) T[s, a, s']`` and agent i's expected reward
``r_i[s] = Σ_a π(a|s) R_i[s, a]``; the normalised discounted value from the start law p0 is

    V_i = (1 - γ) p0ᵀ (I - γ P)⁻¹ r_i,

which is differentiable in the policies (as in LOLA's exact memory-1 value), batched over chains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from ...games import StochasticGame
from ..learner import DTYPE


@dataclass(frozen=True)
class GameTensors:
    """``R`` (S, n, M) rewards and ``T`` (S, M, S) transitions over flat joint actions M, and ``p0`` (S,)."""

    R: torch.Tensor
    T: torch.Tensor
    p0: torch.Tensor
    num_actions: tuple[int, ...]

    @property
    def num_states(self) -> int:
        return int(self.R.shape[0])


_CACHE: dict[int, tuple[StochasticGame, GameTensors]] = {}


def game_tensors(game: StochasticGame) -> GameTensors:
    """Cached float64 tensors of ``game`` (keyed by object identity)."""
    hit = _CACHE.get(id(game))
    if hit is not None and hit[0] is game:
        return hit[1]
    S, n = game.num_states, game.num_players
    R = torch.as_tensor(np.array(game.rewards.reshape(S, n, -1)), dtype=DTYPE)
    T = torch.as_tensor(np.array(game.transitions.reshape(S, -1, S)), dtype=DTYPE)
    gt = GameTensors(R, T, torch.as_tensor(np.array(game.initial), dtype=DTYPE), tuple(game.num_actions))
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(game)] = (game, gt)
    return gt


_EYES: dict[int, torch.Tensor] = {}


def _eye(S: int) -> torch.Tensor:
    e = _EYES.get(S)
    if e is None:
        e = _EYES.setdefault(S, torch.eye(S, dtype=DTYPE))
    return e


def joint_policy(policies: Sequence[torch.Tensor]) -> torch.Tensor:
    """Outer product of per-agent policies ``(B, S, A_j)`` -> ``(B, S, M)`` over flat joint actions (row-major)."""
    joint = policies[0]
    for pi in policies[1:]:
        joint = (joint.unsqueeze(-1) * pi.unsqueeze(-2)).flatten(-2)
    return joint


def discounted_values(gt: GameTensors, policies: Sequence[torch.Tensor], discount: float) -> torch.Tensor:
    """Normalised discounted values ``(B, n)`` of every agent from the start law (differentiable)."""
    joint = joint_policy(policies)  # (B, S, M)
    P = (joint.unsqueeze(-2) @ gt.T).squeeze(-2)
    r = (joint.unsqueeze(-2) * gt.R).sum(dim=-1)  # (B, S, n)
    S = gt.num_states
    eye = _eye(S)
    # x = (I - γ Pᵀ)⁻¹ p0 is the discounted state-visit vector; V = (1 - γ) xᵀ r.
    A = eye - discount * P.transpose(1, 2)
    x = torch.linalg.solve(A, gt.p0.expand(P.shape[0], S).unsqueeze(-1)).squeeze(-1)
    return (1.0 - discount) * torch.einsum("bs,bsn->bn", x, r)


def stationary_values(gt: GameTensors, policies: Sequence[torch.Tensor]) -> torch.Tensor:
    """Long-run average reward ``(B, n)`` of a stationary profile from the start law (Cesàro limit).

    Computed as the Abel limit with γ = 1 - 1e-7 of the normalised discounted value, accurate to ~1e-6 for
    chains that mix in far fewer than 10⁷ steps (every memory-1 iterated game with mixed policies).
    """
    return discounted_values(gt, policies, 1.0 - 1e-7)


def policy_gradient(gt: GameTensors, policies: Sequence[torch.Tensor], discount: float, agent: int) -> torch.Tensor:
    """Closed-form ∇ of agent's normalised discounted value w.r.t. its softmax logits ``(B, S, A_i)``.

    Policy-gradient theorem with exact quantities: ``∂V/∂θ(s,a) = (1-γ) x(s) π(a|s) (Q(s,a) - Σ_b π(b|s) Q(s,b))`` where
    ``x = (I - γPᵀ)⁻¹ p0`` is the discounted visitation and ``Q(s,a_i) = E_{a_-i}[R_i(s,a) + γ Σ_s' T(s,a,s') v(s')]``.
    Two batched linear solves and no autograd (the same value as differentiating :func:`discounted_values`).
    """
    joint = joint_policy(policies)
    P = (joint.unsqueeze(-2) @ gt.T).squeeze(-2)  # (B, S, S)
    Ri = gt.R[:, agent]  # (S, M)
    r = (joint * Ri).sum(dim=-1)
    B, S = r.shape
    eye = _eye(S)
    x = torch.linalg.solve(eye - discount * P.transpose(1, 2), gt.p0.expand(B, S).unsqueeze(-1)).squeeze(-1)
    v = torch.linalg.solve(eye - discount * P, r.unsqueeze(-1)).squeeze(-1)
    q = Ri + discount * (gt.T @ v.T.unsqueeze(0)).permute(2, 0, 1)  # (B, S, M)
    q = q.reshape(B, S, *gt.num_actions)
    n = len(gt.num_actions)
    for j in reversed(range(n)):  # contract the others' actions, keep the agent's axis
        if j == agent:
            continue
        shape = [B, S] + [1] * n
        shape[2 + j] = gt.num_actions[j]
        q = (q * policies[j].reshape(shape)).sum(dim=2 + j, keepdim=True)
    q_i = q.reshape(B, S, gt.num_actions[agent])
    pi = policies[agent]
    adv = q_i - (pi * q_i).sum(dim=-1, keepdim=True)
    return (1.0 - discount) * x.unsqueeze(-1) * pi * adv
