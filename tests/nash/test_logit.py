"""Logit QRE path (``logit``, ``qre``): cross-checked against pygambit's ``logit_solve``, closed forms (Jordan's
game, 2x2 mixed equilibria), an independent logit fixed-point iteration, and the McKelvey-McLennan game where
Gambit's tracer stops at a non-equilibrium."""

from __future__ import annotations

import warnings

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import ArgumentError, ArgumentTypeError, ConvergenceWarning, SolverError
from activeq.games import NormalFormGame
from activeq.nash import METHODS, is_nash, qre, solve
from activeq.nash.logit import QREPath, logit_solve

from ._npayer_games import flat, gambit_profiles, integer_game, jordan_game, mckelvey_mclennan, random_game


@pytest.mark.parametrize("seed,shape", [(11, (3, 3, 3)), (12, (2, 2, 2, 2)), (13, (4, 3, 2)), (14, (2, 3, 2, 3))])
def test_logit_is_nash_and_matches_gambit(seed, shape):
    game = random_game(seed, shape)
    ours = logit_solve(game)
    assert len(ours) == 1 and ours[0].info["converged"] and ours[0].info["path_complete"]
    assert is_nash(game, ours[0].strategies, tol=1e-9)
    gg = gbt.Game.from_arrays(*game.payoffs)
    ref = gambit_profiles(gbt.nash.logit_solve(gg), gg)
    assert len(ref) == 1
    # Gambit stops at regret 1e-8 on its own path; we refine to an exact equilibrium of the same branch.
    assert np.abs(flat(ours[0]) - ref[0]).max() < 1e-5


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from([(2, 2, 2), (3, 2, 2), (2, 3, 2, 2)]),
       integer=st.booleans())
def test_logit_property_always_certified_nash(seed, shape, integer):
    game = integer_game(seed, shape, -3, 3) if integer else random_game(seed, shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # on these small games it must converge
        eq = solve(game)[0]  # "auto" for n players is the logit path
    assert eq.method == "logit" and is_nash(game, eq.strategies, tol=1e-9)


def test_logit_three_player_matching_pennies_closed_form():
    eq = logit_solve(jordan_game())[0]
    for s in eq.strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-10)


def test_logit_mckelvey_mclennan_goes_straight_through_the_branch_point():
    # The principal branch keeps players 1 and 2 at (1/2, 1/2) (symmetry) and has a branch point near lambda 0.5
    # (sign det of the strategy Jacobian flips while lambda keeps rising). Gambit's tracer stops there, at player
    # 3 = (0.574, 0.426), regret 0.213; going straight follows the branch to an exact equilibrium.
    game = mckelvey_mclennan()
    gg = gbt.Game.from_arrays(*game.payoffs)
    gambit = gambit_profiles(gbt.nash.logit_solve(gg), gg)[0]
    assert not is_nash(game, np.split(gambit, 3), tol=1e-3)
    eq = logit_solve(game)[0]
    assert eq.info["bifurcations"] >= 1
    np.testing.assert_allclose(flat(eq), [0.5, 0.5, 0.5, 0.5, 1.0, 0.0], atol=1e-12)
    assert eq.max_regret <= 1e-12


def test_logit_2x2_unique_mixed_closed_form():
    # row: A, column: B; no pure equilibrium. Row mixes to make column indifferent and vice versa.
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    B = np.array([[-1.0, 2.0], [3.0, -2.0]])
    p = (B[1, 1] - B[1, 0]) / (B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1])  # P(row plays 0)
    q = (A[1, 1] - A[0, 1]) / (A[0, 0] - A[0, 1] - A[1, 0] + A[1, 1])  # P(column plays 0)
    eq = logit_solve(NormalFormGame.bimatrix(A, B))[0]
    np.testing.assert_allclose(eq.strategies[0], [p, 1 - p], atol=1e-10)
    np.testing.assert_allclose(eq.strategies[1], [q, 1 - q], atol=1e-10)


