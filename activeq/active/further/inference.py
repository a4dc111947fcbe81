"""Variational inference of the other agent's changing policy (FURTHER / LILI), batched over seeds.

The other agent's policy drifts as it learns; a latent z summarises "where its learning is". After each transition
the encoder gives the next posterior q(z' | z, s, a, r, s') = N(mu, diag(exp(logvar))), the decoder
p(a'_peer | s', z') predicts the other agent's next action, and a KL term keeps consecutive posteriors close:

    L_inf = -(1/(W-1)) sum_k log p(a^peer_{k+1} | s_{k+1}, z_{k+1})  +  beta * mean_k KL(q_{k+1} || q_k)

over the window of the last W transitions (the original trains on the most recent ``batch_size`` transitions each
step). Feature rows are laid out once per transition and reused by the encoder, the critic and the buffer:
``[z, onehot(s), onehot(a_0), onehot(a_1), r, onehot(s')]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ._batched import BatchedMLP

LOGVAR_MIN = -20.0
LOGVAR_MAX = 2.0


@dataclass(frozen=True)
class FeatureLayout:
    """Column offsets of a transition feature row (see module docstring)."""

    num_states: int
    num_actions: tuple[int, int]
    latent: int
    player: int

    @property
    def peer(self) -> int:
        return 1 - self.player

    @property
    def obs(self) -> slice:
        return slice(self.latent, self.latent + self.num_states)

    def action(self, player: int) -> slice:
        start = self.latent + self.num_states + (self.num_actions[0] if player == 1 else 0)
        return slice(start, start + self.num_actions[player])

    @property
    def reward(self) -> int:
        return self.latent + self.num_states + sum(self.num_actions)

    @property
    def next_obs(self) -> slice:
        return slice(self.reward + 1, self.reward + 1 + self.num_states)

    @property
    def width(self) -> int:
        return self.reward + 1 + self.num_states


class LatentInference(torch.nn.Module):
    """Encoder ``q(z'|z,s,a,r,s')`` and decoder ``p(a'_peer|s',z')``, one copy per seed."""

    def __init__(self, seeds: int, layout: FeatureLayout, hidden: int, generator: torch.Generator | None = None):
        super().__init__()
        self.layout = layout
        L = layout.latent
        self.encoder = BatchedMLP(seeds, (layout.width, hidden, hidden, 2 * L), generator)
        self.decoder = BatchedMLP(seeds, (layout.num_states + L, hidden, hidden, layout.num_actions[layout.peer]),
                                  generator)

    def posterior(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mu, logvar) of q(z' | feature row), each ``(B, N, latent)``; logvar clamped to [-20, 2]."""
        out = self.encoder(features)
        L = self.layout.latent
        return out[..., :L], out[..., L:].clamp(LOGVAR_MIN, LOGVAR_MAX)

    @staticmethod
    def sample(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        """Reparameterised draw z = mu + exp(logvar / 2) * eps."""
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def peer_logits(self, obs_onehot: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Decoder logits of the other agent's action in state ``obs`` given latent ``z``."""
        return self.decoder(torch.cat([obs_onehot, z], dim=-1))

    def loss(self, window: torch.Tensor, kl_weight: float, eps: torch.Tensor,
             initial_prior: bool = False) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Per-seed inference loss over a chronological window ``(B, W, width)`` of transitions.

        Returns ``(loss, reconstruction, kl)``, each of shape ``(B,)``. With ``initial_prior`` the first posterior is
        also pulled towards N(0, I) (the original does this on the first update only).
        """
        lay = self.layout
        mu, logvar = self.posterior(window[:, :-1])
        z = mu + torch.exp(0.5 * logvar) * eps
        logits = self.peer_logits(window[:, :-1, lay.next_obs], z)
        target = window[:, 1:, lay.action(lay.peer)]
        recon = -(target * torch.log_softmax(logits, dim=-1)).sum(-1).mean(-1)
        if initial_prior:
            zeros = torch.zeros_like(mu[:, :1])
            mu = torch.cat([zeros, mu], dim=1)
            logvar = torch.cat([zeros, logvar], dim=1)
        lv_prev, lv_next = logvar[:, :-1], logvar[:, 1:]
        d = mu[:, :-1] - mu[:, 1:]
        inv_prev = torch.exp(-lv_prev)
        kl = 0.5 * (lv_prev - lv_next - 1.0 + torch.exp(lv_next) * inv_prev + d.square() * inv_prev).sum(-1)
        kl = kl.mean(-1)
        return recon + kl_weight * kl, recon, kl
