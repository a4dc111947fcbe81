"""Fuzz activeq.nash: the solve() front door with every method's options, certificates, CE/CCE, QRE, the
zero-sum LP and the stochastic-game solvers."""

import warnings

import numpy as np
import pytest

from activeq import NormalFormGame, load_game, nash
from activeq.nash import stochastic

from ._harness import Entry, fuzz_test

BOS = NormalFormGame.bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
MP3 = NormalFormGame(np.random.default_rng(0).normal(size=(3, 2, 2, 2)))
BIG_MATCH = load_game("big_match")
GRID = load_game("grid_game_2")


PAYOFFS = {"game": ("payoffs",)}  # solve() also takes a payoff tensor, whose errors name it "payoffs"


def _solve(name: str, game=BOS, **options) -> Entry:
    return Entry(f"solve({name})", nash.solve, lambda: {"game": game, "method": name, **options}, aliases=PAYOFFS)


ENTRIES = [
    _solve("auto", all=True),
    _solve("vertex", tol=1e-9),
    _solve("support", tol=1e-9),
    _solve("pure", tol=1e-9),
    _solve("lemke-howson", all_labels=True),
    _solve("lp", game=NormalFormGame.zero_sum(np.eye(2))),
    _solve("logit", game=MP3, tol=1e-9),
    _solve("gnm", game=MP3, perturbation=None, tol=1e-9, max_steps=2000, seed=0),
    _solve("fictitious-play", max_iter=200, tol=1e-3, seed=0),
    _solve("replicator", max_iter=200, tol=1e-3, seed=0),
    _solve("regret-matching", max_iter=200, tol=1e-3, seed=0),
    Entry("is_nash", nash.is_nash, lambda: {"game": BOS, "strategies": [[1, 0], [1, 0]], "tol": 1e-9}),
    Entry("regrets", nash.regrets, lambda: {"game": BOS, "strategies": [[1, 0], [0.5, 0.5]]}),
    Entry("nash_conv", nash.nash_conv, lambda: {"game": BOS, "strategies": [[1, 0], [0.5, 0.5]]}),
    Entry("correlated", nash.correlated, lambda: {"game": BOS, "kind": "ce", "objective": "welfare"}),
    Entry("qre", nash.qre, lambda: {"game": BOS, "lam": 1.0, "max_steps": 2000}, aliases={"lam": ("lambda",)}),
    Entry("solve_matrix_game", nash.solve_matrix_game, lambda: {"A": np.eye(3), "engine": "auto"}),
    Entry("stochastic.shapley", stochastic.shapley,
          lambda: {"sg": BIG_MATCH, "tol": 1e-8, "max_iter": 500, "initial_values": [0.0, 1.0, 0.0]},
          aliases={"sg": ("game",)}),
    Entry("stochastic.stationary", stochastic.stationary,
          lambda: {"sg": BIG_MATCH, "method": "logit", "tol": 1e-6, "max_steps": 500, "seed": 0},
          aliases={"sg": ("game",)}),
    Entry("stochastic.best_response", stochastic.best_response,
          lambda: {"sg": GRID, "player": 0, "others": [np.full((81, 4), 0.25)], "max_iter": 200},
          aliases={"sg": ("game",)}),
    Entry("stochastic.exploitability", stochastic.exploitability,
          lambda: {"sg": BIG_MATCH, "strategies": [np.full((3, 2), 0.5)] * 2}, aliases={"sg": ("game",)}),
]



@pytest.fixture(autouse=True, scope="module")
def _compiled_kernels():
    """Run each valid call once, outside the time limit: on a fresh clone the first path-following call compiles
    the numba kernels (~25 CPU-s with no cache yet), which is not what the 10 s limit is there to catch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for entry in ENTRIES:
            entry.func(**entry.make())


test_nash_entry_points_fail_clearly = fuzz_test(ENTRIES, examples=30)
