"""Stochastic-game equilibria: Shapley (zero-sum), logit homotopy (general-sum), best responses, exploitability.

Independent references: closed forms (Big Match), OpenSpiel's LP for each state's matrix game, brute-force
enumeration of deterministic policies, explicit-loop certificates, pygambit's logit tracer on one-state games,
Hu & Wellman's known grid-game equilibria.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import activeq
from activeq.errors import ActiveqError, ConvergenceWarning, SolverError
from activeq.games import StochasticGame
from activeq.games.generators.grid import grid_game, state_index
from activeq.games.generators.zero_sum import big_match
from activeq.nash.stochastic import (best_response, exploitability, one_shot_gains, policy_values, shapley,
                                     stationary)


def random_game(S: int, n: int, A: int, gamma: float, seed: int, zero_sum: bool = False) -> StochasticGame:
    rng = np.random.default_rng(seed)
    R = rng.random((S, n) + (A,) * n)
    if zero_sum:
        R[:, 1] = -R[:, 0]
    T = rng.exponential(size=(S,) + (A,) * n + (S,))
    T /= T.sum(axis=-1, keepdims=True)
    return StochasticGame(R, T, discount=gamma)


def loop_values(sg: StochasticGame, pol) -> np.ndarray:
    """Values by explicit sums over joint actions (independent of activeq's einsum code)."""
    S, n = sg.num_states, sg.num_players
    r = np.zeros((S, n))
    P = np.zeros((S, S))
    for s in range(S):
        for a in itertools.product(*[range(k) for k in sg.num_actions]):
            p = np.prod([pol[i][s, a[i]] for i in range(n)])
            r[s] += p * sg.rewards[(s, slice(None)) + a]
            P[s] += p * sg.transitions[(s,) + a]
    return np.linalg.solve(np.eye(S) - sg.discount * P, r)


def loop_gains(sg: StochasticGame, pol) -> np.ndarray:
    """One-shot deviation gains by explicit loops."""
    V = loop_values(sg, pol)
    S, n = sg.num_states, sg.num_players
    gains = np.zeros((S, n))
    for s in range(S):
        for i in range(n):
            best = -np.inf
            for ai in range(sg.num_actions[i]):
                total = 0.0
                others = [range(k) for j, k in enumerate(sg.num_actions) if j != i]
                for rest in itertools.product(*others):
                    a = list(rest)
                    a.insert(i, ai)
                    p = np.prod([pol[j][s, a[j]] for j in range(n) if j != i])
                    a = tuple(a)
                    total += p * (sg.rewards[(s, i) + a] + sg.discount * sg.transitions[(s,) + a] @ V[:, i])
                best = max(best, total)
            gains[s, i] = best - V[s, i]
    return gains


# --- Shapley ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("gamma", [0.5, 0.9, 0.95])
def test_shapley_big_match_closed_form(gamma):
    res = shapley(big_match(discount=gamma), tol=1e-10)
    assert res.converged and res.error_bound <= 1e-10
    assert res.values[0] * (1 - gamma) == pytest.approx(0.5, abs=1e-9)
    assert res.values[1] == pytest.approx(1 / (1 - gamma), abs=1e-9)
    assert res.strategies[0][0, 0] == pytest.approx((1 - gamma) / (2 - gamma), abs=1e-7)
    assert res.strategies[1][0, 0] == pytest.approx(0.5, abs=1e-7)
    assert res.exploitability <= 1e-8


def test_shapley_catalog_big_match():
    sg = activeq.load_game("big_match")
    res = shapley(sg)
    assert res.values[0] == pytest.approx(1 / (2 * (1 - sg.discount)), abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shapley_fixed_point_against_openspiel_lp(seed):
    import pyspiel
    from open_spiel.python.algorithms import lp_solver

    sg = random_game(S=5, n=2, A=3, gamma=0.8, seed=seed, zero_sum=True)
    res = shapley(sg, tol=1e-11)
    S = sg.num_states
    Q = sg.rewards[:, 0] + sg.discount * np.einsum("sabt,t->sab", sg.transitions, res.values)
    for s in range(S):
        game = pyspiel.create_matrix_game(Q[s].tolist(), (-Q[s]).tolist())
        _, _, v, _ = lp_solver.solve_zero_sum_matrix_game(game)
        assert float(v) == pytest.approx(res.values[s], abs=1e-6)
    # the strategies are optimal: neither player gains by any (multi-step) deviation
    assert exploitability(sg, res.strategies).max_gain <= 1e-8
    assert np.allclose(loop_values(sg, res.strategies)[:, 0], res.values, atol=1e-8)


def test_shapley_rejects_general_sum_and_average_reward():
    with pytest.raises(SolverError, match="zero-sum"):
        shapley(random_game(3, 2, 2, 0.9, 0))
    with pytest.raises(SolverError, match="two-player"):
        shapley(random_game(2, 3, 2, 0.9, 0))
    sg = random_game(3, 2, 2, 0.9, 0, zero_sum=True)
    with pytest.raises(SolverError, match="discount"):
        shapley(StochasticGame(sg.rewards, sg.transitions))
    with pytest.raises(SolverError):
        shapley("not a game")
    with pytest.raises(ActiveqError):
        shapley(sg, tol=-1)


def test_shapley_max_iter_warns_and_says_not_converged():
    with pytest.warns(ConvergenceWarning) as rec:
        res = shapley(big_match(discount=0.95), max_iter=3)
    assert all(w.filename == __file__ for w in rec)  # the warning names this line, not activeq's
    assert not res.converged and res.error_bound > 1e-10 and res.iterations == 3


# --- best responses / exploitability ---------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_best_response_beats_every_deterministic_policy(seed):
    sg = random_game(S=3, n=2, A=2, gamma=0.85, seed=seed)
    rng = np.random.default_rng(seed + 10)
    other = rng.dirichlet(np.ones(2), size=3)
    br = best_response(sg, 0, [other])
    best = -np.inf * np.ones(3)
    for acts in itertools.product(range(2), repeat=3):
        pol = np.eye(2)[list(acts)]
        best = np.maximum(best, loop_values(sg, (pol, other))[:, 0])
    assert np.allclose(br.values, best, atol=1e-10)
    assert br.bellman_residual <= 1e-9
    assert np.allclose(loop_values(sg, (br.policy, other))[:, 0], br.values, atol=1e-10)


def test_exploitability_uniform_positive_and_mdp_case():
    sg = random_game(S=4, n=2, A=3, gamma=0.9, seed=3)
    ex = exploitability(sg, sg.uniform_policies())
    assert ex.max_gain > 1e-3 and np.all(ex.gains >= 0)
    # one-player game: exploitability of the optimal policy is 0
    mdp = StochasticGame.mdp(sg.rewards[:, 0, :, 0], sg.transitions[:, :, 0, :], discount=0.9)
    br = best_response(mdp, 0, [])
    assert exploitability(mdp, [br.policy]).max_gain <= 1e-10


def test_best_response_bad_input():
    sg = random_game(S=3, n=2, A=2, gamma=0.9, seed=0)
    with pytest.raises(SolverError, match="player"):
        best_response(sg, 2, [sg.uniform_policies()[1]])
    with pytest.raises(SolverError, match="others"):
        best_response(sg, 0, [])
    with pytest.raises(SolverError):
        best_response(sg, 0, [np.ones((3, 5))])
    with pytest.raises(SolverError, match="discount"):
        best_response(StochasticGame(sg.rewards, sg.transitions), 0, [sg.uniform_policies()[1]])


# --- logit homotopy: stationary equilibria ----------------------------------------------------------
@pytest.mark.parametrize("S,n,A,seed", [(3, 2, 3, 0), (4, 2, 2, 1), (5, 2, 3, 2), (3, 3, 2, 3)])
def test_stationary_random_games_certified(S, n, A, seed):
    sg = random_game(S, n, A, gamma=0.9, seed=seed)
    eq = stationary(sg, tol=1e-9)
    assert eq.converged
    assert eq.certificate <= 1e-9
    # independent recomputation of the certificate and values with explicit loops
    assert np.abs(loop_gains(sg, eq.strategies)).max() <= 1e-8
    assert np.allclose(loop_values(sg, eq.strategies), eq.values, atol=1e-8)
    assert eq.exploitability <= eq.certificate / (1 - sg.discount) + 1e-8
    assert np.allclose(one_shot_gains(sg, eq.strategies), eq.gains)
    assert np.allclose(policy_values(sg, eq.strategies), eq.values)


@pytest.mark.parametrize("shape,seed", [((3, 3), 0), ((3, 3), 1), ((2, 2, 2), 2)])
def test_stationary_one_state_matches_gambit_logit(shape, seed):
    """A one-state game's stationary equilibrium is a Nash equilibrium of the stage game; the logit branch
    from the centroid is the same one pygambit's logit tracer follows, so the limits agree."""
    import pygambit as gbt
    rng = np.random.default_rng(seed)
    n = len(shape)
    payoffs = rng.random((n,) + shape)
    sg = StochasticGame(payoffs[None], np.ones((1,) + shape + (1,)), discount=0.5)
    eq = stationary(sg, perturbation=0.0)
    assert eq.converged
    game = gbt.Game.from_arrays(*[payoffs[i] for i in range(n)])
    ref = gbt.nash.logit_solve(game).equilibria[0]
    ref_profile = [[float(v) for _, v in ref[p]] for p in game.players]
    for i in range(n):
        assert np.allclose(eq.strategies[i][0], ref_profile[i], atol=1e-5)


def test_stationary_grid_game_2_known_equilibrium():
    sg = activeq.load_game("grid_game_2")
    eq = stationary(sg)
    assert eq.converged and eq.certificate <= 1e-9 * np.ptp(sg.rewards)
    s0 = state_index(0, 2)
    v = sorted(eq.values[s0])
    # Hu & Wellman: one agent walks through the centre (value 100 g^2), the other tries the barrier (half of it)
    g = sg.discount
    assert v == pytest.approx([0.5 * 100 * g ** 2, 100 * g ** 2], abs=1e-6)
    assert eq.exploitability <= 1e-6


def test_stationary_exploitability_zero_vs_uniform():
    sg = random_game(4, 2, 3, gamma=0.9, seed=7)
    eq = stationary(sg)
    assert exploitability(sg, eq.strategies).max_gain <= 1e-8
    assert exploitability(sg, sg.uniform_policies()).max_gain > 1e-3


def test_stationary_zero_sum_agrees_with_shapley():
    sg = random_game(4, 2, 3, gamma=0.8, seed=4, zero_sum=True)
    eq = stationary(sg)
    res = shapley(sg, tol=1e-12)
    assert np.allclose(eq.values[:, 0], res.values, atol=1e-7)


def test_stationary_bad_input_and_nonconvergence():
    sg = random_game(3, 2, 2, 0.9, 0)
    with pytest.raises(SolverError, match="logit"):
        stationary(sg, method="lemke")
    with pytest.raises(SolverError, match="discount"):
        stationary(StochasticGame(sg.rewards, sg.transitions))
    with pytest.raises(ActiveqError):
        stationary(sg, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConvergenceWarning):
            stationary(sg, max_steps=1, polish=False)
    with pytest.warns(ConvergenceWarning):
        eq = stationary(sg, max_steps=1, polish=False)
    assert not eq.converged and eq.certificate > 1e-9
    assert eq.certificate == pytest.approx(one_shot_gains(sg, eq.strategies).max())


def test_legal_action_masks_and_mdp():
    rng = np.random.default_rng(11)
    S = 3
    R = rng.random((S, 2, 3, 3))
    T = rng.exponential(size=(S, 3, 3, S))
    T /= T.sum(axis=-1, keepdims=True)
    legal = [np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], bool), np.array([[1, 0, 1], [1, 1, 1], [1, 1, 0]], bool)]
    sg = StochasticGame(R, T, discount=0.9, legal_actions=legal)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from masked actions
        eq = stationary(sg)
    assert eq.converged and eq.exploitability <= 1e-8
    assert all(np.all(p[~m] == 0) for p, m in zip(eq.strategies, legal))
    Rz = R.copy()
    Rz[:, 1] = -Rz[:, 0]
    zs = StochasticGame(Rz, T, discount=0.9, legal_actions=legal)
    res = shapley(zs)
    assert res.exploitability <= 1e-8 and all(np.all(p[~m] == 0) for p, m in zip(res.strategies, legal))
    assert np.allclose(stationary(zs).values[:, 0], res.values, atol=1e-7)
    # a one-player game is an MDP: the stationary equilibrium is an optimal policy
    mdp = StochasticGame.mdp(R[:, 0, :, 0], T[:, :, 0, :], discount=0.9)
    assert np.allclose(stationary(mdp).values[:, 0], best_response(mdp, 0, []).values, atol=1e-9)


