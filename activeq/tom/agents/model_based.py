"""A tabular model-based learner: a counts model of the partner conditioned on the last joint action, planned by
finite-horizon value iteration with an optimism bonus.

The partner is modelled as a Markov policy ``p(b | s)`` over the state ``s`` = the previous joint action (or "start"),
estimated from counts with a back-off to the partner's marginal action frequencies (Laplace-smoothed):

    p_hat(b | s) = (N(s, b) + k m(b)) / (N(s) + k),    m(b) = (M(b) + 1) / (sum_b M(b) + B),

and every round the agent solves the remaining ``H = T - t`` rounds of that model exactly (value iteration over
``s``), with the upper-confidence bonus ``c * span(u) / sqrt(1 + n(s, a))`` on each state-action (optimism in the
face of uncertainty, as in UCB-VI; Azar, Osband and Munos 2017). Its prediction is ``argmax_b p_hat(b | s)``.

Reference (DESIGN.md): a tabular model-based learner reaches functional regret 0.083 at 97% prediction accuracy on
100 rounds of RPS against a single-action partner. Raises ArgumentError for a negative bonus or prior weight.
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np

from ..._checks import check_in_range
from .base import Decision, Episode


class _MBPlayer:
    def __init__(self, ep: Episode, optimism: float, prior: float):
        self.ep = ep
        self.U = np.asarray(ep.game.payoff_matrix(0), dtype=np.float64)
        A, B = self.U.shape
        self.A, self.B = A, B
        self.S = A * B + 1  # joint actions, then "start"
        self.N = np.zeros((self.S, B))
        self.M = np.zeros(B)
        self.n_sa = np.zeros((self.S, A))
        self.state = self.S - 1
        self.c = optimism * max(float(np.ptp(self.U)), 1e-12)
        self.k = prior

    def model(self) -> np.ndarray:
        m = (self.M + 1.0) / (self.M.sum() + self.B)
        return (self.N + self.k * m) / (self.N.sum(axis=1, keepdims=True) + self.k)

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision:
        p = self.model()  # (S, B)
        H = self.ep.horizon - t
        A, B = self.A, self.B
        nxt = (np.arange(A)[:, None] * B + np.arange(B)[None, :])  # (A, B) next state index
        R = p @ self.U.T + self.c / np.sqrt(1.0 + self.n_sa)  # (S, A)
        v = np.zeros(self.S)
        q = R
        for _ in range(H):
            q = R + p @ v[nxt].T  # (S, A): sum_b p(b|s) v(next(a, b))
            v = q.max(axis=1)
        row = q[self.state]
        a = int(np.flatnonzero(row >= row.max() - 1e-9)[0])
        pred = int(np.argmax(p[self.state]))
        return Decision(a, pred)

    def observe(self, t: int, action: int, partner_action: int) -> None:
        self.N[self.state, partner_action] += 1
        self.M[partner_action] += 1
        self.n_sa[self.state, action] += 1
        self.state = action * self.B + partner_action


class ModelBased:
    """Tabular model-based learner (see the module docstring).

    Parameters
    ----------
    optimism : float
        Bonus scale c (in units of the payoff span); 0 = greedy in the model.
    prior : float
        Weight k of the back-off to the marginal action frequencies.
    """

    style = "scripted"
    model = "tabular_model_based"

    def __init__(self, optimism: float = 0.3, prior: float = 1.0):
        self.optimism = check_in_range(optimism, "optimism", 0.0, None)
        self.prior = check_in_range(prior, "prior", 0.0, None, low_open=True)
        self.name = "model_based"

    def start(self, episode: Episode) -> _MBPlayer:
        return _MBPlayer(episode, self.optimism, self.prior)
