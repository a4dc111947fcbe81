"""The learned tabular model: transition counts with a small Dirichlet prior and mean rewards.

``P[s, a] = (N[s, a, :] + prior / S) / (n[s, a] + prior)`` (a Dirichlet prior of total mass ``prior`` spread
evenly over next states, so every model chain is irreducible and has a unique stationary law), and
``R[s, a] = (sum of rewards + optimism * optimism_weight) / (n[s, a] + optimism_weight)`` (untried actions look
as good as ``optimism``: optimism in the face of uncertainty, fading as 1/n).
"""

from __future__ import annotations

import numpy as np

from ..._checks import as_float_array, check_in_range
from .base import Stateful


class TabularModel(Stateful):
    """Counts-based model of an MDP with ``S`` states and ``A`` actions; ``P`` is ``(S, A, S)``, ``R`` is ``(S, A)``."""

    def __init__(self, num_states: int, num_actions: int, *, prior: float = 0.1, optimism: float = 1.0,
                 optimism_weight: float = 1.0):
        S, A = num_states, num_actions
        self.prior = check_in_range(prior, "prior", 0.0, None, low_open=True)
        self.optimism = check_in_range(optimism, "optimism")
        self.optimism_weight = check_in_range(optimism_weight, "optimism_weight", 0.0, None)
        self.counts = np.zeros((S, A, S))
        self.visits = np.zeros((S, A))
        self.reward_sum = np.zeros((S, A))
        self.P = np.full((S, A, S), 1.0 / S)
        self.R = np.full((S, A), self.optimism if self.optimism_weight > 0 else 0.0)

    def update(self, s: int, a: int, r: float, s2: int) -> None:
        """Add one observed transition and refresh the row ``P[s, a]`` and ``R[s, a]``."""
        self.counts[s, a, s2] += 1.0
        self.visits[s, a] += 1.0
        self.reward_sum[s, a] += r
        n = self.visits[s, a]
        S = self.counts.shape[0]
        self.P[s, a] = (self.counts[s, a] + self.prior / S) / (n + self.prior)
        self.R[s, a] = (self.reward_sum[s, a] + self.optimism * self.optimism_weight) / (n + self.optimism_weight)

    def policy_chain(self, policy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(P_pi, r_pi)`` for a deterministic policy ``(S,)`` of ints or a stochastic one ``(S, A)``."""
        pol = np.asarray(policy)
        S = self.P.shape[0]
        if pol.ndim == 1:
            idx = np.arange(S)
            return self.P[idx, pol].copy(), self.R[idx, pol].copy()
        pol = as_float_array(pol, "policy", ndim=2)
        return np.einsum("sa,sat->st", pol, self.P), np.einsum("sa,sa->s", pol, self.R)