def test_stationary_grid_game_1_at_099_is_certified_by_best_response_repair():
    # Hu & Wellman's grid game 1 at discount 0.99: the logit path is still far from certified after 5000 steps
    # (many near-tied states); alternating exact best responses from the path's best profile reaches a pure
    # stationary equilibrium, checked here by the independent explicit-loop certificate.
    sg = grid_game(1, discount=0.99)
    eq = stationary(sg, max_steps=20)
    assert eq.converged and eq.info["via"] == "best-response" and not eq.info["path_complete"]
    assert eq.info["logit_certificate"] > 1e-3  # the path point itself was not an equilibrium
    assert loop_gains(sg, eq.strategies).max() <= 1e-9
    assert exploitability(sg, eq.strategies).max_gain <= 1e-9
    assert all(np.all((p == 0) | (p == 1)) for p in eq.strategies)  # pure


def test_stationary_without_polish_labels_an_uncertified_profile():
    sg = grid_game(1, discount=0.99)
    with pytest.warns(ConvergenceWarning, match="not a certified equilibrium"):
        eq = stationary(sg, max_steps=5, polish=False)
    assert not eq.converged and not eq.info["path_complete"] and eq.info["stopped"] == "max_steps"
    with pytest.raises(ActiveqError, match="polish"):
        stationary(sg, polish="yes")
