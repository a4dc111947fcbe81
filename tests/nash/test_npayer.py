"""n-player Nash methods: logit QRE path, global Newton (learning dynamics: test_dynamics.py).

Cross-checked against pygambit (``logit_solve``, ``gnm_solve``) on 3- and 4-player random games, closed forms
(Jordan's three-player matching pennies, 2x2 mixed equilibria) and an independent logit fixed-point check.
"""

from __future__ import annotations

import warnings

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import ArgumentError, ConvergenceWarning, SolverError
from activeq.games import NormalFormGame
from activeq.nash import METHODS, is_nash, qre, solve
from activeq.nash.global_newton import gnm_solve
from activeq.nash.logit import logit_solve

SHAPES = [(3, 3, 3), (2, 2, 2, 2), (4, 3, 2), (2, 5, 3)]


def random_game(seed: int, shape: tuple[int, ...]) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame(rng.standard_normal((len(shape),) + shape))


def gambit_profiles(result, gg) -> list[np.ndarray]:
    return [np.concatenate([[float(v) for _, v in eq[p]] for p in gg.players]) for eq in result.equilibria]


def flat(eq) -> np.ndarray:
    return np.concatenate(eq.strategies)


def jordan_game() -> NormalFormGame:
    """Three-player matching pennies: 1 matches 2, 2 matches 3, 3 mismatches 1; unique equilibrium all 1/2."""
    a = np.indices((2, 2, 2))
    return NormalFormGame(np.stack([np.where(a[0] == a[1], 1.0, -1.0), np.where(a[1] == a[2], 1.0, -1.0),
                                    np.where(a[2] != a[0], 1.0, -1.0)]))


# --- logit ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,shape", [(11, (3, 3, 3)), (12, (2, 2, 2, 2)), (13, (4, 3, 2)), (14, (2, 3, 2, 3))])
def test_logit_is_nash_and_matches_gambit(seed, shape):
    game = random_game(seed, shape)
    ours = logit_solve(game)
    assert len(ours) == 1 and ours[0].info["converged"]
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
    rng = np.random.default_rng(seed)
    pay = rng.integers(-3, 4, (len(shape),) + shape) if integer else rng.standard_normal((len(shape),) + shape)
    game = NormalFormGame(pay.astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # on these small games it must converge
        eq = solve(game)[0]  # "auto" for n players is the logit path
    assert eq.method == "logit" and is_nash(game, eq.strategies, tol=1e-9)


def test_logit_three_player_matching_pennies_closed_form():
    eq = logit_solve(jordan_game())[0]
    for s in eq.strategies:
        np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-10)


def test_logit_2x2_unique_mixed_closed_form():
    # row: A, column: B; no pure equilibrium. Row mixes to make column indifferent and vice versa.
    A = np.array([[3.0, -1.0], [-2.0, 1.0]])
    B = np.array([[-1.0, 2.0], [3.0, -2.0]])
    p = (B[1, 1] - B[1, 0]) / (B[0, 0] - B[0, 1] - B[1, 0] + B[1, 1])  # P(row plays 0)
    q = (A[1, 1] - A[0, 1]) / (A[0, 0] - A[0, 1] - A[1, 0] + A[1, 1])  # P(column plays 0)
    eq = logit_solve(NormalFormGame.bimatrix(A, B))[0]
    np.testing.assert_allclose(eq.strategies[0], [p, 1 - p], atol=1e-10)
    np.testing.assert_allclose(eq.strategies[1], [q, 1 - q], atol=1e-10)


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
        assert pt.lam == lam
        assert _logit_residual(game, pt.strategies, lam) < 1e-10
    np.testing.assert_allclose(pts[0].strategies[1], [0.5, 0.5])
    assert pts[-1].max_regret < pts[0].max_regret


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


# --- global Newton ----------------------------------------------------------------------------------

