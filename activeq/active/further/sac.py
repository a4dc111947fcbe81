"""Soft actor-critic on (s, z) with an average-reward (FURTHER) or discounted (LILI) critic target, batched over seeds.

The critic Q(s, z, a_peer, .) scores the agent's own actions given the other agent's action; its target is

    FURTHER:  y = r - rho + V(s', z')        LILI:  y = r + gamma * V(s', z')
    V(s', z') = sum_a pi(a|s',z') [ sum_b p(b|s',z') min_k Qbar_k(s', z', b, a) - alpha log pi(a|s',z') ]

with rho a learned scalar gain per seed, twin critics k = 1, 2 with Polyak-averaged targets Qbar_k, the other
agent's next-action probabilities p(b|s',z') from the inference decoder and entropy weight alpha. The actor maximises
sum_a pi(a|s,z) [min_k Q_k(s, z, a_peer, a) - alpha log pi(a|s,z)].
"""

from __future__ import annotations

import torch

from ._batched import BatchedMLP, polyak_
from .inference import FeatureLayout


class SoftActorCritic(torch.nn.Module):
    """Actor, twin critics (stacked as ``2 * seeds`` copies), their targets and, if average-reward, the gain rho."""

    def __init__(self, seeds: int, layout: FeatureLayout, hidden: int, *, average_reward: bool,
                 generator: torch.Generator | None = None):
        super().__init__()
        self.seeds = int(seeds)
        self.layout = layout
        S, L = layout.num_states, layout.latent
        n_self = layout.num_actions[layout.player]
        n_peer = layout.num_actions[layout.peer]
        self.actor = BatchedMLP(seeds, (S + L, hidden, hidden, n_self), generator)
        self.critics = BatchedMLP(2 * seeds, (S + L + n_peer, hidden, hidden, n_self), generator)
        self.targets = BatchedMLP(2 * seeds, self.critics.sizes, init=False)
        with torch.no_grad():
            self.targets.flat.copy_(self.critics.flat)
        for p in self.targets.parameters():
            p.requires_grad_(False)
        self.average_reward = bool(average_reward)
        self.gain = torch.nn.Parameter(torch.zeros(seeds)) if average_reward else None
        if self.gain is not None:
            self.gain.grad = torch.zeros(seeds)
        self.register_buffer("_peer_eye", torch.eye(n_peer).unsqueeze(0))  # (1, n_peer, n_peer)

    def actor_logits(self, obs_onehot: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        return self.actor(torch.cat([obs_onehot, z], dim=-1))

    def _twin(self, net: BatchedMLP, x: torch.Tensor) -> torch.Tensor:
        """Both critics on the same input ``(B, N, in)`` -> ``(2, B, N, n_self)``."""
        out = net(x.repeat(2, 1, 1))
        return out.view(2, self.seeds, *out.shape[1:])

    def losses(self, row: torch.Tensor, z_next: torch.Tensor, peer_next_prob: torch.Tensor, *,
               entropy_weight: float, discount: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-seed (actor loss, critic loss) on the latest transition.

        ``row``: ``(B, 1, width)`` feature row (its z is the posterior the agent acted with); ``z_next``:
        ``(B, 1, latent)`` a draw from the new posterior; ``peer_next_prob``: ``(B, 1, n_peer)`` decoder output.
        """
        lay = self.layout
        obs, z = row[..., lay.obs], row[..., :lay.latent]
        own = row[..., lay.action(lay.player)]
        peer = row[..., lay.action(lay.peer)]
        reward = row[:, 0, lay.reward]
        next_obs = row[..., lay.next_obs]
        alpha = entropy_weight

        q = self._twin(self.critics, torch.cat([obs, z, peer], dim=-1))[:, :, 0]  # (2, B, n_self)
        q_taken = (q * own[:, 0]).sum(-1)  # (2, B)

        logits = self.actor_logits(obs, z)[:, 0]
        logp = torch.log_softmax(logits, dim=-1)
        p = logp.exp()
        actor_loss = -(p * (q.detach().min(0).values - alpha * logp)).sum(-1)

        with torch.no_grad():
            n_peer = peer.shape[-1]
            nxt = torch.cat([next_obs, z_next], dim=-1).expand(-1, n_peer, -1)
            qn = self._twin(self.targets, torch.cat([nxt, self._peer_eye.expand(self.seeds, -1, -1)], dim=-1))
            qn = qn.min(0).values  # (B, n_peer, n_self)
            next_q = (peer_next_prob[:, 0, :, None] * qn).sum(1)  # (B, n_self)
            nlogp = torch.log_softmax(self.actor_logits(next_obs, z_next)[:, 0], dim=-1)
            next_value = (nlogp.exp() * (next_q - alpha * nlogp)).sum(-1)
        if self.average_reward:
            target = reward - self.gain + next_value
        else:
            target = reward + discount * next_value
        critic_loss = (q_taken - target).square().sum(0)
        return actor_loss, critic_loss

    def update_targets(self, polyak: float) -> None:
        polyak_(self.targets, self.critics, polyak)
