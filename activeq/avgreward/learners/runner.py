"""Run a learner in a continuing environment and measure regret against the exact optimal gain.

``regret(T) = sum_{t < T} (g*_t - r_t)`` where ``g*_t`` is the optimal gain of the current task at step t
(from :func:`activeq.avgreward.solve_average_reward`, exact). Long runs can checkpoint to a JSON file and resume
from it bit-for-bit: the learner's full state, the environment's state and both random generators are saved.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from ..._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from ..._checks import as_generator, check_positive_int
from ...errors import ExperimentError, LearnerError
from .base import Learner, decode_state, encode_state
from .environment import Environment, as_environment

CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class RunResult:
    """Per-step rewards and optimal gains of one run; regret curves derive from them."""

    learner: str
    environment: str
    seed: int | None
    steps: int
    rewards: np.ndarray
    optimal_gains: np.ndarray
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def regret(self) -> np.ndarray:
        """Cumulative regret after each step, ``regret[t] = sum_{u <= t} (g*_u - r_u)``."""
        return np.cumsum(self.optimal_gains - self.rewards)

    def regret_at(self, t: int) -> float:
        """Cumulative regret after the first ``t`` steps."""
        t = check_positive_int(t, "t")
        if t > self.steps:
            raise ExperimentError(f"t must be <= steps ({self.steps}), got {t}")
        return float(np.sum(self.optimal_gains[:t] - self.rewards[:t]))

    @property
    def total_regret(self) -> float:
        return float(np.sum(self.optimal_gains - self.rewards))

    @property
    def mean_reward(self) -> float:
        return float(self.rewards.mean())

    def to_dict(self) -> dict[str, Any]:
        return {"learner": self.learner, "environment": self.environment, "seed": self.seed, "steps": self.steps,
                "rewards": self.rewards.tolist(), "optimal_gains": self.optimal_gains.tolist(), "config": self.config}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunResult":
        return cls(d["learner"], d["environment"], d["seed"], int(d["steps"]), np.asarray(d["rewards"], dtype=float),
                   np.asarray(d["optimal_gains"], dtype=float), dict(d.get("config", {})))


def _rng_pair(seed: int | np.random.Generator | None) -> tuple[np.random.Generator, np.random.Generator]:
    gen = as_generator(seed)
    env_rng, agent_rng = gen.spawn(2)
    return env_rng, agent_rng


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically: a temporary file of this writer's own (never shared with another process), then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(learner: Learner, env_or_mdp: Any, steps: int, seed: int | np.random.Generator | None = None, *,
        progress: bool = True, checkpoint: str | os.PathLike[str] | None = None,
        checkpoint_every: int = 10_000, stop_after: int | None = None) -> RunResult:
    """Run ``learner`` for ``steps`` steps in ``env_or_mdp`` (an :class:`Environment` or an MDP).

    ``seed`` fixes everything (environment and learner draw from two generators spawned from it). With
    ``checkpoint`` (a JSON path) the run saves its state every ``checkpoint_every`` steps and, if the file exists,
    resumes from it (same learner name/config, environment and step count required). ``stop_after`` ends the call
    early after that many total steps (saving a checkpoint), which is how an interrupted run is simulated.
    """
    if not isinstance(learner, Learner):
        raise LearnerError(f"learner must be an activeq Learner, got {type(learner).__name__}")
    env = as_environment(env_or_mdp)
    steps = check_positive_int(steps, "steps")
    checkpoint_every = check_positive_int(checkpoint_every, "checkpoint_every")
    if (learner.num_states, learner.num_actions) != (env.num_states, env.num_actions):
        raise LearnerError(f"learner has {learner.num_states} states x {learner.num_actions} actions but the "
                           f"environment has {env.num_states} x {env.num_actions}")
    seed_label = int(seed) if isinstance(seed, (int, np.integer)) else None
    rewards = np.zeros(steps)
    gains = np.zeros(steps)
    path = Path(checkpoint) if checkpoint is not None else None
    header = {"version": CHECKPOINT_VERSION, "learner": learner.name, "config": learner.config(),
              "environment": env.name, "steps": steps, "seed": seed_label}
    if path is not None and path.exists():
        with open(path) as f:
            data = json.load(f)
        saved = {k: data.get(k) for k in header}
        if saved != json.loads(json.dumps(header)):
            diff = sorted(k for k in header if saved.get(k) != json.loads(json.dumps(header[k])))
            raise ExperimentError(f"checkpoint {path} belongs to a different run (differs in {diff})")
        t = int(data["t"])
        rewards[:t] = data["rewards"]
        gains[:t] = data["optimal_gains"]
        env.load_state_dict(data["env"])
        learner.load_state_dict(data["learner_state"])
        env_rng = decode_state(data["env_rng"])
        agent_rng = decode_state(data["agent_rng"])
        s = env.state
    else:
        env_rng, agent_rng = _rng_pair(seed)
        t = 0
        s = env.reset(env_rng)

    def save() -> None:
        if path is None:
            return
        _write_json(path, {**header, "t": t, "rewards": rewards[:t].tolist(), "optimal_gains": gains[:t].tolist(),
                           "env": env.state_dict(), "learner_state": learner.state_dict(),
                           "env_rng": encode_state(env_rng), "agent_rng": encode_state(agent_rng)})

    end = steps if stop_after is None else min(steps, check_positive_int(stop_after, "stop_after"))
    # the unchecked hot-path methods: states come from the environment, actions from the learner itself
    act, observe, step, opt = learner._act, learner._observe, env.step, env.optimal_gain
    bar = tqdm(total=end, initial=t, disable=not progress, desc=learner.name, leave=False)
    chunk = 1000
    try:
        while t < end:
            stop = min(end, t + chunk)
            if path is not None:
                stop = min(stop, (t // checkpoint_every + 1) * checkpoint_every)
            t0 = t
            for u in range(t0, stop):
                gains[u] = opt()
                a = act(s, agent_rng)
                r, s2 = step(a, env_rng)
                observe(s, a, r, s2, agent_rng)
                rewards[u] = r
                s = s2
            t = stop
            bar.update(stop - t0)
            if path is not None and (t % checkpoint_every == 0 or t == end):
                save()
    finally:
        bar.close()
    if t < steps:
        return RunResult(learner.name, env.name, seed_label, t, rewards[:t].copy(), gains[:t].copy(), learner.config())
    return RunResult(learner.name, env.name, seed_label, steps, rewards, gains, learner.config())
