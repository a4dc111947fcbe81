"""FURTHER and LILI agents for 2-player games with a finite state, batched over independent seeds.

One agent object holds ``num_seeds`` independent learners (parameters with a leading seed dimension). Each call to
:meth:`FurtherAgent.observe` feeds one transition per seed and, after a warm-up of ``window`` transitions, performs
one update per seed exactly as the original implementation: actor and critic on the most recent transition,
inference on the last ``window`` transitions. Nothing in the per-step path loops over seeds or syncs with Python.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ..._checks import SeedLike, as_generator, check_choice, check_in_range, check_positive_int
from ...errors import ArgumentError, LearnerError
from ._batched import make_adam, per_seed_clip_
from .inference import FeatureLayout, LatentInference
from .sac import SoftActorCritic


LATENT_SOURCES = ("own", "peer")


@dataclass(frozen=True)
class FurtherConfig:
    """Hyperparameters of FURTHER / LILI. Defaults: the original's iterated Bach-or-Stravinsky settings.

    ``window`` is the original ``batch_size``: the warm-up length (no updates before it) and the number of recent
    transitions the inference loss is computed on. ``discount`` is used by LILI only.

    ``latent_source`` says which previous latent the encoder reads to make the latent the agent *acts* with next:
    ``"own"`` (the method as written: z' ~ q(z' | z_own, s, a, r, s')) or ``"peer"``, the wiring of the original
    trainer, where a misspelled loop variable makes every agent encode from agent 1's previous latent (zeros when the
    other agent has none, e.g. the Q persona). Training is the same in both: the buffer, critic and inference use the
    agent's own latents. In the original, agent 0 runs ``"peer"`` and agent 1 ``"own"`` (its own latent *is* agent 1's).
    """

    actor_lr: float = 5e-4
    critic_lr: float = 2e-3
    gain_lr: float = 0.02
    inference_lr: float = 2e-3
    hidden: int = 32
    latent: int = 5
    entropy_weight: float = 0.4
    kl_weight: float = 0.01
    polyak: float = 0.99
    window: int = 256
    max_grad_norm: float = 1000.0
    discount: float = 0.99
    latent_source: str = "own"

    def __post_init__(self) -> None:
        check_choice(self.latent_source, "latent_source", LATENT_SOURCES)
        for name in ("actor_lr", "critic_lr", "gain_lr", "inference_lr", "max_grad_norm"):
            check_in_range(getattr(self, name), name, 0.0, None, low_open=True)
        for name in ("entropy_weight", "kl_weight"):
            check_in_range(getattr(self, name), name, 0.0, None)
        check_in_range(self.polyak, "polyak", 0.0, 1.0)
        check_in_range(self.discount, "discount", 0.0, 1.0, high_open=True)
        check_positive_int(self.hidden, "hidden")
        check_positive_int(self.latent, "latent")
        check_positive_int(self.window, "window", minimum=2)

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> "FurtherConfig":
        """The original's settings for ``"bach_or_stravinsky"``, ``"cooperative"`` or ``"matching_pennies"``."""
        if name not in PRESETS:
            raise ArgumentError(f"name must be one of {', '.join(map(repr, PRESETS))}; got {name!r}")
        return dataclasses.replace(PRESETS[name], **overrides)

    def replace(self, **changes: Any) -> "FurtherConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PRESETS: dict[str, FurtherConfig] = {
    "bach_or_stravinsky": FurtherConfig(),
    "cooperative": FurtherConfig(actor_lr=1e-4, critic_lr=5e-4, gain_lr=0.02, inference_lr=5e-4, hidden=32,
                                 entropy_weight=0.3, polyak=0.995, window=64, max_grad_norm=10.0),
    "matching_pennies": FurtherConfig(actor_lr=1e-3, critic_lr=1e-2, gain_lr=0.05, inference_lr=1e-2, hidden=64,
                                      entropy_weight=0.35, polyak=0.995, window=64, max_grad_norm=10.0),
}


def torch_generator(seed: SeedLike) -> torch.Generator:
    """A CPU torch Generator seeded from an int / numpy Generator (via ``as_generator``)."""
    g = torch.Generator()
    g.manual_seed(int(as_generator(seed).integers(2**62)))
    return g


