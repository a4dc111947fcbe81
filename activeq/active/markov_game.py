"""Active Markov games: a stochastic game plus every agent's learner, simulated over (state, parameters).

The joint process (s_t, θ_t) is Markov: agents act from their current policies, the game moves, and every learner
updates its parameters from the transition. :meth:`ActiveMarkovGame.simulate` advances B independent chains in one
batched torch call per step; a learner whose parameters become non-finite raises
:class:`activeq.errors.DivergenceError` naming the step, the agent and how many chains diverged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import torch

from .._checks import check_positive_int
from ..errors import ArgumentError, ArgumentTypeError, DivergenceError, LearnerError
from ..games import IteratedGame, NormalFormGame, StochasticGame
from .learner import Learner, Params, Transition, params_batch, params_finite, torch_generator
from .learners._tabular import game_tensors


def as_stochastic_game(game: Any, name: str = "game") -> StochasticGame:
    """A StochasticGame as is; a NormalFormGame as its memory-1 iterated game."""
    if isinstance(game, StochasticGame):
        return game
    if isinstance(game, NormalFormGame):
        return IteratedGame(game, memory=1)
    raise ArgumentTypeError(f"{name} must be a StochasticGame, IteratedGame or NormalFormGame, got {type(game).__name__}")


@dataclass
class JointState:
    """The state of B chains of the joint process: game states ``(B,)`` and every learner's parameters."""

    state: torch.Tensor
    params: list[Params]
    step: int = 0

    @property
    def batch(self) -> int:
        return int(self.state.shape[0])


@dataclass(frozen=True, eq=False)
class Rollout:
    """What :meth:`ActiveMarkovGame.simulate` records (numpy arrays, time first).

    ``rewards``: sampled rewards ``(T, B, n)``; ``expected_rewards``: Σ_a π(a|s_t) R(s_t, a) ``(T, B, n)`` (same mean,
    lower variance); ``states``: ``(T, B)``; ``action_probs``: per agent ``(T, B, A_i)`` probabilities at the visited
    state (when ``record_policies``); ``final``: the joint state after the last step.
    """

    rewards: np.ndarray
    expected_rewards: np.ndarray
    states: np.ndarray
    action_probs: tuple[np.ndarray, ...] | None
    final: JointState = field(repr=False)

    @property
    def steps(self) -> int:
        return int(self.rewards.shape[0])

    def average_rewards(self, burn_in: int = 0) -> np.ndarray:
        """Per chain and agent, mean expected reward after ``burn_in`` steps: ``(B, n)``."""
        return self.expected_rewards[burn_in:].mean(axis=0)


