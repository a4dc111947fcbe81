"""A REINFORCE peer as in Meta-MAPG's iterated prisoner's dilemma: a tabular softmax policy started from a persona.

Kim et al., "A Policy Gradient Algorithm for Learning to Learn in Multiagent Reinforcement Learning", ICML 2021
(github.com/dkkim93/meta-mapg, ``meta/base.py:inner_update``, ``meta/dice.py``, ``meta/linear_baseline.py``). The peer
collects ``episodes`` episodes of ``episode_length`` steps with its current policy, then takes one gradient step
on its logits (eq. 2 of the paper with the DiCE estimator, whose gradient is REINFORCE with a baseline):

    theta <- theta + lr * (1/N) sum_n sum_t gamma^t grad log pi(a_t | s_t) (G_t - v_t),   G_t = sum_{k>=t} gamma^(k-t) r_k

with ``v_t`` a linear baseline refitted on every batch to the returns by ridge regression on the features
``[onehot(s_t), onehot(s_t)^2, t/100, (t/100)^2, (t/100)^3, 1]`` (Duan et al. 2016). After ``updates`` steps (the
paper's chain horizon, 7) it stops learning. Its personas: per game state, the probability of ``cooperate_action``
drawn uniformly from [0.5, 1] (``"cooperative"``) or [0, 0.5] (``"defective"``), as in the meta-MAPG persona files.

In a continuing match the episodes are consecutive segments of the one game stream (the original draws them in
parallel from a fixed joint policy): collecting starts at the first step ``t`` with ``t % episode_length == 0``.
The update reads sampled actions and rewards only, so an agent can influence it through what it plays.

Raises :class:`activeq.errors.LearnerError` for a persona that does not fit the game or a bad setting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..._checks import as_float_array, check_choice, check_in_range, check_positive_int
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition

PERSONAS = ("cooperative", "defective", "uniform")
WAITING, DONE = -1, -2  # collection positions: before the first episode start; after the last update


class ReinforcePeer(LearnerBase):
    """Meta-MAPG's REINFORCE peer: tabular softmax logits, one update per ``episodes`` x ``episode_length`` samples.

    Parameters
    ----------
    persona : str or array_like
        ``"cooperative"``, ``"defective"`` (random per chain, see the module docstring), ``"uniform"``, or initial
        logits of shape ``(A,)`` or ``(S, A)``.
    lr : float
        Step size on the logits (meta-MAPG: 1.0).
    discount : float
        gamma of the returns and of the per-step weights (meta-MAPG's IPD: 0.96).
    episodes : int
        Episodes per update (meta-MAPG: 64).
    episode_length : int
        Steps per episode (meta-MAPG: 150).
    updates : int or None
        Updates before the peer stops learning (meta-MAPG's chain horizon: 7); None never stops.
    baseline : str
        ``"linear"`` (the refitted linear baseline) or ``"none"``.
    cooperate_action : int
        The action whose probability the persona draws (0 = cooperate in :func:`prisoners_dilemma`).
    name : str
        Label in tables.
    """

    def __init__(self, persona: Any = "cooperative", lr: float = 1.0, discount: float = 0.96, episodes: int = 64,
                 episode_length: int = 150, updates: int | None = 7, baseline: str = "linear",
                 cooperate_action: int = 0, name: str | None = None):
        super().__init__()
        if isinstance(persona, str):
            self.persona: Any = check_choice(persona, "persona", PERSONAS)
        else:
            self.persona = as_float_array(persona, "persona", error=LearnerError)
        self.lr = check_in_range(lr, "lr", 0.0, None, low_open=True)
        self.discount = check_in_range(discount, "discount", 0.0, 1.0, high_open=True)
        self.episodes = check_positive_int(episodes, "episodes")
        self.episode_length = check_positive_int(episode_length, "episode_length", minimum=2)
        if self.episodes * self.episode_length > 10_000_000:
            raise LearnerError(f"episodes x episode_length must be at most 1e7 samples per update, got "
                               f"{self.episodes * self.episode_length}")
        self.updates = None if updates is None else check_positive_int(updates, "updates", minimum=0)
        self.baseline = check_choice(baseline, "baseline", ("linear", "none"))
        self.cooperate_action = check_positive_int(cooperate_action, "cooperate_action", minimum=0)
        self.name = name or (f"reinforce_{self.persona}" if isinstance(self.persona, str) else "reinforce")

    # --- binding and parameters ------------------------------------------------------------------------
    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        if isinstance(self.persona, np.ndarray):
            p = self.persona
            if p.shape not in ((A,), (S, A)):
                raise LearnerError(f"{self.name}: persona logits must have shape ({A},) or ({S}, {A}), got {p.shape}")
        elif self.persona != "uniform" and (A != 2 or self.cooperate_action >= A):
            raise LearnerError(f"{self.name}: the {self.persona!r} persona needs 2 actions with cooperate_action < 2; "
                               f"agent {agent} has {A}")

    def init(self, rng: torch.Generator, batch: int) -> Params:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        if isinstance(self.persona, np.ndarray):
            logits = torch.as_tensor(np.broadcast_to(self.persona, (S, A)).copy(), dtype=DTYPE).expand(batch, S, A)
        elif self.persona == "uniform":
            logits = torch.zeros(batch, S, A, dtype=DTYPE)
        else:
            u = torch.rand(batch, S, generator=rng, dtype=DTYPE) * 0.5
            p_coop = u + 0.5 if self.persona == "cooperative" else u
            probs = torch.stack([p_coop, 1.0 - p_coop], dim=-1)
            if self.cooperate_action == 1:
                probs = probs.flip(-1)
            logits = torch.log(probs.clamp_min(1e-12))
        n = self.episodes * self.episode_length
        return {"logits": logits.clone(), "states": torch.zeros(batch, n, dtype=torch.long),
                "actions": torch.zeros(batch, n, dtype=torch.long), "rewards": torch.zeros(batch, n, dtype=DTYPE),
                "pos": torch.full((batch,), WAITING if self.updates != 0 else DONE, dtype=torch.long),
                "done_updates": torch.zeros(batch, dtype=torch.long)}

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        logits = params["logits"]
        return torch.softmax(logits[torch.arange(logits.shape[0]), state], dim=-1)

    def all_policies(self, params: Params) -> torch.Tensor:
        """``(B, S, A)`` action probabilities at every game state."""
        return torch.softmax(params["logits"], dim=-1)

    # --- learning -----------------------------------------------------------------------------------------
    def update(self, params: Params, transition: Transition) -> Params:
        """Record the transition; after a full batch of episodes take one REINFORCE step.

        The sample buffers are written in place (they are this learner's memory); the logits, positions and
        update counts come back as new tensors.
        """
        _, i = self._require_bound()
        L, n = self.episode_length, self.episodes * self.episode_length
        pos = params["pos"].clone()
        if transition.step % L == 0:
            pos = torch.where(pos == WAITING, torch.zeros_like(pos), pos)
        active = pos >= 0
        out = dict(params)
        if not bool(active.any()):
            out["pos"] = pos
            return out
        b = active.nonzero().squeeze(1)
        k = pos[b]
        params["states"][b, k] = transition.state[b]
        params["actions"][b, k] = transition.actions[b, i]
        params["rewards"][b, k] = transition.rewards[b, i].to(DTYPE)
        pos[b] = k + 1
        full = pos >= n
        if bool(full.any()):
            f = full.nonzero().squeeze(1)
            logits = params["logits"].clone()
            logits[f] = logits[f] + self.lr * self.gradient(logits[f], params["states"][f], params["actions"][f],
                                                            params["rewards"][f])
            done = params["done_updates"].clone()
            done[f] += 1
            pos[f] = 0
            if self.updates is not None:
                pos = torch.where(done >= self.updates, torch.full_like(pos, DONE), pos)
            out["logits"], out["done_updates"] = logits, done
        out["pos"] = pos
        return out

    def gradient(self, logits: torch.Tensor, states: torch.Tensor, actions: torch.Tensor,
                 rewards: torch.Tensor) -> torch.Tensor:
        """The REINFORCE ascent direction ``(B, S, A)`` from a batch of samples ``(B, episodes * episode_length)``.

        Parameters
        ----------
        logits : torch.Tensor
            ``(B, S, A)`` logits the samples were drawn with.
        states, actions, rewards : torch.Tensor
            ``(B, episodes * episode_length)``: consecutive episodes of this agent's states, actions and rewards.

        Returns
        -------
        torch.Tensor
            (1/N) sum_n sum_t gamma^t grad log pi(a_t|s_t) (G_t - v_t), per chain.
        """
        B, S, A = logits.shape
        N, L = self.episodes, self.episode_length
        s = states.view(B, N, L)
        a = actions.view(B, N, L)
        r = rewards.view(B, N, L).to(DTYPE)
        disc = self.discount ** torch.arange(L, dtype=DTYPE)
        # G_t = sum_{k>=t} gamma^(k-t) r_k, by a reversed cumulative sum of the discounted rewards
        G = torch.flip(torch.cumsum(torch.flip(r * disc, [-1]), -1), [-1]) / disc
        adv = G - self._baseline(s, G, S) if self.baseline == "linear" else G
        w = (disc * adv).reshape(B, N * L) / N
        pi = torch.softmax(logits, dim=-1)
        flat_s = s.reshape(B, N * L)
        score = torch.nn.functional.one_hot(a.reshape(B, N * L), A).to(DTYPE) - pi.gather(
            1, flat_s[..., None].expand(-1, -1, A))  # grad of log pi(a_t|s_t) w.r.t. the logits of s_t
        grad = torch.zeros(B, S, A, dtype=DTYPE)
        grad.scatter_add_(1, flat_s[..., None].expand(-1, -1, A), w[..., None] * score)
        return grad

    def _baseline(self, s: torch.Tensor, G: torch.Tensor, S: int) -> torch.Tensor:
        """Ridge fit (lambda 1e-5) of G on the linear features, per chain, evaluated on the same samples."""
        B, N, L = s.shape
        onehot = torch.nn.functional.one_hot(s, S).to(DTYPE)
        t = (torch.arange(L, dtype=DTYPE) / 100.0).view(1, 1, L, 1).expand(B, N, L, 1)
        X = torch.cat([onehot, onehot ** 2, t, t ** 2, t ** 3, torch.ones_like(t)], dim=-1).reshape(B, N * L, -1)
        F = X.shape[-1]
        XtX = X.transpose(1, 2) @ X + 1e-5 * torch.eye(F, dtype=DTYPE)
        coef = torch.linalg.solve(XtX, X.transpose(1, 2) @ G.reshape(B, N * L, 1))
        return (X @ coef).view(B, N, L)

    def learning_done(self, params: Params) -> torch.Tensor:
        """``(B,)`` bool: the chain has made all its ``updates`` and no longer learns."""
        return params["pos"] == DONE
