"""PettingZoo ``ParallelEnv`` for playing activeq games step by step.

``ParallelGameEnv(game, max_steps=150, seed=None)`` accepts three kinds of game:

* a :class:`NormalFormGame`: **repeated play** of the stage game with no state (kind ``"repeated"``); the
  observation is the constant vector ``[1.0]`` (use an :class:`IteratedGame` to observe past actions);
* an :class:`IteratedGame`: the repeated game with memory-k observations (kind ``"iterated"``), starting in the
  empty-history state;
* any :class:`StochasticGame` (kind ``"stochastic"``): the start state is drawn from ``game.initial``, the next state
  from ``game.transitions[s, a]``.

Observations (every agent sees the same, the game is fully observed): the current state **one-hot**, a float32
vector of length ``game.num_states`` (``[1.0]`` for repeated play), ordered as ``game.state_names``. If some
action is illegal in some state (``game.legal_actions``), observations are instead dicts
``{"observation": one-hot, "action_mask": int8 mask}`` (the PettingZoo classic-environment convention) so samplers
respect the mask; the mask is in every agent's ``info["action_mask"]`` too.

Rewards: agent i receives ``game.rewards[s, i, a]`` for the joint action ``a`` taken in state ``s`` (the expected
stage reward; stage-reward noise is not modelled). Actions are ints in ``[0, n_actions_i)``.

Episodes end by **termination** when the state becomes terminal (default: every absorbing state whose rewards are all
zero, e.g. a finished grid game; pass ``terminal_states`` to choose) or by **truncation** after ``max_steps`` steps.
``info`` holds ``state`` (index), ``step``, ``joint_action`` (the actions just taken) and ``action_mask``.
``reset(options={"state": s})`` starts in state ``s`` (index or name) instead of drawing from ``game.initial``.
Seeding: ``seed`` in the constructor or ``reset(seed=...)`` (int or numpy Generator) fixes the start-state and
transition draws (and seeds the action spaces' ``sample``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from gymnasium import spaces
from pettingzoo.utils.env import ParallelEnv

from .._checks import SeedLike, as_generator, as_index_array, check_positive_int
from ..errors import ArgumentError, ArgumentTypeError
from .iterated import IteratedGame
from .normal_form import NormalFormGame
from .stochastic import StochasticGame


def absorbing_zero_states(game: StochasticGame) -> np.ndarray:
    """Indices of states that loop to themselves with probability 1 and pay every player 0 for every joint action."""
    S = game.num_states
    T = game.transitions.reshape(S, -1, S)
    stay = np.all(np.isclose(T[np.arange(S), :, np.arange(S)], 1.0), axis=1)
    zero = np.all(game.rewards.reshape(S, -1) == 0.0, axis=1)
    return np.flatnonzero(stay & zero)


class ParallelGameEnv(ParallelEnv):
    """A repeated normal-form, iterated or stochastic game as a PettingZoo parallel environment (see module doc)."""

    metadata = {"name": "activeq_game_v0", "render_modes": ["ansi"], "is_parallelizable": True}

    def __init__(self, game: NormalFormGame | StochasticGame, max_steps: int = 150, seed: SeedLike = None, *,
                 terminal_states: Sequence[int] | None = None, render_mode: str | None = None):
        if isinstance(game, NormalFormGame):
            self.kind = "repeated"
            self._R = game.payoffs[None]
            self._T = np.ones((1, *game.num_actions, 1))
            self._initial = np.ones(1)
            masks = tuple(np.ones((1, k), dtype=bool) for k in game.num_actions)
            self.state_names: tuple[str, ...] = ("stage",)
        elif isinstance(game, StochasticGame):
            self.kind = "iterated" if isinstance(game, IteratedGame) else "stochastic"
            self._R, self._T, self._initial = game.rewards, game.transitions, game.initial
            masks = game.legal_actions
            self.state_names = tuple(game.state_names)
        else:
            raise ArgumentTypeError(f"game must be a NormalFormGame or StochasticGame, got {type(game).__name__}")
        if not (render_mode is None or render_mode == "ansi" and isinstance(render_mode, str)):
            raise ArgumentError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.game = game
        self.max_steps = check_positive_int(max_steps, "max_steps")
        self.render_mode = render_mode
        self.num_states = self._R.shape[0]
        self.num_actions = tuple(int(k) for k in self._R.shape[2:])
        self._masks = masks
        # hot-path tables indexed by (state, flat joint action): python lists are faster than numpy scalars here
        S, n = self._R.shape[0], self._R.shape[1]
        J = int(np.prod(self._R.shape[2:]))
        self._strides = [int(np.prod(self._R.shape[3 + i:])) for i in range(n)]
        self._reward_table = np.moveaxis(self._R.reshape(S, n, J), 1, 2).tolist()  # [s][j] -> per-player list
        self._cdf = np.cumsum(self._T.reshape(S, J, S), axis=-1)  # next-state sampling by inverse CDF
        self._legal_lists = [m.tolist() for m in masks]
        self._mask_int8 = [m.astype(np.int8) for m in masks]
        self._masked = not all(m.all() for m in masks)
        if terminal_states is None:
            terminal = absorbing_zero_states(game) if self.kind != "repeated" else np.array([], dtype=int)
        else:
            terminal = as_index_array(terminal_states, "terminal_states", self.num_states)
        self._terminal = np.zeros(self.num_states, dtype=bool)
        self._terminal[terminal] = True
        self._terminal_list = self._terminal.tolist()
        self.possible_agents = [str(p) for p in game.player_names]
        self.agents: list[str] = []
        self._index = {a: i for i, a in enumerate(self.possible_agents)}
        one_hot = spaces.Box(0.0, 1.0, shape=(self.num_states,), dtype=np.float32)
        self.observation_spaces = {}
        for i, a in enumerate(self.possible_agents):
            if self._masked:
                self.observation_spaces[a] = spaces.Dict({
                    "observation": one_hot,
                    "action_mask": spaces.Box(0, 1, shape=(self.num_actions[i],), dtype=np.int8)})
            else:
                self.observation_spaces[a] = one_hot
        self.action_spaces = {a: spaces.Discrete(k) for a, k in zip(self.possible_agents, self.num_actions)}
        self.state_space = one_hot
        self._rng = as_generator(seed)
        self._state = 0
        self._step = 0
        self._last: tuple[int, ...] | None = None

    # --- PettingZoo API -----------------------------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[self._agent(agent)]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[self._agent(agent)]

    def reset(self, seed: SeedLike = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Start an episode in a state drawn from the game's initial distribution, or in ``options["state"]``
        (a state index or name) when given."""
        if seed is not None:
            self._rng = as_generator(seed)
            for k, a in enumerate(self.possible_agents):
                self.action_spaces[a].seed(int(self._rng.integers(2 ** 31)) + k)
        self.agents = list(self.possible_agents)
        start = None if options is None else options.get("state")
        if start is None:
            cdf = np.cumsum(self._initial)
            self._state = min(int(np.searchsorted(cdf, self._rng.random() * cdf[-1], side="right")),
                              self.num_states - 1)
        elif isinstance(start, str) and start in self.state_names:
            self._state = self.state_names.index(start)
        elif isinstance(start, (int, np.integer)) and not isinstance(start, bool) and 0 <= start < self.num_states:
            self._state = int(start)
        else:
            self.agents = []
            raise ArgumentError(f"options['state'] must be a state index in [0, {self.num_states}) or a state name, "
                                f"got {start!r}")
        self._step = 0
        self._last = None
        return self._observations(), self._infos()

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float], dict[str, bool],
                                                     dict[str, bool], dict[str, dict[str, Any]]]:
        """Play one joint action; returns observations, rewards, terminations, truncations and infos per agent."""
        if not self.agents:
            raise ArgumentError("the episode is over (or reset() was never called); call reset() first")
        joint = self._joint_action(actions)
        s = self._state
        j = sum(a * k for a, k in zip(joint, self._strides))
        rewards = self._reward_table[s][j]
        cdf = self._cdf[s, j]
        nxt = min(int(cdf.searchsorted(self._rng.random() * cdf[-1], side="right")), self.num_states - 1)
        self._state, self._last = nxt, joint
        self._step += 1
        terminated = self._terminal_list[nxt]
        truncated = self._step >= self.max_steps and not terminated
        agents = self.agents
        obs, infos = self._observations(), self._infos()
        rew = {a: rewards[self._index[a]] for a in agents}
        terms = {a: terminated for a in agents}
        truncs = {a: truncated for a in agents}
        if terminated or truncated:
            self.agents = []
        return obs, rew, terms, truncs, infos

    def state(self) -> np.ndarray:
        """The global state: the current state one-hot (same as each agent's observation)."""
        return self._one_hot()

    def render(self) -> str | None:
        if self.render_mode is None:
            return None
        acts = "-" if self._last is None else ", ".join(
            f"{a}={self._action_name(i, x)}" for i, (a, x) in enumerate(zip(self.possible_agents, self._last)))
        return f"step {self._step}: state {self.state_names[self._state]} (after {acts})"

    def close(self) -> None:
        pass

    # --- extras -------------------------------------------------------------------------------
    @property
    def state_index(self) -> int:
        """Index of the current state (0 for repeated play)."""
        return self._state

    # --- helpers ------------------------------------------------------------------------------
    def _agent(self, agent: str) -> str:
        if agent not in self._index:
            raise ArgumentError(f"agent must be one of {self.possible_agents}, got {agent!r}")
        return agent

    def _action_name(self, i: int, a: int) -> str:
        names = getattr(self.game, "action_names", None)
        return str(names[i][a]) if names else str(a)

    def _joint_action(self, actions: dict[str, Any]) -> tuple[int, ...]:
        if not isinstance(actions, dict):
            raise ArgumentTypeError(f"actions must be a dict agent -> int, got {type(actions).__name__}")
        if len(actions) != len(self.agents) or any(a not in actions for a in self.agents):
            missing = [a for a in self.agents if a not in actions]
            extra = [a for a in actions if a not in self.agents]
            raise ArgumentError(f"actions must have one entry per live agent {self.agents}; "
                                f"missing {missing}, unexpected {extra}")
        joint = []
        for i, agent in enumerate(self.possible_agents):
            a = actions[agent]
            if type(a) is not int:
                if isinstance(a, np.ndarray) and a.size == 1:
                    a = a.item()
                if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
                    raise ArgumentTypeError(f"actions[{agent!r}] must be an int, got {type(a).__name__}")
                a = int(a)
            if not 0 <= a < self.num_actions[i]:
                raise ArgumentError(f"actions[{agent!r}] must be in [0, {self.num_actions[i]}), got {a}")
            if not self._legal_lists[i][self._state][a]:
                raise ArgumentError(f"actions[{agent!r}] = {a} is illegal in state {self.state_names[self._state]}")
            joint.append(a)
        return tuple(joint)

    def _one_hot(self) -> np.ndarray:
        x = np.zeros(self.num_states, dtype=np.float32)
        x[self._state] = 1.0
        return x

    def _observations(self) -> dict[str, Any]:
        x = self._one_hot()
        if not self._masked:
            return {a: x.copy() for a in self.agents}
        return {a: {"observation": x.copy(), "action_mask": self._mask_int8[self._index[a]][self._state].copy()}
                for a in self.agents}

    def _infos(self) -> dict[str, dict[str, Any]]:
        return {a: {"state": self._state, "step": self._step, "joint_action": self._last,
                    "action_mask": self._mask_int8[self._index[a]][self._state].copy()} for a in self.agents}


__all__ = ["ParallelGameEnv", "absorbing_zero_states"]
