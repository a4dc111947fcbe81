"""Fuzz activeq.avgreward: chains, gains, mixing times, exact average-reward MDP solvers."""

import numpy as np
import scipy.sparse as sp

from activeq import avgreward
from activeq.games import StochasticGame
from activeq.games.generators.scalable import lazy_cycle

from ._harness import Entry, fuzz_test

P3 = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
MDP = StochasticGame.mdp(np.array([[0.0, 1.0], [1.0, 0.0]]), np.full((2, 2, 2), 0.5))


def _chain() -> dict:
    return {"P": P3.copy()}


ENTRIES = [
    Entry("stationary_distribution", avgreward.stationary_distribution, lambda: {**_chain(), "unique": True}),
    Entry("recurrent_classes", avgreward.recurrent_classes, _chain),
    Entry("gain_bias", avgreward.gain_bias, lambda: {**_chain(), "r": [1.0, 0.0, 2.0]}),
    Entry("mixing_time", avgreward.mixing_time,
          lambda: {**_chain(), "eps": 0.25, "method": "tv", "r": None, "starts": [0, 1], "max_steps": 1000,
                   "dense_limit": 10, "block": 2}),
    Entry("mixing_time(sparse)", avgreward.mixing_time,
          lambda: {"P": lazy_cycle(8), "eps": 0.25, "dense_limit": 2, "block": 4, "max_steps": 10**5}),
    Entry("mixing_time(return)", avgreward.mixing_time,
          lambda: {**_chain(), "eps": 0.1, "method": "return", "r": [1.0, 0.0, 0.0], "max_steps": 1000}),
    Entry("spectral_gap", avgreward.spectral_gap, lambda: {**_chain(), "dense_limit": 10}),
    Entry("tv_distances", avgreward.mixing.tv_distances, lambda: {**_chain(), "t": 3, "starts": [0]}),
    Entry("sample_trajectories", avgreward.sample_trajectories,
          lambda: {"P": sp.csr_matrix(P3), "starts": [0, 1], "n_steps": 5, "seed": 0}),
    Entry("estimate_mixing_time", avgreward.estimate_mixing_time,
          lambda: {**_chain(), "eps": 0.25, "method": "tv", "r": None, "starts": None, "n_trajectories": 50,
                   "horizon": 20, "confidence": 0.9, "seed": 1}),
    Entry("solve_average_reward", avgreward.solve_average_reward,
          lambda: {"mdp": MDP, "method": "policy_iteration", "tol": 1e-9, "max_iter": 50, "tau": 0.5,
                   "warm_start": 10}),
    Entry("evaluate_policy", avgreward.evaluate_policy, lambda: {"mdp": MDP, "policy": [0, 1]}),
    Entry("policy_chain", avgreward.policy_chain, lambda: {"mdp": MDP, "policy": np.full((2, 2), 0.5)}),
    Entry("mixing_scaling", avgreward.mixing_scaling,
          lambda: {"family": "cycle", "sizes": [4, 6, 8], "chain": "random_walk", "eps": 0.25, "rooms": 2,
                   "length": 2, "switching": "random", "slip": 0.05, "progress": False}),
    Entry("SparseMDP.from", avgreward.mdp.as_sparse_mdp, lambda: {"mdp": MDP}),
]

test_avgreward_entry_points_fail_clearly = fuzz_test(ENTRIES)
