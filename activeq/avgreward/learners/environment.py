"""Continuing environments the learners interact with, and the exact optimal gain regret is measured against.

- :class:`MDPEnvironment`: a finite MDP (one-player ``StochasticGame`` or ``SparseMDP``). The optimal gain is
  ``solve_average_reward(mdp).gain[s]`` at the current state (constant for communicating MDPs). With
  ``observation`` the learner sees only ``observation[s]`` (e.g. the cell of a rooms MDP whose state also holds the
  task); regret is still charged against the exact optimal gain of the full MDP, the best any history-dependent
  policy can achieve.
- :class:`SwitchingEnvironment`: a sequence of task MDPs over the same states and actions; the current task
  switches after the agent acts in one of the task's ``switch_states`` (e.g. its goal, whose reward it collects
  first) and/or every
  ``switch_every`` steps, to the next task (``switching="cycles"``) or a uniformly drawn other one
  (``"random"``). The learner sees only the state, not the task. The optimal gain charged at each step is the
  exact optimal gain of the *current* task's MDP.

Sampling uses per-row cumulative probabilities of the sparse transition matrix (one uniform draw per step).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np

from ..._checks import check_choice, check_positive_int
from ...errors import ArgumentError
from .base import Stateful


def _solve(mdp: Any):
    from ..mdp import solve_average_reward   # imported late: sibling module of the same layer
    return solve_average_reward(mdp)


def _sparse(mdp: Any):
    from ..mdp import as_sparse_mdp
    return as_sparse_mdp(mdp)


class _Sampler:
    """Next-state sampler for a SparseMDP: CSR row ``s * A + a`` with cumulative probabilities."""

    def __init__(self, m: Any):
        T = m.transitions
        self.A = m.num_actions
        self.indptr = T.indptr
        self.indices = T.indices
        cum = T.data.copy()
        for k in range(T.shape[0]):                # cumulative sums within each row
            lo, hi = T.indptr[k], T.indptr[k + 1]
            cum[lo:hi] = np.cumsum(T.data[lo:hi])
            cum[hi - 1] = 1.0
        self.cum = cum

    def sample(self, s: int, a: int, u: float) -> int:
        k = s * self.A + a
        lo, hi = self.indptr[k], self.indptr[k + 1]
        j = lo + int(np.searchsorted(self.cum[lo:hi], u, side="right"))
        return int(self.indices[min(j, hi - 1)])


class Environment(Stateful, ABC):
    """A continuing environment with ``num_states`` states and ``num_actions`` actions."""

    name: str = "environment"
    num_states: int
    num_actions: int
    state: int

    @abstractmethod
    def reset(self, rng: np.random.Generator) -> int:
        """Start (or restart) and return the first state."""

    @abstractmethod
    def step(self, action: int, rng: np.random.Generator) -> tuple[float, int]:
        """Take ``action``; return ``(reward, next_state)``."""

    @abstractmethod
    def optimal_gain(self) -> float:
        """Exact optimal long-run average reward of the current task from the current state."""

    def state_dict(self) -> dict[str, Any]:
        return {"state": int(self.state)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.state = int(state["state"])


class MDPEnvironment(Environment):
    """A finite MDP as an environment; rewards are the MDP's expected rewards ``R[s, a]``.

    ``observation`` (optional, ints of shape ``(S,)``): the learner sees ``observation[s]`` instead of ``s``, so
    ``num_states`` is the number of observations; ``hidden`` holds the MDP state. ``exact_gains=False`` skips the
    exact solve and charges NaN optimal gains (speed measurements only).
    """

    def __init__(self, mdp: Any, *, name: str | None = None, observation: Any = None, exact_gains: bool = True):
        self.mdp = _sparse(mdp)
        self.name = name or getattr(mdp, "name", None) or "mdp"
        S = self.mdp.num_states
        self.num_actions = self.mdp.num_actions
        self._obs = None if observation is None else _check_observation(observation, S)
        self.num_states = S if self._obs is None else int(self._obs.max()) + 1
        self._R = np.asarray(self.mdp.rewards)
        self._initial = np.asarray(getattr(mdp, "initial", np.full(S, 1.0 / S)))
        self._sampler = _Sampler(self.mdp)
        self.solution = _solve(self.mdp) if exact_gains else None
        self._gain = np.asarray(self.solution.gain, dtype=float) if exact_gains else np.full(S, np.nan)
        self.hidden = 0
        self.state = 0

    def _seen(self, h: int) -> int:
        return h if self._obs is None else int(self._obs[h])

    def reset(self, rng: np.random.Generator) -> int:
        cum = np.cumsum(self._initial)
        self.hidden = int(min(np.searchsorted(cum, rng.random() * cum[-1], side="right"), self.mdp.num_states - 1))
        self.state = self._seen(self.hidden)
        return self.state

    def step(self, action: int, rng: np.random.Generator) -> tuple[float, int]:
        h = self.hidden
        r = float(self._R[h, action])
        self.hidden = self._sampler.sample(h, action, rng.random())
        self.state = self._seen(self.hidden)
        return r, self.state

    def optimal_gain(self) -> float:
        return float(self._gain[self.hidden])

    def state_dict(self) -> dict[str, Any]:
        return {"state": int(self.state), "hidden": int(self.hidden)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.state = int(state["state"])
        self.hidden = int(state.get("hidden", self.state))


def _check_observation(observation: Any, num_states: int) -> np.ndarray:
    obs = np.asarray(observation)
    if obs.shape != (num_states,) or not np.issubdtype(obs.dtype, np.integer):
        raise ArgumentError(f"observation must be an int array of shape ({num_states},) (one observation per MDP "
                            f"state), got dtype {obs.dtype} and shape {obs.shape}")
    if obs.min() < 0:
        raise ArgumentError(f"observation must hold non-negative ints, got minimum {int(obs.min())}")
    return obs.astype(np.int64)


class SwitchingEnvironment(Environment):
    """Task MDPs over shared states/actions with switching on reaching ``switch_states`` or on a schedule.

    ``tasks``: MDPs (same S and A). ``switch_states[k]``: states where acting ends task k, after its reward is
    collected (None: none).
    ``switch_every``: also switch after this many steps in a task (None: never). ``start``: the start state
    (default: uniform). ``exact_gains=False`` skips ``solve_average_reward`` and charges NaN optimal gains: only
    for runs that measure speed, not regret.
    """

    def __init__(self, tasks: Sequence[Any], *, switch_states: Sequence[Sequence[int] | None] | None = None,
                 switch_every: int | None = None, switching: str = "cycles", start: int | None = None,
                 name: str = "switching", exact_gains: bool = True):
        if len(tasks) == 0:
            raise ArgumentError("tasks must hold at least one MDP")
        self.tasks = [_sparse(t) for t in tasks]
        S, A = self.tasks[0].num_states, self.tasks[0].num_actions
        for k, t in enumerate(self.tasks):
            if (t.num_states, t.num_actions) != (S, A):
                raise ArgumentError(f"tasks[{k}] has {t.num_states} states x {t.num_actions} actions; "
                                    f"tasks[0] has {S} x {A}")
        self.num_states, self.num_actions, self.name = S, A, name
        self.switching = check_choice(switching, "switching", ("cycles", "random"))
        self.switch_every = None if switch_every is None else check_positive_int(switch_every, "switch_every")
        if switch_states is None:
            switch_states = [None] * len(self.tasks)
        if len(switch_states) != len(self.tasks):
            raise ArgumentError(f"switch_states must have one entry per task ({len(self.tasks)}), got {len(switch_states)}")
        self._ends = np.zeros((len(self.tasks), S), dtype=bool)
        for k, states in enumerate(switch_states):
            if states is not None:
                idx = np.asarray(list(states), dtype=np.int64)
                if idx.size and (idx.min() < 0 or idx.max() >= S):
                    raise ArgumentError(f"switch_states[{k}] must hold states in [0, {S})")
                self._ends[k, idx] = True
        self._start = start
        self._R = [np.asarray(t.rewards) for t in self.tasks]
        self._samplers = [_Sampler(t) for t in self.tasks]
        self._gains = [np.asarray(_solve(t).gain, dtype=float) if exact_gains else np.full(S, np.nan)
                       for t in self.tasks]
        self.state = 0
        self.task = 0
        self.age = 0

    def reset(self, rng: np.random.Generator) -> int:
        self.task, self.age = 0, 0
        if self._start is not None:
            self.state = int(self._start)
        else:
            self.state = int(rng.integers(self.num_states))
        return self.state

    def _switch(self, rng: np.random.Generator) -> None:
        n = len(self.tasks)
        if self.switching == "cycles" or n == 1:
            self.task = (self.task + 1) % n
        else:
            self.task = int((self.task + 1 + rng.integers(n - 1)) % n)
        self.age = 0

    def step(self, action: int, rng: np.random.Generator) -> tuple[float, int]:
        s, k = self.state, self.task
        r = float(self._R[k][s, action])
        self.state = self._samplers[k].sample(s, action, rng.random())
        self.age += 1
        if self._ends[k, s] or (self.switch_every is not None and self.age >= self.switch_every):
            self._switch(rng)
        return r, self.state

    def optimal_gain(self) -> float:
        return float(self._gains[self.task][self.state])

    def state_dict(self) -> dict[str, Any]:
        return {"state": int(self.state), "task": int(self.task), "age": int(self.age)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.state, self.task, self.age = int(state["state"]), int(state["task"]), int(state["age"])


def as_environment(env_or_mdp: Any) -> Environment:
    """An :class:`Environment` as is, or an MDP wrapped in :class:`MDPEnvironment`."""
    if isinstance(env_or_mdp, Environment):
        return env_or_mdp
    return MDPEnvironment(env_or_mdp)
