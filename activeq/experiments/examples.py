"""Small trial functions for the documentation, the notebook and the benchmarks.

- :func:`bandit`: an epsilon-greedy learner on a Gaussian multi-armed bandit (Sutton and Barto, *Reinforcement
  Learning*, 2nd ed., section 2.3, incremental sample averages of eq. 2.3), with its cumulative-regret curve as a
  metric series;
- :func:`noop`: returns at once; what the benchmarks time as per-trial overhead.

Raises :class:`activeq.errors.ArgumentError` for a bad argument.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_in_range, check_positive_int


def bandit(seed: int, steps: int = 500, epsilon: float = 0.1, arms: int = 5, gap: float = 0.2,
           context: Any = None) -> dict[str, float]:
    """Epsilon-greedy sample averages on ``arms`` unit-variance Gaussian arms, arm ``k`` with mean ``-k * gap``.

    Parameters
    ----------
    seed : int
        Seeds the rewards and the exploration.
    steps : int
        Pulls.
    epsilon : float
        Exploration probability, in [0, 1].
    arms : int
        Number of arms (at least 2).
    gap : float
        Mean gap between consecutive arms (> 0).
    context : TrialContext, optional
        Given by :func:`activeq.experiments.run`: the regret curve is written as the series ``"regret"``.

    Returns
    -------
    dict
        ``mean_reward``, ``regret`` (sum over pulls of best mean minus the pulled arm's mean) and
        ``best_arm_fraction`` (share of pulls of arm 0).
    """
    steps = check_positive_int(steps, "steps")
    arms = check_positive_int(arms, "arms", minimum=2)
    epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
    gap = check_in_range(gap, "gap", 0.0, None, low_open=True)
    rng = np.random.default_rng(seed)
    means = -gap * np.arange(arms)
    counts = np.zeros(arms)
    values = np.zeros(arms)
    explore = rng.random(steps) < epsilon
    random_arm = rng.integers(arms, size=steps)
    noise = rng.standard_normal(steps)
    pulled = np.empty(steps, dtype=int)
    rewards = np.empty(steps)
    for t in range(steps):
        a = int(random_arm[t]) if explore[t] else int(np.argmax(values))
        r = means[a] + noise[t]
        counts[a] += 1
        values[a] += (r - values[a]) / counts[a]
        pulled[t], rewards[t] = a, r
    regret = np.cumsum(means[0] - means[pulled])
    if context is not None:
        at = np.unique(np.geomspace(1, steps, 50).astype(int))
        context.write_series("regret", step=at, regret=regret[at - 1])
    return {"mean_reward": float(rewards.mean()), "regret": float(regret[-1]),
            "best_arm_fraction": float(np.mean(pulled == 0))}


def noop(seed: int) -> dict[str, int]:
    """Return ``{"seed": seed}`` at once (the benchmarks' measure of per-trial overhead)."""
    return {"seed": int(seed)}