class ActiveMarkovGame:
    """A stochastic game (or a normal-form game, iterated with memory 1) plus one learner per agent.

    ``learners[i]`` is bound to seat i with ``learner.bind(game, i)``; action counts must match the game.
    """

    def __init__(self, game: Any, learners: Sequence[Any]):
        self.game = as_stochastic_game(game)
        try:
            items = list(learners)
        except TypeError:
            raise ArgumentTypeError(f"learners must be a sequence of Learner objects, got {type(learners).__name__}") from None
        if len(items) != self.game.num_players:
            raise LearnerError(f"learners must have one learner per agent ({self.game.num_players}), got {len(items)}")
        bound = []
        for i, lrn in enumerate(items):
            for attr in ("init", "policy", "update"):
                if not callable(getattr(lrn, attr, None)):
                    raise ArgumentTypeError(f"learners[{i}] must implement the Learner protocol (missing {attr}()), "
                                            f"got {type(lrn).__name__}")
            b = lrn.bind(self.game, i) if callable(getattr(lrn, "bind", None)) else lrn
            k = getattr(b, "num_actions", None)
            if k is not None and int(k) != self.game.num_actions[i]:
                raise LearnerError(f"learners[{i}] ({getattr(b, 'name', type(b).__name__)}) has {k} actions but agent {i} "
                                   f"has {self.game.num_actions[i]} in the game")
            bound.append(b)
        self.learners: tuple[Learner, ...] = tuple(bound)
        self._gt = game_tensors(self.game)

    # --- properties ----------------------------------------------------------------------------
    @property
    def num_players(self) -> int:
        return self.game.num_players

    @property
    def needs_policies(self) -> bool:
        return any(getattr(lr, "needs_policies", False) for lr in self.learners)

    @property
    def finite(self) -> bool:
        """Every learner has a finite internal state (the joint chain is finite)."""
        return all(getattr(lr, "finite_states", False) for lr in self.learners)

    def names(self) -> list[str]:
        return [getattr(lr, "name", type(lr).__name__) for lr in self.learners]

    def replace(self, agent: int, learner: Any) -> "ActiveMarkovGame":
        """The same game with agent ``agent``'s learner replaced (others kept)."""
        if not isinstance(agent, (int, np.integer)) or not 0 <= int(agent) < self.num_players:
            raise ArgumentError(f"agent must be an int in [0, {self.num_players}), got {agent!r}")
        items = list(self.learners)
        items[int(agent)] = learner
        return ActiveMarkovGame(self.game, items)

    # --- the joint process -----------------------------------------------------------------------
    def init(self, batch: int = 1, seed: Any = 0) -> tuple[JointState, torch.Generator]:
        """B fresh chains: start states from the game's initial law, every learner's ``init``."""
        batch = check_positive_int(batch, "batch")
        g = seed if isinstance(seed, torch.Generator) else torch_generator(seed)
        p0 = self._gt.p0
        state = _sample(p0.expand(batch, -1), g)
        params = [lr.init(g, batch) for lr in self.learners]
        for i, p in enumerate(params):
            if params_batch(p) != batch:
                raise LearnerError(f"learners[{i}].init returned {params_batch(p)} chains, expected {batch}")
        return JointState(state, params, 0), g

    def all_policies(self, agent: int, params: Params) -> torch.Tensor:
        """Agent ``agent``'s action probabilities at every game state: ``(B, S, A_i)``."""
        lr = self.learners[agent]
        fast = getattr(lr, "all_policies", None)
        if callable(fast):
            return fast(params)
        B = params_batch(params)
        cols = [lr.policy(params, torch.full((B,), s, dtype=torch.long)) for s in range(self.game.num_states)]
        return torch.stack(cols, dim=1)

    def step(self, js: JointState, g: torch.Generator) -> tuple[JointState, Transition, list[torch.Tensor]]:
        """Advance every chain by one step; returns the new joint state, the transition and the action probabilities."""
        s = js.state
        B = js.batch
        probs = [lr.policy(p, s) for lr, p in zip(self.learners, js.params)]
        actions = torch.stack([_sample(pr, g) for pr in probs], dim=1)
        flat = torch.zeros(B, dtype=torch.long)
        for i, k in enumerate(self.game.num_actions):
            flat = flat * k + actions[:, i]
        rewards = self._gt.R[s, :, flat]  # (B, n)
        nxt = _sample(self._gt.T[s, flat], g)
        policies = None
        if self.needs_policies:
            policies = tuple(self.all_policies(i, p) for i, p in enumerate(js.params))
        tr = Transition(s, actions, rewards, nxt, policies, js.step, g)
        new_params = []
        for i, (lr, p) in enumerate(zip(self.learners, js.params)):
            q = lr.update(p, tr)
            ok = params_finite(q)
            if not bool(ok.all()):
                bad = int((~ok).sum())
                raise DivergenceError(
                    f"learner {i} ({getattr(lr, 'name', type(lr).__name__)}) produced non-finite parameters at step "
                    f"{js.step} in {bad} of {B} chains (diverging learning rate?)", step=js.step)
            new_params.append(q)
        return JointState(nxt, new_params, js.step + 1), tr, probs

    def expected_step_rewards(self, state: torch.Tensor, probs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Σ_a Π_i π_i(a_i|s) R(s, ·, a): ``(B, n)``."""
        joint = probs[0]
        for pr in probs[1:]:
            joint = (joint.unsqueeze(-1) * pr.unsqueeze(-2)).flatten(-2)
        return (self._gt.R[state] @ joint.unsqueeze(-1)).squeeze(-1)

    def simulate(self, steps: int, batch: int = 1, seed: Any = 0, *, record_policies: bool = False,
                 progress: bool = False, start: JointState | None = None,
                 generator: torch.Generator | None = None) -> Rollout:
        """Run B chains for ``steps`` steps and record rewards, states (and action probabilities)."""
        steps = check_positive_int(steps, "steps")
        if start is None:
            js, g = self.init(batch, seed)
        else:
            js, g = start, (generator if generator is not None else torch_generator(seed))
        B, n = js.batch, self.num_players
        rew = np.empty((steps, B, n))
        erew = np.empty((steps, B, n))
        states = np.empty((steps, B), dtype=np.int64)
        aprobs = [np.empty((steps, B, k)) for k in self.game.num_actions] if record_policies else None
        it = range(steps)
        if progress:
            from .._progress import progress_bar as tqdm
            it = tqdm(it, desc="simulate", leave=False)
        with torch.no_grad():
            for t in it:
                s = js.state
                js, tr, probs = self.step(js, g)
                states[t] = s.numpy()
                rew[t] = tr.rewards.numpy()
                erew[t] = self.expected_step_rewards(s, probs).numpy()
                if aprobs is not None:
                    for i, pr in enumerate(probs):
                        aprobs[i][t] = pr.numpy()
        return Rollout(rew, erew, states, None if aprobs is None else tuple(aprobs), js)

    def __repr__(self) -> str:
        return f"ActiveMarkovGame({self.game!r}, learners={self.names()})"


def _sample(probs: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """One categorical draw per row of ``probs`` (inverse CDF)."""
    u = torch.rand(probs.shape[0], 1, generator=g, dtype=probs.dtype)
    cdf = probs.cumsum(dim=-1)
    idx = (cdf < u * cdf[:, -1:]).sum(dim=-1)
    return idx.clamp_max(probs.shape[-1] - 1)
