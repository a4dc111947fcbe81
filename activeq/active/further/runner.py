"""Batched training loop: FURTHER / LILI agents and ``Learner`` opponents on a 2-player game, many seeds at once.

As in the original experiments the game is played continually: every ``episode_length`` steps the game state is
reset to the initial state (the transition's next state *is* that reset state) but no agent is reset. Every seed
advances one transition per step and every learning player updates once per step and seed.

Runs can be checkpointed to a directory and resumed: ``checkpoint.pt`` holds only tensors, numbers and strings
(loaded with ``torch.load(weights_only=True)``) and ``checkpoint.json`` plain metadata checked on resume.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from ..._checks import SeedLike, check_positive_int
from ...errors import ArgumentError, DivergenceError, ExperimentError, LearnerError
from ...games import IteratedGame, NormalFormGame, StochasticGame
from ..learner import DTYPE, Transition, params_finite
from .agent import FurtherAgent, torch_generator

Player = Any  # a FurtherAgent / LiliAgent or an activeq.active Learner


@contextmanager
def _flush_denormals():
    """Flush float32 denormals to zero while a match runs (torch's default, off, is restored after).

    Adam's moment estimates of parameters whose gradient stays zero decay geometrically below 1.2e-38 within about a
    thousand steps; at 135,000 steps of matching pennies ~95% of two FURTHER optimizer tensors were denormal, and CPU
    arithmetic on denormals made a step ~3x slower than at the start. Flushing changes an Adam update by < 1e-30."""
    supported = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if supported:
            torch.set_flush_denormal(False)


@dataclass(frozen=True)
class MatchResult:
    """Per-seed reward curves of a batched match.

    ``rewards[i, b, t]``: player i's reward at step t in seed b. ``diverged_at[i, b]``: the step at which player i's
    parameters first became non-finite in seed b (-1: never); a diverged seed's rewards after that step are
    meaningless and the summaries below return NaN for it instead of silently averaging.
    """

    rewards: np.ndarray
    players: tuple[str, ...]
    episode_length: int
    diverged_at: np.ndarray
    seconds: float
    game: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def num_seeds(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def steps(self) -> int:
        return int(self.rewards.shape[2])

    def _mask(self, values: np.ndarray) -> np.ndarray:
        bad = (self.diverged_at >= 0).any(axis=0)
        out = np.array(values, dtype=np.float64)
        out[..., bad] = np.nan
        return out

    def final_average(self, last: int = 1000) -> np.ndarray:
        """``(players, seeds)``: each player's average reward over the final ``last`` steps (NaN if diverged)."""
        last = check_positive_int(last, "last")
        if last > self.steps:
            raise ArgumentError(f"last must be <= the number of steps ({self.steps}), got {last}")
        return self._mask(self.rewards[:, :, -last:].mean(axis=2))

    def running_average(self) -> np.ndarray:
        """``(players, seeds)``: average reward over the whole run (the "running reward" of the paper)."""
        return self._mask(self.rewards.mean(axis=2))

    def episode_averages(self) -> np.ndarray:
        """``(players, seeds, episodes)``: average reward per complete episode (the original's learning curve)."""
        E = self.steps // self.episode_length
        r = self.rewards[:, :, :E * self.episode_length].reshape(*self.rewards.shape[:2], E, self.episode_length)
        return r.mean(axis=3)

    def to_dict(self, curves: bool = False) -> dict[str, Any]:
        d = {"game": self.game, "players": list(self.players), "steps": self.steps, "num_seeds": self.num_seeds,
             "episode_length": self.episode_length, "seconds": self.seconds,
             "diverged_at": self.diverged_at.tolist(), "running_average": self.running_average().tolist(),
             "extra": self.extra}
        if self.steps >= 1000:
            d["final_1000_average"] = self.final_average(1000).tolist()
        if curves:
            d["episode_averages"] = self.episode_averages().tolist()
        return d


def as_two_player_game(game: Any) -> StochasticGame:
    """A NormalFormGame becomes its memory-1 iterated game; a 2-player StochasticGame is used as is."""
    if isinstance(game, NormalFormGame):
        game = IteratedGame(game, memory=1)
    if not isinstance(game, StochasticGame):
        raise ArgumentError(f"game must be a NormalFormGame or StochasticGame, got {type(game).__name__}")
    if game.num_players != 2:
        raise ArgumentError(f"game must have 2 players, got {game.num_players}")
    return game


class _GameTensors:
    """Rewards and transitions of a 2-player stochastic game as torch tensors for batched stepping."""

    def __init__(self, game: StochasticGame):
        self.S = game.num_states
        self.R = torch.tensor(np.moveaxis(game.rewards, 1, -1), dtype=torch.float32)  # (S, n0, n1, 2)
        T = np.asarray(game.transitions)
        self.deterministic = bool(np.all((T == 0) | (T == 1)))
        if self.deterministic:
            self.next = torch.as_tensor(T.argmax(axis=-1), dtype=torch.long)  # (S, n0, n1)
        else:
            self.cdf = torch.as_tensor(np.cumsum(T, axis=-1), dtype=torch.float64)
        init = np.asarray(game.initial, dtype=np.float64)
        self.fixed_initial = int(init.argmax()) if np.isclose(init.max(), 1.0) else None
        self.initial_cdf = torch.as_tensor(np.cumsum(init), dtype=torch.float64)

    def initial(self, B: int, gen: torch.Generator) -> torch.Tensor:
        if self.fixed_initial is not None:
            return torch.full((B,), self.fixed_initial, dtype=torch.long)
        u = torch.rand(B, 1, generator=gen, dtype=torch.float64)
        return (u > self.initial_cdf[:-1]).sum(-1)

    def step(self, s: torch.Tensor, a0: torch.Tensor, a1: torch.Tensor,
             gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        r = self.R[s, a0, a1]  # (B, 2)
        if self.deterministic:
            return r, self.next[s, a0, a1]
        u = torch.rand(s.shape[0], 1, generator=gen, dtype=torch.float64)
        return r, (u > self.cdf[s, a0, a1][:, :-1]).sum(-1)


def _sample(p: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    u = torch.rand(p.shape[0], 1, generator=gen, dtype=p.dtype)
    return (u > p.cumsum(-1)[:, :-1]).sum(-1)


class Match:
    """Two players (FURTHER/LILI agents or ``Learner`` objects) playing ``game`` in ``num_seeds`` independent runs.

    ``learner_warmup``: steps before ``Learner`` opponents start updating; ``None`` = the largest agent ``window``
    (the original starts every agent's learning at its ``batch_size``). ``seed`` seeds the environment, the
    learners' initialisation and their sampling (the agents carry their own seeds).
    """

    def __init__(self, game: Any, players: Sequence[Player], *, num_seeds: int, episode_length: int = 150,
                 seed: SeedLike = None, learner_warmup: int | None = None):
        self.game = as_two_player_game(game)
        self.num_seeds = B = check_positive_int(num_seeds, "num_seeds")
        self.episode_length = check_positive_int(episode_length, "episode_length")
        if len(players) != 2:
            raise ArgumentError(f"players must hold 2 players, got {len(players)}")
        self.players: list[Player] = []
        self.generator = torch_generator(seed)
        windows = [0]
        for i, p in enumerate(players):
            if isinstance(p, FurtherAgent):
                if p.num_seeds != B:
                    raise ArgumentError(f"players[{i}] has num_seeds={p.num_seeds}, the match has {B}")
                if p.player != i:
                    raise ArgumentError(f"players[{i}] was built for player {p.player}")
                if p.num_states != self.game.num_states or p.num_actions != tuple(self.game.num_actions):
                    raise LearnerError(
                        f"players[{i}] was built for {p.num_states} states and actions {p.num_actions}; the game has "
                        f"{self.game.num_states} states and actions {tuple(self.game.num_actions)}")
                windows.append(p.config.window)
                self.players.append(p)
            elif hasattr(p, "bind") and hasattr(p, "update") and hasattr(p, "policy"):
                self.players.append(p.bind(self.game, i))
            else:
                raise ArgumentError(f"players[{i}] must be a FurtherAgent/LiliAgent or a Learner, "
                                    f"got {type(p).__name__}")
        for i, p in enumerate(self.players):
            other = self.players[1 - i]
            if (isinstance(p, FurtherAgent) and p.config.latent_source == "peer" and isinstance(other, FurtherAgent)
                    and other.config.latent != p.config.latent):
                raise ArgumentError(f"players[{i}] encodes from the other agent's latent (latent_source='peer') but "
                                    f"their latent sizes differ ({p.config.latent} vs {other.config.latent})")
        self.learner_warmup = max(windows) if learner_warmup is None else check_positive_int(
            learner_warmup, "learner_warmup", minimum=0)
        self._gt = _GameTensors(self.game)
        self.params: list[Any] = [None if isinstance(p, FurtherAgent) else p.init(self.generator, B)
                                  for p in self.players]
        self.state = self._gt.initial(B, self.generator)
        self.step_count = 0
        self.rewards = torch.zeros(2, B, 0)
        self.learner_diverged = torch.full((2, B), -1, dtype=torch.long)
        self._needs_policies = any(getattr(p, "needs_policies", False) for p in self.players
                                   if not isinstance(p, FurtherAgent))
        self._elapsed = 0.0

    # --- stepping ---------------------------------------------------------------------------------
    def _all_policies(self) -> tuple[torch.Tensor, ...]:
        S = self.game.num_states
        states = torch.arange(S)
        out = []
        for p, params in zip(self.players, self.params):
            if isinstance(p, FurtherAgent):
                out.append(p.all_policies().to(DTYPE))
            elif hasattr(p, "all_policies"):
                out.append(p.all_policies(params).to(DTYPE))
            else:
                out.append(torch.stack([p.policy(params, torch.full((self.num_seeds,), s)) for s in states], dim=1))
        return tuple(out)

    def _act(self) -> tuple[torch.Tensor, torch.Tensor]:
        acts = []
        for p, params in zip(self.players, self.params):
            if isinstance(p, FurtherAgent):
                acts.append(p.act(self.state))
            else:
                acts.append(_sample(p.policy(params, self.state), self.generator))
        return acts[0], acts[1]

    def step(self) -> torch.Tensor:
        """Advance every seed by one transition (recorded in the result); returns the rewards ``(B, 2)``."""
        r = self._step()
        self.rewards = torch.cat([self.rewards, r.T.unsqueeze(-1)], dim=2)
        return r

    def _step(self) -> torch.Tensor:
        s = self.state
        policies = self._all_policies() if self._needs_policies else None
        a0, a1 = self._act()
        r, s_next = self._gt.step(s, a0, a1, self.generator)
        t = self.step_count
        if (t + 1) % self.episode_length == 0:
            s_next = self._gt.initial(self.num_seeds, self.generator)
        actions = torch.stack([a0, a1], dim=1)
        latents = [p.z if isinstance(p, FurtherAgent) else None for p in self.players]  # what each acted with
        for i, p in enumerate(self.players):
            if isinstance(p, FurtherAgent):
                p.observe(s, actions, r[:, i], s_next, peer_latent=latents[1 - i])
            elif t >= self.learner_warmup:
                tr = Transition(s, actions, r.to(DTYPE), s_next, policies, t, self.generator)
                new = p.update(self.params[i], tr)
                bad = ~params_finite(new) & (self.learner_diverged[i] < 0)
                self.learner_diverged[i].masked_fill_(bad, t + 1)
                self.params[i] = new
        self.state = s_next
        self.step_count = t + 1
        return r

    def run(self, steps: int, *, progress: bool = True, checkpoint_dir: str | os.PathLike | None = None,
            checkpoint_every: int | None = None, raise_on_divergence: bool = False) -> MatchResult:
        """Play until ``steps`` total steps (resuming from ``checkpoint_dir`` if it holds a checkpoint).

        With ``checkpoint_dir`` a checkpoint is written every ``checkpoint_every`` steps (default: every 10
        episodes) and at the end. ``raise_on_divergence`` raises :class:`DivergenceError` instead of reporting it.
        """
        steps = check_positive_int(steps, "steps")
        if checkpoint_dir is not None:
            checkpoint_dir = Path(checkpoint_dir)
            if (checkpoint_dir / "checkpoint.json").exists():
                self.load(checkpoint_dir)
            every = check_positive_int(checkpoint_every or 10 * self.episode_length, "checkpoint_every")
        if self.step_count > steps:
            raise ArgumentError(f"steps ({steps}) is less than the steps already played ({self.step_count})")
        B = self.num_seeds
        curve = torch.zeros(2, B, steps)
        curve[:, :, :self.rewards.shape[2]] = self.rewards[:, :, :steps]
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=steps, initial=self.step_count, desc="match", unit="step", leave=False)
        start = time.perf_counter()
        try:
            with _flush_denormals():
                while self.step_count < steps:
                    t = self.step_count
                    curve[:, :, t] = self._step().T
                    self.rewards = curve[:, :, :t + 1]
                    if bar is not None and (t + 1) % self.episode_length == 0:
                        bar.update(self.episode_length)
                    if checkpoint_dir is not None and (t + 1) % every == 0 and t + 1 < steps:
                        self._elapsed += time.perf_counter() - start
                        start = time.perf_counter()
                        self.save(checkpoint_dir)
        finally:
            if bar is not None:
                bar.close()
        self._elapsed += time.perf_counter() - start
        if checkpoint_dir is not None:
            self.save(checkpoint_dir)
        result = self.result()
        if raise_on_divergence and (result.diverged_at >= 0).any():
            i, b = map(int, np.argwhere(result.diverged_at >= 0)[0])
            raise DivergenceError(f"player {i} ({result.players[i]}) diverged in seed {b} at step "
                                  f"{int(result.diverged_at[i, b])}", step=int(result.diverged_at[i, b]))
        return result

    def diverged_at(self) -> np.ndarray:
        out = self.learner_diverged.clone()
        for i, p in enumerate(self.players):
            if isinstance(p, FurtherAgent):
                out[i] = p.diverged_at
        return out.numpy()

    def player_names(self) -> tuple[str, ...]:
        return tuple(p.kind if isinstance(p, FurtherAgent) else p.name for p in self.players)

    def result(self) -> MatchResult:
        return MatchResult(rewards=self.rewards.numpy().copy(), players=self.player_names(),
                           episode_length=self.episode_length, diverged_at=self.diverged_at(),
                           seconds=self._elapsed, game=self.game.name or "")

    # --- checkpointing ----------------------------------------------------------------------------
    def _metadata(self) -> dict[str, Any]:
        players = []
        for p in self.players:
            players.append(p.metadata() if isinstance(p, FurtherAgent) else {"kind": "learner", "name": p.name})
        return {"format": 2, "game": self.game.name or "", "num_states": self.game.num_states,
                "num_actions": list(self.game.num_actions), "num_seeds": self.num_seeds,
                "episode_length": self.episode_length, "learner_warmup": self.learner_warmup,
                "players": players}

    def save(self, directory: str | os.PathLike) -> None:
        """Write ``checkpoint.pt`` (tensors) and ``checkpoint.json`` (metadata) atomically into ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        state: dict[str, Any] = {"step": self.step_count, "state": self.state.clone(),
                                 "rewards": self.rewards.clone(), "generator": self.generator.get_state(),
                                 "learner_diverged": self.learner_diverged.clone(), "elapsed": self._elapsed}
        for i, (p, params) in enumerate(zip(self.players, self.params)):
            state[f"player{i}"] = p.state_dict() if isinstance(p, FurtherAgent) else params
        tmp = d / "checkpoint.pt.tmp"
        torch.save(state, tmp)
        os.replace(tmp, d / "checkpoint.pt")
        meta = self._metadata() | {"step": self.step_count}
        tmpj = d / "checkpoint.json.tmp"
        tmpj.write_text(json.dumps(meta, indent=2))
        os.replace(tmpj, d / "checkpoint.json")

    def load(self, directory: str | os.PathLike) -> None:
        """Restore a checkpoint written by :meth:`save` for an identically configured match."""
        d = Path(directory)
        try:
            meta = json.loads((d / "checkpoint.json").read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ExperimentError(f"cannot read checkpoint metadata in {d}: {exc}") from None
        mine = self._metadata()
        diff = [k for k in mine if meta.get(k) != json.loads(json.dumps(mine[k]))]
        if diff:
            raise ExperimentError(f"checkpoint in {d} was written by a different match (differs in {', '.join(diff)})")
        state = torch.load(d / "checkpoint.pt", weights_only=True)
        self.step_count = int(state["step"])
        self.state = state["state"]
        self.rewards = state["rewards"]
        self.generator.set_state(state["generator"])
        self.learner_diverged = state["learner_diverged"]
        self._elapsed = float(state["elapsed"])
        for i, p in enumerate(self.players):
            if isinstance(p, FurtherAgent):
                p.load_state_dict(state[f"player{i}"])
            else:
                self.params[i] = state[f"player{i}"]
