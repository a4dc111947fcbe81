"""Learning dynamics (fictitious play, replicator, regret matching) on n-player games: convergence on zero-sum
games against the LP value, the Shapley game's cycling, the CCE incentive of regret matching, seeding."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from activeq.errors import ConvergenceWarning
from activeq.games import NormalFormGame
from activeq.nash import solve
from activeq.nash.dynamics import fictitious_play, regret_matching, replicator

from ._npayer_games import flat, random_game


def rps() -> NormalFormGame:
    return NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


@pytest.mark.parametrize("func", [fictitious_play, replicator, regret_matching])
def test_dynamics_converge_on_zero_sum_games(func):
    zs = NormalFormGame.zero_sum(np.random.default_rng(3).standard_normal((3, 4)))
    value = solve(zs, method="lp")[0].payoffs[0]
    for seed in range(3):
        for game in (rps(), zs):
            eq = func(game, seed=seed, tol=1e-2, max_iter=20000)[0]
            assert eq.info["converged"], (func.__name__, seed)
            assert eq.max_regret <= 1e-2 * np.ptp(game.payoffs)
        # in a zero-sum game, regret <= eps forces the payoff within eps of the value
        assert abs(eq.payoffs[0] - value) <= 1e-2 * np.ptp(zs.payoffs)
    np.testing.assert_allclose(np.concatenate(func(rps(), seed=0, tol=1e-2)[0].strategies), 1 / 3, atol=0.05)


def test_regret_matching_time_average_cce_incentive_shrinks():
    game = random_game(31, (3, 3, 2))
    for seed in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            short = regret_matching(game, sampled=True, seed=seed, tol=1e-12, max_iter=200, check_every=200)[0]
            long = regret_matching(game, sampled=True, seed=seed, tol=1e-12, max_iter=4000, check_every=4000)[0]
        assert long.info["cce_incentive"] < short.info["cce_incentive"]
        assert long.info["cce_incentive"] < 0.05 * np.ptp(game.payoffs)
        assert long.info["joint"].shape == game.num_actions


def test_fictitious_play_on_shapley_game_warns_and_returns_best_certificate():
    shapley = NormalFormGame.bimatrix([[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.warns(ConvergenceWarning, match="fictitious-play"):
        eq = fictitious_play(shapley, seed=0, tol=1e-4, max_iter=3000)[0]
    assert not eq.info["converged"]
    assert eq.max_regret > 1e-4
    assert np.isfinite(eq.max_regret)


def test_dynamics_are_seeded():
    game = random_game(41, (2, 3, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = replicator(game, seed=7, max_iter=500)[0]
        b = replicator(game, seed=7, max_iter=500)[0]
        c = regret_matching(game, seed=7, sampled=True, max_iter=500)[0]
        d = regret_matching(game, seed=7, sampled=True, max_iter=500)[0]
    np.testing.assert_array_equal(flat(a), flat(b))
    np.testing.assert_array_equal(flat(c), flat(d))
