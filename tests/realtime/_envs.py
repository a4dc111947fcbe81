"""Small gymnasium envs the realtime tests wrap: a step counter that echoes the step index, and one that raises."""

from __future__ import annotations

import gymnasium as gym
from gymnasium import spaces


class Counter(gym.Env):
    """Observation = env step index; reward = the action; records every applied action in ``applied``."""

    def __init__(self, n: int = 100_000, horizon: int = 10 ** 9, fail_at: int | None = None):
        self.action_space = spaces.Discrete(n)
        self.observation_space = spaces.Discrete(n)
        self.horizon = horizon
        self.fail_at = fail_at
        self.t = 0
        self.applied: list[int] = []

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.t = 0
        self.applied = []
        return 0, {}

    def step(self, a):
        if self.fail_at is not None and self.t == self.fail_at:
            raise OSError("sensor unplugged")
        self.applied.append(int(a))
        self.t += 1
        return self.t, float(a), False, self.t >= self.horizon, {"t": self.t}


def run_echo(env, offset: int = 1, seed: int = 0):
    """Drive a RealtimeEnv over a Counter with the policy 'action = observed step + offset' until the episode ends."""
    obs, info = env.reset(seed=seed)
    infos = [info]
    while True:
        obs, r, term, trunc, info = env.step(int(obs) + offset)
        infos.append(info)
        if term or trunc:
            return infos