# Seeds where pygambit's gnm terminates (on some 3x3x3x3 games it does not return).
@pytest.mark.parametrize("seed,shape", [(200, (3, 3, 3)), (201, (2, 2, 2, 2)), (202, (4, 3, 2)), (204, (2, 5, 3))])
def test_gnm_finds_the_same_equilibria_as_gambit(seed, shape):
    game = random_game(seed, shape)
    ours = gnm_solve(game)
    assert ours and all(eq.info["converged"] for eq in ours)
    for eq in ours:
        assert is_nash(game, eq.strategies, tol=1e-9)
    gg = gbt.Game.from_arrays(*game.payoffs)
    ref = gambit_profiles(gbt.nash.gnm_solve(gg), gg)
    assert len(ours) == len(ref)
    for r in ref:
        assert min(np.abs(flat(o) - r).max() for o in ours) < 1e-6


def test_gnm_custom_perturbation_matches_gambit():
    game = random_game(202, (4, 3, 2))
    rng = np.random.default_rng(5)
    pert = [rng.random(k) for k in game.num_actions]
    ours = gnm_solve(game, perturbation=pert)
    gg = gbt.Game.from_arrays(*game.payoffs)
    prof = gg.mixed_strategy_profile(rational=False)
    for player, vec in zip(gg.players, pert):
        for strategy, v in zip(player.strategies, vec):
            prof[strategy] = float(v)
    ref = gambit_profiles(gbt.nash.gnm_solve(prof), gg)
    assert len(ours) == len(ref) >= 1
    for r in ref:
        assert min(np.abs(flat(o) - r).max() for o in ours) < 1e-6


def test_gnm_battle_of_the_sexes_finds_all_three():
    bos = NormalFormGame.bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    eqs = gnm_solve(bos)
    got = sorted(tuple(np.round(flat(e), 9)) for e in eqs)
    want = sorted([(1, 0, 1, 0), (0, 1, 0, 1), tuple(np.round([2 / 3, 1 / 3, 1 / 3, 2 / 3], 9))])
    assert got == want


def test_gnm_three_player_matching_pennies():
    eqs = gnm_solve(jordan_game())
    assert len(eqs) == 1
    np.testing.assert_allclose(flat(eqs[0]), 0.5, atol=1e-10)


def test_gnm_on_a_degenerate_game_returns_only_certified_equilibria():
    # small integer payoffs: ties put several slacks at ~1e-16 on Gambit's default ray (where Gambit's own gnm
    # finds nothing); the path must neither stall on round-off nor return an uncertified point
    game = NormalFormGame(np.random.default_rng(30).integers(-2, 3, (3, 2, 2, 2)).astype(float))
    for kwargs in ({"max_steps": 500}, {"perturbation": "random", "seed": 0}):
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            eqs = gnm_solve(game, **kwargs)
        assert eqs and all(is_nash(game, e.strategies) and e.info["converged"] for e in eqs)


def test_gnm_through_solve_front_door():
    game = random_game(200, (3, 3, 3))
    eqs = solve(game, method="gnm")
    assert eqs and all(is_nash(game, e.strategies) for e in eqs)


# --- bad input --------------------------------------------------------------------------------------

def test_bad_inputs_raise_solver_errors():
    g3 = random_game(1, (2, 2, 2))
    with pytest.raises(SolverError, match="logit"):  # 2-player-only method: the message lists what applies
        solve(g3, method="vertex")
    with pytest.raises(SolverError, match="unique largest"):
        gnm_solve(g3, perturbation=[[1, 1], [1, 0], [0, 1]])
    with pytest.raises(SolverError, match="one vector per player"):
        gnm_solve(g3, perturbation=[[1, 0]])
    with pytest.raises(SolverError):
        logit_solve("not a game")
    with pytest.raises(ArgumentError):
        qre(g3, -1.0)
    with pytest.raises(ArgumentError):
        gnm_solve(g3, end_lambda=1.0)
    with pytest.raises(SolverError, match="does not take"):
        solve(g3, method="logit", bogus=1)
    for name in ("logit", "gnm", "fictitious-play", "replicator", "regret-matching"):
        assert METHODS[name].players == "n"
