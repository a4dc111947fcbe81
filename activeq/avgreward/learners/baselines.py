"""Model-free and Dyna baselines: discounted Q-learning (plain, with replay, Dyna-Q) and the average-reward
Differential Q-learning (Wan, Naik & Sutton 2021) and R-learning (Schwartz 1993). All act epsilon-greedily on
their action values, ties broken at random.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_in_range, check_positive_int
from .base import Learner, check_discount, check_epsilon, check_rate, epsilon_greedy


class _ValueLearner(Learner):
    def __init__(self, num_states: int, num_actions: int, *, lr: float = 0.1, epsilon: float = 0.05,
                 initial_value: float = 0.0, seed: int | np.random.Generator | None = None):
        super().__init__(num_states, num_actions, seed)
        self.lr = check_rate(lr, "lr")
        self.epsilon = check_epsilon(epsilon)
        self.initial_value = check_in_range(initial_value, "initial_value")
        self.Q = np.full((num_states, num_actions), self.initial_value)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "lr": self.lr, "epsilon": self.epsilon, "initial_value": self.initial_value}

    def _act(self, state: int, rng: np.random.Generator) -> int:
        return epsilon_greedy(self.Q[state], self.epsilon, rng)

    def greedy_policy(self) -> np.ndarray:
        return np.argmax(self.Q, axis=1)


class QLearning(_ValueLearner):
    """Tabular Q-learning: ``Q[s, a] += lr (r + discount max Q[s'] - Q[s, a])``."""

    name = "q_learning"

    def __init__(self, num_states: int, num_actions: int, *, discount: float = 0.99, **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.discount = check_discount(discount)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "discount": self.discount}

    def _backup(self, s: int, a: int, r: float, s2: int) -> None:
        self.Q[s, a] += self.lr * (r + self.discount * self.Q[s2].max() - self.Q[s, a])

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        self._backup(state, action, reward, next_state)


class QLearningReplay(QLearning):
    """Q-learning that also replays ``replay`` uniformly drawn past transitions per step (buffer of ``capacity``)."""

    name = "q_replay"

    def __init__(self, num_states: int, num_actions: int, *, replay: int = 4, capacity: int = 10_000,
                 **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.replay = check_positive_int(replay, "replay")
        self.capacity = check_positive_int(capacity, "capacity")
        self.buffer = np.zeros((self.capacity, 4))
        self.size = 0
        self.cursor = 0

    def config(self) -> dict[str, Any]:
        return {**super().config(), "replay": self.replay, "capacity": self.capacity}

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        self.buffer[self.cursor] = (state, action, reward, next_state)
        self.cursor = (self.cursor + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)
        self._backup(state, action, reward, next_state)
        for i in rng.integers(self.size, size=self.replay):
            s, a, r, s2 = self.buffer[i]
            self._backup(int(s), int(a), r, int(s2))


class DynaQ(QLearning):
    """Dyna-Q (Sutton 1990): Q-learning plus ``planning`` simulated backups per step from a learned model.

    The model samples next states from the empirical transition counts of a previously tried ``(s, a)`` (the
    stochastic-environment form of Dyna-Q's table model) with its mean reward.
    """

    name = "dyna_q"

    def __init__(self, num_states: int, num_actions: int, *, planning: int = 5, **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.planning = check_positive_int(planning, "planning")
        self.counts = np.zeros((num_states, num_actions, num_states))
        self.reward_sum = np.zeros((num_states, num_actions))
        self.seen = np.zeros(0, dtype=np.int64)     # flat indices s * A + a of tried pairs, in first-seen order
        self.tried = np.zeros((num_states, num_actions), dtype=bool)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "planning": self.planning}

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        self.counts[state, action, next_state] += 1.0
        self.reward_sum[state, action] += reward
        if not self.tried[state, action]:
            self.tried[state, action] = True
            self.seen = np.append(self.seen, state * self.num_actions + action)
        self._backup(state, action, reward, next_state)
        A = self.num_actions
        for k in rng.integers(self.seen.shape[0], size=self.planning):
            s, a = divmod(int(self.seen[k]), A)
            row = self.counts[s, a]
            n = row.sum()
            s2 = int(min(np.searchsorted(np.cumsum(row), rng.random() * n, side="right"), self.num_states - 1))
            self._backup(s, a, self.reward_sum[s, a] / n, s2)


class DifferentialQLearning(_ValueLearner):
    """Differential Q-learning (Wan et al. 2021): ``delta = r - Rbar + max Q[s'] - Q[s, a]``,
    ``Q[s, a] += lr delta``, ``Rbar += eta lr delta``."""

    name = "differential_q"

    def __init__(self, num_states: int, num_actions: int, *, eta: float = 0.1, **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.eta = check_in_range(eta, "eta", 0.0, None, low_open=True)
        self.reward_rate = 0.0

    def config(self) -> dict[str, Any]:
        return {**super().config(), "eta": self.eta}

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        delta = reward - self.reward_rate + self.Q[next_state].max() - self.Q[state, action]
        self.Q[state, action] += self.lr * delta
        self.reward_rate += self.eta * self.lr * delta


class RLearning(_ValueLearner):
    """R-learning (Schwartz 1993): ``Q[s, a] += lr (r - rho + max Q[s'] - Q[s, a])``; after a greedy action,
    ``rho += beta (r + max Q[s'] - max Q[s] - rho)``."""

    name = "r_learning"

    def __init__(self, num_states: int, num_actions: int, *, beta: float = 0.01, **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.beta = check_rate(beta, "beta")
        self.reward_rate = 0.0

    def config(self) -> dict[str, Any]:
        return {**super().config(), "beta": self.beta}

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        q = self.Q
        greedy = q[state, action] >= q[state].max()
        next_max = q[next_state].max()
        q[state, action] += self.lr * (reward - self.reward_rate + next_max - q[state, action])
        if greedy:
            self.reward_rate += self.beta * (reward + next_max - q[state].max() - self.reward_rate)
