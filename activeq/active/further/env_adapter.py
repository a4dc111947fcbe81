"""Let FURTHER / LILI agents act in a PettingZoo ``ParallelEnv`` (e.g. ``activeq.games.env.ParallelGameEnv``).

The env's observations are one-hot state vectors (or ``{"observation": one-hot, ...}`` dicts); an
:class:`EnvPlayer` turns them into the agent's state index, samples its action and feeds each transition back.
As in the original training loop, when an episode ends the transition's next state is the *reset* observation of
the next episode and the agent is not reset; :func:`play` runs that loop for any number of steps.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import torch

from ..._checks import SeedLike, check_positive_int
from ...errors import ArgumentError
from .agent import FurtherAgent


def state_index(observation: Any) -> int:
    """State index of a one-hot observation (array or PettingZoo ``{"observation": ...}`` dict)."""
    if isinstance(observation, Mapping):
        observation = observation["observation"]
    return int(np.argmax(np.asarray(observation)))


class EnvPlayer:
    """One FURTHER/LILI agent (``num_seeds == 1``) seated as ``env_agent`` in a 2-player parallel env."""

    def __init__(self, agent: FurtherAgent, env_agent: str):
        if not isinstance(agent, FurtherAgent):
            raise ArgumentError(f"agent must be a FurtherAgent or LiliAgent, got {type(agent).__name__}")
        if agent.num_seeds != 1:
            raise ArgumentError(f"an EnvPlayer drives one env: agent.num_seeds must be 1, got {agent.num_seeds}")
        self.agent = agent
        self.env_agent = str(env_agent)

    def act(self, observations: Mapping[str, Any]) -> int:
        """This player's action for the current observations (a dict keyed by env agent names)."""
        s = torch.tensor([state_index(observations[self.env_agent])])
        return int(self.agent.act(s)[0])

    def observe(self, observations: Mapping[str, Any], actions: Mapping[str, int], rewards: Mapping[str, float],
                next_observations: Mapping[str, Any], agent_order: Sequence[str]) -> None:
        """Feed one transition (joint action ordered by ``agent_order``, this player's reward) to the agent."""
        s = torch.tensor([state_index(observations[self.env_agent])])
        s2 = torch.tensor([state_index(next_observations[self.env_agent])])
        a = torch.tensor([[int(actions[name]) for name in agent_order]])
        r = torch.tensor([float(rewards[self.env_agent])])
        self.agent.observe(s, a, r, s2)


def play(env: Any, players: Sequence[EnvPlayer], steps: int, *, seed: SeedLike = None) -> np.ndarray:
    """Run ``players`` in ``env`` for ``steps`` steps (resetting the env, not the agents, at episode ends).

    Returns the rewards ``(steps, n_players)`` in ``env.possible_agents`` order.
    """
    steps = check_positive_int(steps, "steps")
    order = list(env.possible_agents)
    seats = {p.env_agent for p in players}
    if seats != set(order) or len(players) != len(order):
        raise ArgumentError(f"players must occupy every env agent {order} exactly once, got {sorted(seats)}")
    out = np.zeros((steps, len(order)))
    obs, _ = env.reset(seed=seed)
    for t in range(steps):
        actions = {p.env_agent: p.act(obs) for p in players}
        nxt, rewards, terms, truncs, _ = env.step(actions)
        if any(terms.values()) or any(truncs.values()):
            nxt, _ = env.reset()
        for p in players:
            p.observe(obs, actions, rewards, nxt, order)
        out[t] = [rewards[a] for a in order]
        obs = nxt
    return out
