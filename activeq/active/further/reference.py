"""A straightforward one-seed FURTHER / LILI, written like the original (for validation and speed comparison).

Separate ``nn.Linear`` networks, twin critics with deep-copied targets, one Adam optimizer per part,
``clip_grad_norm_`` per part, a growing replay list, one transition and one update per step. It draws its random
numbers in the same order and shapes as :class:`~activeq.active.further.agent.FurtherAgent` with ``num_seeds=1``,
so from the same seed both produce the same trajectory: the batched agent is tested against it, and
``benchmarks/active.py`` times it as the "one seed per process" baseline.
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F

from ..._checks import SeedLike
from .agent import FurtherAgent, FurtherConfig, torch_generator

LOGVAR_MIN, LOGVAR_MAX = -20.0, 2.0


class _MLP(torch.nn.Module):
    def __init__(self, sizes: list[int], generator: torch.Generator):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))
        with torch.no_grad():
            for lin, (i, o) in zip(self.layers, zip(sizes[:-1], sizes[1:])):
                # same draw as BatchedMLP: a (1, in*out) normal block, laid out (in, out) -> Linear's (out, in)
                w = torch.randn(1, i * o, generator=generator) * math.sqrt(2.0 / (i + o))
                lin.weight.copy_(w.view(i, o).T)
                lin.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for k, lin in enumerate(self.layers):
            x = lin(x)
            if k < len(self.layers) - 1:
                x = F.relu(x)
        return x


class ReferenceFurther:
    """One-seed FURTHER (``average_reward=True``) or LILI (``False``) for a 2-player game with finite states."""

    def __init__(self, num_states: int, num_actions: tuple[int, int], *, player: int = 0,
                 config: FurtherConfig | None = None, seed: SeedLike = None, average_reward: bool = True):
        self.cfg = cfg = config or FurtherConfig()
        self.S, self.acts, self.player = num_states, tuple(num_actions), player
        self.peer = 1 - player
        self.average_reward = average_reward
        self.gen = g = torch_generator(seed)
        S, L, H = num_states, cfg.latent, cfg.hidden
        n_self, n_peer = self.acts[player], self.acts[self.peer]
        width = L + 2 * S + sum(self.acts) + 1
        # construction order = FurtherAgent's: encoder, decoder, actor, critics (critic 1 then 2 per layer)
        self.encoder = _MLP([width, H, H, 2 * L], g)
        self.decoder = _MLP([S + L, H, H, n_peer], g)
        self.actor = _MLP([S + L, H, H, n_self], g)
        self.critic1, self.critic2 = self._twin_init([S + L + n_peer, H, H, n_self], g)
        self.target1, self.target2 = copy.deepcopy(self.critic1), copy.deepcopy(self.critic2)
        self.gain = torch.nn.Parameter(torch.zeros(())) if average_reward else None
        self.opt_actor = torch.optim.Adam(self.actor.parameters(), lr=cfg.actor_lr)
        self.opt_critic = torch.optim.Adam(list(self.critic1.parameters()) + list(self.critic2.parameters()),
                                           lr=cfg.critic_lr)
        self.opt_inf = torch.optim.Adam(list(self.encoder.parameters()) + list(self.decoder.parameters()),
                                        lr=cfg.inference_lr)
        self.opt_gain = torch.optim.Adam([self.gain], lr=cfg.gain_lr) if average_reward else None
        self.memory: list[torch.Tensor] = []
        self.z = torch.zeros(1, L)
        self.steps = 0

    @staticmethod
    def _twin_init(sizes: list[int], g: torch.Generator) -> tuple[_MLP, _MLP]:
        """Two critics drawn like BatchedMLP's stacked copies (each layer: a (2, in*out) block, copy 0 then 1)."""
        c1, c2 = _MLP.__new__(_MLP), _MLP.__new__(_MLP)
        for c in (c1, c2):
            torch.nn.Module.__init__(c)
            c.layers = torch.nn.ModuleList(torch.nn.Linear(i, o) for i, o in zip(sizes[:-1], sizes[1:]))
        with torch.no_grad():
            for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
                w = torch.randn(2, i * o, generator=g) * math.sqrt(2.0 / (i + o))
                for j, c in enumerate((c1, c2)):
                    c.layers[k].weight.copy_(w[j].view(i, o).T)
                    c.layers[k].bias.zero_()
        return c1, c2

    def _onehot(self, k: int, n: int) -> torch.Tensor:
        v = torch.zeros(1, n)
        v[0, k] = 1.0
        return v

    def act(self, state: int) -> int:
        with torch.no_grad():
            logits = self.actor(torch.cat([self._onehot(state, self.S), self.z], dim=-1))
            p = F.softmax(logits, dim=-1)
            u = torch.rand(1, 1, generator=self.gen)
            return int((u > p.cumsum(-1)[:, :-1]).sum())

    def _encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.encoder(x)
        L = self.cfg.latent
        return out[..., :L], out[..., L:].clamp(LOGVAR_MIN, LOGVAR_MAX)

    def observe(self, state: int, actions: tuple[int, int], reward: float, next_state: int) -> None:
        cfg, S = self.cfg, self.S
        row = torch.cat([self.z, self._onehot(state, S), self._onehot(actions[0], self.acts[0]),
                         self._onehot(actions[1], self.acts[1]), torch.tensor([[float(reward)]]),
                         self._onehot(next_state, S)], dim=-1)
        self.memory.append(row)
        if len(self.memory) > cfg.window:
            self.memory.pop(0)
        self.steps += 1
        with torch.no_grad():
            mu, logvar = self._encode(row)
            z_next = mu + torch.exp(0.5 * logvar) * torch.randn(1, 1, cfg.latent, generator=self.gen)[0]
        if self.steps < cfg.window:
            if self.gain is not None and reward > self.gain.item():
                self.gain.data.fill_(float(reward))
        else:
            eps_c = torch.randn(1, 1, cfg.latent, generator=self.gen)[0]
            eps_w = torch.randn(1, cfg.window - 1, cfg.latent, generator=self.gen)[0]
            self.update(row, mu, logvar, torch.cat(self.memory, dim=0), eps_c, eps_w)
        self.z = z_next

    def losses(self, row, mu, logvar, window, eps_c, eps_w):
        cfg, S, L = self.cfg, self.S, self.cfg.latent
        a0 = slice(L + S, L + S + self.acts[0])
        a1 = slice(a0.stop, a0.stop + self.acts[1])
        own, peer = (a0, a1) if self.player == 0 else (a1, a0)
        r_col = a1.stop
        obs, z, nobs = row[:, L:L + S], row[:, :L], row[:, r_col + 1:]
        alpha = cfg.entropy_weight
        with torch.no_grad():
            z2 = mu + torch.exp(0.5 * logvar) * eps_c
            p_peer = F.softmax(self.decoder(torch.cat([nobs, z2], -1)), -1)
        x = torch.cat([obs, z, row[:, peer]], -1)
        q1, q2 = self.critic1(x), self.critic2(x)
        a_own = row[:, own].argmax(-1, keepdim=True)
        logits = self.actor(torch.cat([obs, z], -1))
        logp = F.log_softmax(logits, -1)
        actor_loss = -(logp.exp() * (torch.min(q1, q2).detach() - alpha * logp)).sum()
        with torch.no_grad():
            next_q = 0.0
            for b in range(self.acts[self.peer]):
                xb = torch.cat([nobs, z2, self._onehot(b, self.acts[self.peer])], -1)
                next_q = next_q + p_peer[:, b:b + 1] * torch.min(self.target1(xb), self.target2(xb))
            nlogp = F.log_softmax(self.actor(torch.cat([nobs, z2], -1)), -1)
            v = (nlogp.exp() * (next_q - alpha * nlogp)).sum()
        r = row[0, r_col]
        target = r - self.gain + v if self.average_reward else r + cfg.discount * v
        critic_loss = (q1.gather(1, a_own)[0, 0] - target) ** 2 + (q2.gather(1, a_own)[0, 0] - target) ** 2
        # inference on the window
        m, lv = self._encode(window[:-1])
        zz = m + torch.exp(0.5 * lv) * eps_w
        logits_p = self.decoder(torch.cat([window[:-1, r_col + 1:], zz], -1))
        target_p = window[1:, peer].argmax(-1)
        recon = F.cross_entropy(logits_p, target_p)
        if self.steps == cfg.window:
            m = torch.cat([torch.zeros(1, L), m])
            lv = torch.cat([torch.zeros(1, L), lv])
        kl = 0.5 * (lv[:-1].sum(-1) - lv[1:].sum(-1) - L + (torch.exp(lv[1:]) / torch.exp(lv[:-1])).sum(-1)
                    + ((m[:-1] - m[1:]) ** 2 / torch.exp(lv[:-1])).sum(-1))
        return actor_loss, critic_loss, recon + cfg.kl_weight * kl.mean()

    def update(self, row, mu, logvar, window, eps_c, eps_w) -> None:
        cfg = self.cfg
        actor_loss, critic_loss, inf_loss = self.losses(row, mu, logvar, window, eps_c, eps_w)
        self.opt_actor.zero_grad()
        actor_loss.backward()
        torch.nn.utils.clip_grad_norm_(self.actor.parameters(), cfg.max_grad_norm)
        self.opt_actor.step()
        self.opt_critic.zero_grad()
        if self.opt_gain is not None:
            self.opt_gain.zero_grad()
        critic_loss.backward()
        torch.nn.utils.clip_grad_norm_(list(self.critic1.parameters()) + list(self.critic2.parameters()),
                                       cfg.max_grad_norm)
        self.opt_critic.step()
        if self.opt_gain is not None:
            torch.nn.utils.clip_grad_norm_([self.gain], cfg.max_grad_norm)
            self.opt_gain.step()
        self.opt_inf.zero_grad()
        inf_loss.backward()
        torch.nn.utils.clip_grad_norm_(list(self.encoder.parameters()) + list(self.decoder.parameters()),
                                       cfg.max_grad_norm)
        self.opt_inf.step()
        with torch.no_grad():
            for c, t in ((self.critic1, self.target1), (self.critic2, self.target2)):
                for p, pt in zip(c.parameters(), t.parameters()):
                    pt.mul_(cfg.polyak).add_((1.0 - cfg.polyak) * p)

    def actor_weights(self) -> list[torch.Tensor]:
        """Actor weights in BatchedMLP layout ``(in, out)`` per layer (for comparisons)."""
        return [lin.weight.detach().T.clone() for lin in self.actor.layers]


def batched_actor_weights(agent: FurtherAgent, seed_index: int) -> list[torch.Tensor]:
    """Seed ``seed_index``'s actor weights ``(in, out)`` per layer from a batched agent."""
    return [w.detach()[seed_index].clone() for w in agent.sac.actor.weights]
