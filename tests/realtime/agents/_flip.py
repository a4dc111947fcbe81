"""The two-state "flip" environment (issue 10, R4): the state flips with probability p each frame whatever the
action; naming the current state earns 1. Acting on an observation d frames old, the best policy earns
(1 + (1 - 2p) ** d) / 2 per frame."""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class FlipEnv(gym.Env):
    def __init__(self, p: float = 0.1, length: int = 64):
        self.p, self.length = p, length
        self.observation_space = gym.spaces.Box(0.0, 1.0, (2,), dtype=np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self._rng = np.random.default_rng(0)

    def _obs(self):
        o = np.zeros(2, dtype=np.float32)
        o[self.state] = 1.0
        return o

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        self.state, self.t = int(self._rng.integers(2)), 0
        return self._obs(), {}

    def step(self, action):
        r = float(int(action) == self.state)
        if self._rng.random() < self.p:
            self.state = 1 - self.state
        self.t += 1
        return self._obs(), r, False, self.t >= self.length, {}


def best_delayed(p: float, d: int) -> float:
    return (1 + (1 - 2 * p) ** d) / 2