class FurtherAgent:
    """FURTHER: latent inference of the other agent's learning + average-reward soft actor-critic.

    ``num_states`` observation states (one-hot), ``num_actions = (n_0, n_1)`` of the 2-player game, ``player`` this
    agent's index. ``act(state)`` and ``observe(state, actions, reward, next_state)`` take torch tensors with one entry
    per seed: ``state (B,)`` long, ``actions (B, 2)`` long, ``reward (B,)`` this agent's reward.
    """

    average_reward = True
    kind = "further"

    def __init__(self, num_states: int, num_actions: tuple[int, int], *, player: int = 0, num_seeds: int = 1,
                 config: FurtherConfig | None = None, seed: SeedLike = None):
        S = check_positive_int(num_states, "num_states")
        try:
            acts = tuple(check_positive_int(a, "num_actions[i]") for a in num_actions)
        except TypeError:
            raise LearnerError(f"num_actions must be a pair of action counts, got {num_actions!r}") from None
        if len(acts) != 2:
            raise LearnerError(f"{type(self).__name__} supports 2-player games; num_actions has {len(acts)} entries")
        if player not in (0, 1):
            raise ArgumentError(f"player must be 0 or 1, got {player!r}")
        self.num_seeds = B = check_positive_int(num_seeds, "num_seeds")
        self.config = cfg = config if config is not None else FurtherConfig()
        if not isinstance(cfg, FurtherConfig):
            raise ArgumentError(f"config must be a FurtherConfig, got {type(cfg).__name__}")
        self.num_states, self.num_actions, self.player = S, acts, int(player)
        self.generator = torch_generator(seed)
        self.layout = lay = FeatureLayout(S, acts, cfg.latent, self.player)
        self.inference = LatentInference(B, lay, cfg.hidden, self.generator)
        self.sac = SoftActorCritic(B, lay, cfg.hidden, average_reward=self.average_reward, generator=self.generator)
        groups = [{"params": [self.sac.actor.flat], "lr": cfg.actor_lr},
                  {"params": [self.sac.critics.flat], "lr": cfg.critic_lr},
                  {"params": [self.inference.encoder.flat, self.inference.decoder.flat], "lr": cfg.inference_lr}]
        if self.sac.gain is not None:
            groups.append({"params": [self.sac.gain], "lr": cfg.gain_lr})
        self.optimizer = make_adam(groups)
        blocks = [self.sac.actor.grad_blocks, self.sac.critics.grad_blocks,
                  self.inference.encoder.grad_blocks + self.inference.decoder.grad_blocks]
        if self.sac.gain is not None:
            blocks.append([self.sac.gain.grad.view(B, 1)])
        self._clip_groups = [(b, 2 if k == 1 else 1) for k, b in enumerate(blocks)]
        self._grads = [p.grad for g in groups for p in g["params"]]
        W = cfg.window
        self._eye_s = torch.eye(S)
        self._eye_a = (torch.eye(acts[0]), torch.eye(acts[1]))
        self.z = torch.zeros(B, cfg.latent)  # current posterior draw per seed
        self.buffer = torch.zeros(B, 2 * W, lay.width)  # two copies: the last W rows are one contiguous slice
        self.steps = 0  # transitions observed
        self.diverged_at = torch.full((B,), -1, dtype=torch.long)
        self.last_losses = torch.zeros(3, B)  # actor, critic, inference (updated in place, for diagnostics)

    # --- acting ---------------------------------------------------------------------------------
    @torch.no_grad()
    def policy(self, state: torch.Tensor) -> torch.Tensor:
        """Action probabilities ``(B, n_self)`` in ``state (B,)`` under the current latent."""
        logits = self.sac.actor_logits(self._eye_s[state].unsqueeze(1), self.z.unsqueeze(1))[:, 0]
        return torch.softmax(logits, dim=-1)

    @torch.no_grad()
    def all_policies(self) -> torch.Tensor:
        """Action probabilities ``(B, S, n_self)`` at every state under the current latent."""
        S, B = self.num_states, self.num_seeds
        obs = self._eye_s.unsqueeze(0).expand(B, S, S)
        z = self.z.unsqueeze(1).expand(B, S, self.config.latent)
        return torch.softmax(self.sac.actor_logits(obs, z), dim=-1)

    @torch.no_grad()
    def act(self, state: torch.Tensor) -> torch.Tensor:
        """Sample one action per seed (``(B,)`` long) from the actor's softmax policy."""
        p = self.policy(state)
        u = torch.rand(self.num_seeds, 1, generator=self.generator)
        return (u > p.cumsum(-1)[:, :-1]).sum(-1)  # NaN-safe inverse CDF (a diverged seed plays 0, no crash)

    # --- learning -------------------------------------------------------------------------------
    def observe(self, state: torch.Tensor, actions: torch.Tensor, reward: torch.Tensor,
                next_state: torch.Tensor, peer_latent: torch.Tensor | None = None) -> None:
        """Store one transition per seed, infer the next latent and (after warm-up) update every seed once.

        ``peer_latent`` ``(B, latent)``: the latent the other agent acted with at this step, read only when
        ``config.latent_source == "peer"`` (None: zeros, as the original gives an agent without a latent).
        """
        cfg, lay = self.config, self.layout
        row = torch.cat([self.z, self._eye_s[state], self._eye_a[0][actions[:, 0]], self._eye_a[1][actions[:, 1]],
                         reward.to(self.z.dtype).unsqueeze(-1), self._eye_s[next_state]], dim=-1)
        W = cfg.window
        idx = self.steps % W
        self.buffer[:, idx] = row
        self.buffer[:, idx + W] = row
        self.steps += 1
        row = row.unsqueeze(1)
        with torch.no_grad():
            mu, logvar = self.inference.posterior(row)
            if cfg.latent_source == "peer":
                acting = row.clone()
                if peer_latent is None:
                    acting[..., :cfg.latent] = 0.0
                else:
                    if tuple(peer_latent.shape) != (self.num_seeds, cfg.latent):
                        raise ArgumentError(f"peer_latent must have shape ({self.num_seeds}, {cfg.latent}), "
                                            f"got {tuple(peer_latent.shape)}")
                    acting[:, 0, :cfg.latent] = peer_latent
                z_next = self.inference.sample(*self.inference.posterior(acting), self.generator)
            else:
                z_next = self.inference.sample(mu, logvar, self.generator)
        if self.steps < W:
            if self.sac.gain is not None:  # original: start the gain at the largest reward seen during warm-up
                with torch.no_grad():
                    torch.maximum(self.sac.gain, reward.to(self.z.dtype), out=self.sac.gain.data)
        else:
            self._update(row, mu, logvar, self.buffer[:, idx + 1: idx + 1 + W])
        self.z = z_next[:, 0]

    def _losses(self, row: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, window: torch.Tensor,
                eps_critic: torch.Tensor, eps_window: torch.Tensor, initial_prior: bool) -> torch.Tensor:
        """Per-seed ``(3, B)`` actor, critic and inference losses on the latest transition / recent window."""
        cfg, lay = self.config, self.layout
        with torch.no_grad():  # critic's z' is a fresh draw from the same posterior (the original re-encodes)
            z_crit = mu + torch.exp(0.5 * logvar) * eps_critic
            peer_prob = torch.softmax(self.inference.peer_logits(row[..., lay.next_obs], z_crit), dim=-1)
        actor_loss, critic_loss = self.sac.losses(row, z_crit, peer_prob, entropy_weight=cfg.entropy_weight,
                                                  discount=cfg.discount)
        inf_loss, _, _ = self.inference.loss(window, cfg.kl_weight, eps_window, initial_prior=initial_prior)
        return torch.stack([actor_loss, critic_loss, inf_loss])

    def _update(self, row: torch.Tensor, mu: torch.Tensor, logvar: torch.Tensor, window: torch.Tensor) -> None:
        cfg = self.config
        eps_critic = torch.randn(mu.shape, generator=self.generator)
        eps_window = torch.randn(self.num_seeds, cfg.window - 1, cfg.latent, generator=self.generator)
        losses = self._losses(row, mu, logvar, window, eps_critic, eps_window, self.steps == cfg.window)
        torch._foreach_zero_(self._grads)  # gradients live in preallocated flat buffers (see BatchedMLP)
        losses.sum().backward()
        per_seed_clip_(self._clip_groups, cfg.max_grad_norm, self.num_seeds)
        self.optimizer.step()
        self.sac.update_targets(cfg.polyak)
        with torch.no_grad():
            self.last_losses.copy_(losses)
            bad = ~torch.isfinite(losses).all(0) & (self.diverged_at < 0)
            self.diverged_at.masked_fill_(bad, self.steps)

    # --- checkpointing --------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: weights, optimizer, buffer, latent, RNG state (tensors and plain numbers)."""
        return {"inference": self.inference.state_dict(), "sac": self.sac.state_dict(),
                "optimizer": self.optimizer.state_dict(), "z": self.z.clone(), "buffer": self.buffer.clone(),
                "steps": self.steps, "diverged_at": self.diverged_at.clone(),
                "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.inference.load_state_dict(state["inference"])
        self.sac.load_state_dict(state["sac"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.z = state["z"].clone()
        self.buffer.copy_(state["buffer"])
        self.steps = int(state["steps"])
        self.diverged_at.copy_(state["diverged_at"])
        self.generator.set_state(state["generator"])

    def metadata(self) -> dict[str, Any]:
        return {"kind": self.kind, "player": self.player, "num_states": self.num_states,
                "num_actions": list(self.num_actions), "num_seeds": self.num_seeds, "config": self.config.to_dict()}

    @property
    def gain(self) -> np.ndarray | None:
        """FURTHER's learned average-reward estimate rho per seed (None for LILI)."""
        return None if self.sac.gain is None else self.sac.gain.detach().numpy().copy()

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(player={self.player}, num_states={self.num_states}, "
                f"num_actions={self.num_actions}, num_seeds={self.num_seeds})")


class LiliAgent(FurtherAgent):
    """LILI: FURTHER's inference and soft actor-critic with a discounted target r + gamma V(s', z') (no gain)."""

    average_reward = False
    kind = "lili"
