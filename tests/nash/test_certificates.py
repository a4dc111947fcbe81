"""Certificates (regrets, NashConv, is_nash), the Equilibrium type, deduplication, and solve's front door:
re-certification, method choice and errors on bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from activeq.errors import ArgumentError, ArgumentTypeError, ConvergenceWarning, GameError, NotConvergedError, SolverError
from activeq.games import NormalFormGame, StochasticGame
from activeq.nash import (METHODS, Approximation, Equilibrium, deduplicate, is_nash, make_equilibrium, nash_conv,
                          regrets, solve)
from activeq.nash.equilibrium import certify
from activeq.nash.registry import register

PENNIES = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
RPS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


# --- regrets / NashConv / is_nash ---------------------------------------------------------------------------------
def test_regrets_closed_form_matching_pennies():
    # (heads, heads): row wins 1; column gets -1 and would get +1 by switching to tails
    np.testing.assert_allclose(regrets(PENNIES, ([1, 0], [1, 0])), [0.0, 2.0])
    assert nash_conv(PENNIES, ([1, 0], [1, 0])) == pytest.approx(2.0)
    # row mixes (p, 1-p) against heads: row regret = 1 - (2p - 1) = 2 - 2p
    np.testing.assert_allclose(regrets(PENNIES, ([0.25, 0.75], [1, 0]))[0], 1.5)


def test_is_nash_uses_tolerance_scaled_by_payoff_range():
    half = np.array([0.5, 0.5])
    assert is_nash(PENNIES, (half, half))
    eps = 1e-6
    off = np.array([0.5 + eps, 0.5 - eps])
    assert not is_nash(PENNIES, (off, half), tol=1e-9)  # the column player gains 2 eps
    assert is_nash(PENNIES, (off, half), tol=1e-5)
    big = NormalFormGame.zero_sum(1e6 * np.array([[1, -1], [-1, 1]]))
    tiny = np.array([0.5 + 1e-13, 0.5 - 1e-13])  # regret 2e-7 in absolute terms, 1e-13 relative to the range
    assert is_nash(big, (tiny, half), tol=1e-9)


def test_regrets_three_players_against_brute_force():
    rng = np.random.default_rng(0)
    game = NormalFormGame(rng.normal(size=(3, 2, 3, 2)))
    profile = [rng.dirichlet(np.ones(k)) for k in game.num_actions]
    expected = []
    for i in range(3):
        pay = game.expected_payoffs(profile)[i]
        best = -np.inf
        for a in range(game.num_actions[i]):
            dev = list(profile)
            dev[i] = np.eye(game.num_actions[i])[a]
            best = max(best, game.expected_payoffs(dev)[i])
        expected.append(best - pay)
    np.testing.assert_allclose(regrets(game, profile), expected, atol=1e-12)


def test_make_equilibrium_recomputes_payoffs_and_regret():
    eq = make_equilibrium(RPS, (np.ones(3), np.ones(3) * 2), "test")  # normalised to uniform
    np.testing.assert_allclose(eq.strategies[0], np.ones(3) / 3)
    np.testing.assert_allclose(eq.payoffs, [0, 0], atol=1e-15)
    assert eq.max_regret <= 1e-15 and not eq.is_pure and eq.supports == ((0, 1, 2), (0, 1, 2))


def test_certify_matches_make_equilibrium():
    """The vectorised 2-player certificate equals the generic per-profile one on random profiles."""
    rng = np.random.default_rng(3)
    game = NormalFormGame.bimatrix(rng.normal(size=(4, 5)), rng.normal(size=(4, 5)))
    profiles = [(rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(5))) for _ in range(20)]
    fast = certify(game, profiles, "x")
    for eq, p in zip(fast, profiles):
        ref = make_equilibrium(game, p, "x")
        np.testing.assert_allclose(eq.payoffs, ref.payoffs, atol=1e-12)
        assert eq.max_regret == pytest.approx(ref.max_regret, abs=1e-12)


def test_equilibrium_is_frozen_and_read_only():
    eq = solve(PENNIES, "lp")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        eq.max_regret = 0.0
    with pytest.raises(ValueError):
        eq.strategies[0][0] = 1.0
    assert set(eq.to_dict()) >= {"strategies", "payoffs", "max_regret", "method"}


# --- deduplicate --------------------------------------------------------------------------------------------------
def test_deduplicate_is_order_independent():
    game = NormalFormGame.bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    profiles = [([0, 1], [0, 1]), ([1, 0], [1, 0]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3]), ([1, 0], [1, 1e-9])]
    eqs = [make_equilibrium(game, p, "x") for p in profiles]
    a = deduplicate(eqs)
    b = deduplicate(eqs[::-1])
    assert len(a) == 3
    assert all(np.allclose(np.concatenate(x.strategies), np.concatenate(y.strategies)) for x, y in zip(a, b))
    assert a[0].strategies[0][0] == 1.0  # descending lexicographic: (1, 0) first


# --- solve: re-certification and method choice --------------------------------------------------------------------
def test_solve_recomputes_a_methods_certificate():
    """A method that claims regret 0 for a non-equilibrium gets its true regret from solve, and no equilibrium."""
    @register("test-overconfident", players="2", summary="returns (heads, heads) and claims it is exact")
    def overconfident(game):
        return [Equilibrium((np.array([1.0, 0.0]), np.array([1.0, 0.0])), np.zeros(2), 0.0, "test-overconfident")]

    try:
        with pytest.raises(NotConvergedError, match="best point has max regret 2") as err:
            solve(PENNIES, "test-overconfident")
        (approx,) = err.value.approximations
        assert isinstance(approx, Approximation) and not approx.converged
        assert approx.max_regret == pytest.approx(2.0)
        assert not is_nash(PENNIES, approx.strategies)
    finally:
        del METHODS["test-overconfident"]


def test_solve_keeps_uncertified_profiles_apart_and_warns_at_the_callers_line():
    """One true equilibrium and one false claim: the equilibrium comes back, the claim sits in .approximations."""
    @register("test-mixed-bag", players="2", summary="one equilibrium, one non-equilibrium")
    def mixed_bag(game):
        half = np.array([0.5, 0.5])
        return [(half, half), (np.array([1.0, 0.0]), np.array([1.0, 0.0]))]

    try:
        with pytest.warns(ConvergenceWarning, match="failed the certificate") as rec:
            res = solve(PENNIES, "test-mixed-bag")
        assert rec[0].filename == __file__  # the caller's line, not activeq's
        assert len(res) == 1 and res[0].converged and res[0].max_regret <= 1e-12
        assert len(res.approximations) == 1 and res.approximations[0].max_regret == pytest.approx(2.0)
        assert all(isinstance(e, Equilibrium) for e in res)
        assert not any(a is e for a in res.approximations for e in res)
    finally:
        del METHODS["test-mixed-bag"]


def test_auto_choices():
    rng = np.random.default_rng(1)
    small = NormalFormGame.bimatrix(rng.normal(size=(3, 3)), rng.normal(size=(3, 3)))
    assert solve(small)[0].method == "vertex"
    assert solve(PENNIES, all=False)[0].method == "lp"
    assert solve(PENNIES)[0].method == "vertex"  # all=True: every extreme equilibrium
    big = NormalFormGame.bimatrix(rng.normal(size=(15, 14)), rng.normal(size=(15, 14)))
    eqs = solve(big, all=False)
    assert len(eqs) == 1 and eqs[0].method == "lemke-howson" and eqs[0].max_regret <= 1e-9
    three = NormalFormGame(rng.integers(0, 3, size=(3, 2, 2, 2)).astype(float))
    expected = "logit" if "logit" in METHODS else "pure"
    assert all(eq.method == expected for eq in solve(three))


def test_solve_accepts_a_payoff_tensor():
    eqs = solve(np.array([[[2, 0], [0, 1]], [[1, 0], [0, 2]]]))
    assert len(eqs) == 3


def test_solve_one_returns_first_of_sorted_all():
    game = NormalFormGame.bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    first = solve(game, "vertex", all=False)
    assert len(first) == 1 and np.allclose(first[0].strategies[0], solve(game, "vertex")[0].strategies[0])


# --- bad input ----------------------------------------------------------------------------------------------------
def test_bad_payoffs_raise_game_error():
    with pytest.raises(GameError, match="finite"):
        solve(np.array([[[1.0, np.nan]], [[0.0, 1.0]]]))
    with pytest.raises(GameError, match="finite"):
        solve(np.array([[[1.0, np.inf]], [[0.0, 1.0]]]))
    with pytest.raises(GameError, match="at least one action"):
        solve(np.zeros((2, 0, 3)))


def test_wrong_method_names_the_methods_that_apply():
    with pytest.raises(SolverError, match="unknown method 'simplex'.*vertex"):
        solve(PENNIES, "simplex")
    with pytest.raises(SolverError, match="must be a string"):
        solve(PENNIES, 3)


def test_inapplicable_methods_explain_why():
    general = NormalFormGame.bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 2]])
    with pytest.raises(SolverError, match="'lp' does not apply.*zero-sum.*Methods that apply: .*vertex"):
        solve(general, "lp")
    three = NormalFormGame(np.zeros((3, 2, 2, 2)))
    with pytest.raises(SolverError, match="'vertex' does not apply.*2 players.*Methods that apply: .*pure"):
        solve(three, "vertex")


def test_bad_options():
    with pytest.raises(SolverError, match="does not take option.*bogus"):
        solve(PENNIES, "vertex", bogus=1)
    with pytest.raises(ArgumentTypeError, match="all must be True or False"):
        solve(PENNIES, all="yes")
    with pytest.raises(ArgumentError, match="label must be an int in \\[0, 4\\)"):
        solve(PENNIES, "lemke-howson", label=7)
    with pytest.raises(SolverError, match="engine"):
        solve(PENNIES, "lp", engine="simplex")


def test_stochastic_game_is_redirected():
    sg = StochasticGame(np.zeros((1, 2, 2, 2)), np.ones((1, 2, 2, 1)))
    with pytest.raises(SolverError, match="stochastic"):
        solve(sg)


def test_bad_profiles_in_certificates():
    with pytest.raises(GameError, match="one strategy per player"):
        regrets(PENNIES, ([1, 0],))
    with pytest.raises(GameError, match="2 entries"):
        is_nash(PENNIES, ([1, 0, 0], [1, 0]))
    with pytest.raises(GameError, match="sum to 1"):
        nash_conv(PENNIES, ([0.7, 0.7], [1, 0]))
    with pytest.raises(SolverError, match="NormalFormGame"):
        regrets("pennies", ([1, 0], [1, 0]))
