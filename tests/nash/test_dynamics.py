"""Learning dynamics (fictitious play, replicator, regret matching): labelled approximations, never equilibria
unless certified; fixed default seeds; whole trajectories on request.

Cross-checks: the zero-sum value from the LP (HiGHS, independent code), Shapley's (1964) game where fictitious play
provably cycles, nashpy's own fictitious play on rock-paper-scissors.
"""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest

from activeq import load_game
from activeq.errors import NotConvergedError
from activeq.games import NormalFormGame
from activeq.nash import Approximation, Equilibrium, approximate, is_nash, solve
from activeq.nash.dynamics import fictitious_play, regret_matching, replicator

DYNAMICS = ("fictitious-play", "replicator", "regret-matching")


def rps() -> NormalFormGame:
    return NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


def random_game(seed: int, shape: tuple[int, ...]) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame(rng.standard_normal((len(shape),) + shape))


@pytest.mark.parametrize("func", [fictitious_play, replicator, regret_matching])
def test_dynamics_converge_on_zero_sum_games(func):
    zs = NormalFormGame.zero_sum(np.random.default_rng(3).standard_normal((3, 4)))
    value = solve(zs, method="lp")[0].payoffs[0]
    for seed in range(3):
        for game in (rps(), zs):
            a = func(game, seed=seed, tol=1e-2, max_iter=20000)
            assert isinstance(a, Approximation) and a.converged and a.tol == 1e-2, (func.__name__, seed)
            assert a.max_regret <= 1e-2 * np.ptp(game.payoffs)
        # in a zero-sum game, regret <= eps forces the payoff within eps of the value
        assert abs(a.payoffs[0] - value) <= 1e-2 * np.ptp(zs.payoffs)
    np.testing.assert_allclose(np.concatenate(func(rps(), tol=1e-2).strategies), 1 / 3, atol=0.05)


def test_fictitious_play_agrees_with_nashpy_on_rps():
    """nashpy's fictitious play (its own tie-breaking) and ours both approach (1/3, 1/3, 1/3) on RPS."""
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    *_, last = nashpy.Game(A, -A).fictitious_play(iterations=3000)
    theirs = [c / c.sum() for c in last]
    ours = approximate(rps(), "fictitious-play", max_iter=3000, tol=1e-6).strategies
    for t, o in zip(theirs, ours):
        np.testing.assert_allclose(t, 1 / 3, atol=0.03)
        np.testing.assert_allclose(o, 1 / 3, atol=0.03)


def test_shapley_game_fictitious_play_is_an_approximation_never_an_equilibrium():
    shapley = load_game("shapley_game")
    with pytest.raises(NotConvergedError, match="fictitious-play.*max regret 0.1") as err:
        solve(shapley, "fictitious-play")
    (a,) = err.value.approximations
    assert not a.converged and a.max_regret > 0.1 and not is_nash(shapley, a.strategies, tol=1e-2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # labelled result, no warning needed
        b = approximate(shapley, "fictitious-play")
    assert isinstance(b, Approximation) and not isinstance(b, Equilibrium)
    assert not b.converged and b.iterations == 20000 and b.seed == 0 and b.tol == 1e-2
    assert "NOT converged" in repr(b) and b.to_dict()["kind"] == "approximation"
    np.testing.assert_array_equal(np.concatenate(a.strategies), np.concatenate(b.strategies))
    with pytest.raises(NotConvergedError):
        b.as_equilibrium()


def test_a_converged_dynamic_comes_back_from_solve_as_an_epsilon_equilibrium():
    res = solve(rps(), "replicator", tol=5e-3)
    (eq,) = res
    assert isinstance(eq, Equilibrium) and eq.converged and eq.tol == 5e-3 and res.tol == 5e-3
    assert eq.max_regret <= 5e-3 * 2 and eq.info["seed"] == 0 and eq.info["iterations"] > 0
    assert not res.approximations and not res.complete


@pytest.mark.parametrize("method", DYNAMICS)
def test_same_call_same_answer_by_default_and_seeds_matter(method):
    game = random_game(41, (2, 3, 2))
    opts = dict(max_iter=300, tol=1e-6, sampled=True) if method == "regret-matching" else dict(max_iter=300, tol=1e-6)
    a, b = approximate(game, method, **opts), approximate(game, method, **opts)
    np.testing.assert_array_equal(np.concatenate(a.strategies), np.concatenate(b.strategies))
    assert a.seed == 0
    c = approximate(game, method, seed=5, **opts)
    if method != "regret-matching" or opts.get("sampled"):
        assert not np.array_equal(np.concatenate(a.strategies), np.concatenate(c.strategies))


@pytest.mark.parametrize("method", DYNAMICS)
def test_trajectories_are_whole_and_end_where_the_state_ends(method):
    game = load_game("shapley_game")
    a = approximate(game, method, max_iter=400, tol=1e-6, return_trajectory=True)
    # regret matching starts at uniform, Shapley's equilibrium: certified at the first check
    assert a.iterations == (100 if method == "regret-matching" else 400) and len(a.trajectory) == 2
    for traj in a.trajectory:
        assert traj.shape == (a.iterations + 1, 3)
        np.testing.assert_allclose(traj.sum(axis=1), 1.0)
        assert traj.min() >= 0
    if method == "fictitious-play":  # the answer is the last state (the empirical frequencies)
        for traj, s in zip(a.trajectory, a.strategies):
            np.testing.assert_allclose(traj[-1], s)
    assert approximate(game, method, max_iter=50).trajectory is None


def test_regret_matching_time_average_cce_incentive_shrinks():
    game = random_game(31, (3, 3, 2))
    for seed in range(3):
        short = regret_matching(game, sampled=True, seed=seed, tol=1e-12, max_iter=200, check_every=200)
        long = regret_matching(game, sampled=True, seed=seed, tol=1e-12, max_iter=4000, check_every=4000)
        assert long.info["cce_incentive"] < short.info["cce_incentive"]
        assert long.info["cce_incentive"] < 0.05 * np.ptp(game.payoffs)
        assert long.info["joint"].shape == game.num_actions


def test_approximate_only_runs_dynamics():
    from activeq.errors import SolverError
    with pytest.raises(SolverError, match="learning dynamic.*fictitious-play"):
        approximate(rps(), "vertex")
    with pytest.raises(SolverError, match="does not take"):
        approximate(rps(), "replicator", sampled=True)