def test_logit_without_a_certified_point_returns_nothing_and_warns():
    game = random_game(13, (4, 3, 2))
    with pytest.warns(ConvergenceWarning, match="best regret seen") as rec:
        assert logit_solve(game, max_steps=3) == []
    assert all(w.filename == __file__ for w in rec)  # the warning names this line, not activeq's


def _logit_residual(game: NormalFormGame, strategies, lam: float) -> float:
    """Independent check: max |sigma_i - softmax(lam * u_i(., sigma_-i))|."""
    worst = 0.0
    for i, s in enumerate(strategies):
        v = game.deviation_payoffs(strategies, i) * lam
        w = np.exp(v - v.max())
        worst = max(worst, float(np.abs(s - w / w.sum()).max()))
    return worst


def test_qre_points_solve_the_logit_equations_and_regret_falls():
    game = random_game(21, (3, 2, 3))
    lams = [0.0, 0.3, 1.0, 3.0, 10.0]
    pts = [qre(game, lam) for lam in lams]
    for lam, pt in zip(lams, pts):
        assert pt.lam == lam and pt.path is None
        assert _logit_residual(game, pt.strategies, lam) < 1e-10
    np.testing.assert_allclose(pts[0].strategies[1], [0.5, 0.5])
    assert pts[-1].max_regret < pts[0].max_regret


def test_qre_return_path_gives_every_point_on_the_branch():
    game = random_game(21, (3, 2, 3))
    pt = qre(game, 10.0, return_path=True)
    path = pt.path
    assert isinstance(path, QREPath)
    assert path.lam[0] == 0.0 and path.lam[-1] == 10.0 and len(path.lam) > 5
    assert [s.shape for s in path.strategies] == [(len(path.lam), k) for k in game.num_actions]
    for k in (0, len(path.lam) // 2, len(path.lam) - 1):  # each point is a QRE at its own lambda
        assert _logit_residual(game, [s[k] for s in path.strategies], path.lam[k]) < 1e-9
    for a, b in zip(pt.strategies, path.strategies):
        np.testing.assert_allclose(a, b[-1], atol=1e-12)
    assert pt.to_dict()["path"]["lambda"][-1] == 10.0


def test_qre_small_lambda_matches_damped_fixed_point_iteration():
    game = random_game(22, (2, 3, 2))
    lam = 0.4  # small enough for the logit map to be a contraction: its fixed point is the unique QRE
    prof = [np.full(k, 1.0 / k) for k in game.num_actions]
    for _ in range(2000):
        new = []
        for i in range(game.num_players):
            v = lam * game.deviation_payoffs(prof, i)
            w = np.exp(v - v.max())
            new.append(0.5 * prof[i] + 0.5 * w / w.sum())
        prof = new
    pt = qre(game, lam)
    for a, b in zip(pt.strategies, prof):
        np.testing.assert_allclose(a, b, atol=1e-10)


def test_logit_bad_inputs_raise_activeq_errors():
    g3 = random_game(1, (2, 2, 2))
    with pytest.raises(SolverError, match="logit"):  # 2-player-only method: the message lists what applies
        solve(g3, method="vertex")
    with pytest.raises(SolverError):
        logit_solve("not a game")
    with pytest.raises(ArgumentError):
        qre(g3, -1.0)
    with pytest.raises(ArgumentTypeError, match="return_path"):
        qre(g3, 1.0, return_path="yes")
    for bad in (-1.0, 0.0, float("nan")):
        with pytest.raises(ArgumentError, match="tol"):
            logit_solve(g3, tol=bad)
    with pytest.raises(ArgumentTypeError, match="tol"):
        logit_solve(g3, tol="x")
    with pytest.raises(ArgumentError, match="max_lambda"):
        logit_solve(g3, max_lambda=-1)
    with pytest.raises(ArgumentTypeError, match="progress"):
        logit_solve(g3, progress=1)
    with pytest.raises(SolverError, match="does not take"):
        solve(g3, method="logit", bogus=1)
    for name in ("logit", "gnm", "fictitious-play", "replicator", "regret-matching"):
        assert METHODS[name].players == "n"
