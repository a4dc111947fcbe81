"""Average-reward learners: exactness of the fast gain solver, seeding, fast == dense learning curves,
near-optimal gain on tiny MDPs, exact regret baseline, checkpoint/resume, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from activeq.avgreward import evaluate_policy, gain_bias
from activeq.avgreward.learners import (LEARNERS, DenseChainGain, FastChainGain, MDPEnvironment, RunResult,
                                        SwitchingEnvironment, make_learner, run)
from activeq.errors import ArgumentError, ExperimentError, LearnerError
from activeq.games import StochasticGame


def random_mdp(S: int, A: int, seed: int, sparsity: float = 3.0) -> StochasticGame:
    rng = np.random.default_rng(seed)
    T = rng.random((S, A, S)) ** sparsity
    T /= T.sum(axis=-1, keepdims=True)
    return StochasticGame.mdp(rng.random((S, A)), T)


def brute_force_optimal_gain(mdp: StochasticGame) -> float:
    """Max over all deterministic policies of mu . r, mu from an eigenvector of P^T (independent of activeq)."""
    S, A = mdp.num_states, mdp.num_actions[0]
    T, R = mdp.transitions, mdp.rewards[:, 0, :]
    best = -np.inf
    for pol in itertools.product(range(A), repeat=S):
        idx = np.arange(S), np.array(pol)
        P, r = T[idx], R[idx]
        w, V = np.linalg.eig(P.T)
        mu = np.real(V[:, np.argmin(np.abs(w - 1.0))])
        best = max(best, float(mu @ r / mu.sum()))
    return best


# --- the gain solvers ------------------------------------------------------------------------------------------
def _explicit_candidate_gains(chain, s, rows, rewards):
    """gain_bias of the chain with row ``s`` explicitly replaced by each candidate (the independent reference)."""
    out = []
    for row, reward in zip(rows, rewards):
        Pk, rk = chain.P.copy(), chain.r.copy()
        Pk[s], rk[s] = row, reward
        out.append(gain_bias(Pk, rk).scalar_gain)
    return out


def test_candidate_gains_match_independent_gain_bias():
    """Fast (Sherman-Morrison) and dense candidate gains equal gain_bias of the explicitly modified chain."""
    rng = np.random.default_rng(0)
    S, A = 12, 3
    P = rng.random((S, S)) ** 3
    P /= P.sum(axis=1, keepdims=True)
    r = rng.random(S)
    fast, dense = FastChainGain(P, r, refresh_every=10_000), DenseChainGain(P, r)
    for _ in range(60):
        s = int(rng.integers(S))
        rows = rng.random((A, S)) ** 3
        rows /= rows.sum(axis=1, keepdims=True)
        rewards = rng.random(A)
        expected = _explicit_candidate_gains(fast, s, rows, rewards)
        np.testing.assert_allclose(fast.candidate_gains(s, rows, rewards), expected, atol=1e-11)
        np.testing.assert_allclose(dense.candidate_gains(s, rows, rewards), expected, atol=1e-11)
        k = int(rng.integers(A))
        fast.set_row(s, rows[k], rewards[k])
        dense.set_row(s, rows[k], rewards[k])
    ref = gain_bias(fast.P, fast.r)
    np.testing.assert_allclose(fast.stationary(), dense.stationary(), atol=1e-12)
    assert fast.gain() == pytest.approx(ref.scalar_gain, abs=1e-12)
    h = fast.differential_values()
    np.testing.assert_allclose((np.eye(S) - fast.P) @ h, fast.r - ref.scalar_gain, atol=1e-11)


@pytest.mark.parametrize("lazy,fold_every", [(True, 1), (True, 3), (True, 32), (False, 32)])
def test_lazy_sparse_updates_stay_exact(lazy, fold_every):
    """Counts-model rows (a few observed next states plus a uniform prior) take the sparse path of the fast
    solver; with pending low-rank updates folded every ``fold_every`` commits, candidate gains, the stationary
    law and the differential values still equal an independent solve of the explicit chain."""
    rng = np.random.default_rng(4)
    S, A, prior = 40, 3, 0.1

    def counts_row():
        counts = np.zeros(S)
        counts[rng.choice(S, size=3, replace=False)] = rng.integers(1, 6, size=3)
        return (counts + prior / S) / (counts.sum() + prior)

    P = np.array([counts_row() for _ in range(S)])
    r = rng.random(S)
    fast = FastChainGain(P, r, refresh_every=10_000, fold_every=fold_every, lazy=lazy)
    for step in range(120):
        s = int(rng.integers(S))
        rows = np.array([counts_row() for _ in range(A)])
        rewards = rng.random(A)
        if step % 10 == 0:
            np.testing.assert_allclose(fast.candidate_gains(s, rows, rewards),
                                       _explicit_candidate_gains(fast, s, rows, rewards), atol=1e-11)
        k = int(rng.integers(A))
        fast.set_row(s, rows[k], rewards[k])
    ref = gain_bias(fast.P, fast.r)
    np.testing.assert_allclose(fast.stationary() @ fast.P, fast.stationary(), atol=1e-12)
    assert fast.gain() == pytest.approx(ref.scalar_gain, abs=1e-12)
    h = fast.differential_values()
    np.testing.assert_allclose((np.eye(S) - fast.P) @ h, fast.r - ref.scalar_gain, atol=1e-10)


@pytest.mark.parametrize("lazy_from", [0, 10_000])
def test_fast_and_dense_rho_on_agree_on_a_rooms_mdp(lazy_from, monkeypatch):
    """On bottleneck rooms (64 states, near-deterministic: the regime of the regret experiments) the fast solver's
    updates (sparse and lazily folded, or eager) make the same decisions as the dense re-solve."""
    from activeq.games.generators.scalable import rooms_mdp

    monkeypatch.setattr(FastChainGain, "LAZY_FROM", lazy_from)

    mdp = rooms_mdp(4, 2, "cycles")
    fast = make_learner("rho_on", mdp.num_states, 4, solver="fast")
    dense = make_learner("rho_on", mdp.num_states, 4, solver="dense")
    a = run(fast, mdp, 1500, seed=2, progress=False)
    b = run(dense, mdp, 1500, seed=2, progress=False)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    np.testing.assert_array_equal(fast.greedy_policy(), dense.greedy_policy())
    assert fast.model_gain() == pytest.approx(dense.model_gain(), abs=1e-9)


# --- every learner ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_learner_is_seeded(name):
    mdp = random_mdp(5, 3, seed=1)
    a = run(make_learner(name, 5, 3), mdp, 600, seed=7, progress=False)
    b = run(make_learner(name, 5, 3), mdp, 600, seed=7, progress=False)
    c = run(make_learner(name, 5, 3), mdp, 600, seed=8, progress=False)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    assert not np.array_equal(a.rewards, c.rewards)
    assert a.learner == name and a.steps == 600 and a.seed == 7


@pytest.mark.parametrize("name,kwargs", [("rho_on", {}), ("rho_off", {"sampling": "uniform"}),
                                         ("rho_off", {"sampling": "stationary"}), ("rho_pg", {})])
def test_fast_and_dense_learning_curves_are_identical(name, kwargs):
    mdp = random_mdp(10, 3, seed=2)
    fast = make_learner(name, 10, 3, solver="fast", refresh_every=37, **kwargs)
    dense = make_learner(name, 10, 3, solver="dense", **kwargs)
    a = run(fast, mdp, 1500, seed=3, progress=False)
    b = run(dense, mdp, 1500, seed=3, progress=False)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    np.testing.assert_array_equal(fast.greedy_policy(), dense.greedy_policy())
    assert fast.model_gain() == pytest.approx(dense.model_gain(), abs=1e-9)


# Baselines need more samples than the model-based learners; tuned step sizes keep this CI-sized.
# (kwargs, steps): plain Q-learning with a constant step size needs more samples to settle.
NEAR_OPTIMAL = {"rho_on": ({}, 2000), "rho_off": ({}, 2000), "rho_pg": ({}, 2000), "rho_iter": ({}, 2000),
                "q_learning": ({"lr": 0.05, "discount": 0.95, "epsilon": 0.1}, 10000),
                "q_replay": ({"discount": 0.95, "epsilon": 0.1}, 4000), "dyna_q": ({"discount": 0.95}, 4000),
                "differential_q": ({"lr": 0.1, "eta": 0.5}, 4000), "r_learning": ({"lr": 0.1, "beta": 0.05}, 4000)}


@pytest.mark.parametrize("name", sorted(NEAR_OPTIMAL))
def test_learners_reach_near_optimal_gain_on_tiny_mdp(name):
    """The greedy policy after training has an exact gain within 3% of the optimum in at least 2 of 3 seeds."""
    S, A = 4, 2
    mdp = random_mdp(S, A, seed=11, sparsity=1.0)
    g_star = brute_force_optimal_gain(mdp)
    g_worst = min(evaluate_policy(mdp, np.eye(A)[list(p)]).scalar_gain for p in itertools.product(range(A), repeat=S))
    assert g_star - g_worst > 0.05      # the task is not trivial
    ok = 0
    kwargs, steps = NEAR_OPTIMAL[name]
    for seed in range(3):
        learner = make_learner(name, S, A, **kwargs)
        run(learner, mdp, steps, seed=seed, progress=False)
        g = evaluate_policy(mdp, np.eye(A)[learner.greedy_policy()]).scalar_gain
        ok += g >= g_star - 0.03 * (g_star - g_worst)
    assert ok >= 2


def test_regret_uses_the_exact_optimal_gain():
    mdp = random_mdp(4, 2, seed=5, sparsity=1.0)
    g_star = brute_force_optimal_gain(mdp)
    res = run(make_learner("q_learning", 4, 2), mdp, 500, seed=0, progress=False)
    np.testing.assert_allclose(res.optimal_gains, g_star, atol=1e-10)
    np.testing.assert_allclose(res.regret, np.cumsum(g_star - res.rewards), atol=1e-8)
    assert res.regret_at(500) == pytest.approx(res.total_regret)
    assert res.regret_at(100) == pytest.approx(100 * g_star - res.rewards[:100].sum())
    again = RunResult.from_dict(res.to_dict())
    np.testing.assert_array_equal(again.rewards, res.rewards)


def test_switching_environment_charges_the_current_tasks_gain():
    """Two tasks with opposite rewards, switching every 10 steps: the optimal gain charged follows the task."""
    S, A = 3, 2
    T = np.full((S, A, S), 1.0 / S)
    R0 = np.zeros((S, A)); R0[:, 0] = 1.0
    R1 = np.zeros((S, A)); R1[0, 1] = 0.5
    env = SwitchingEnvironment([StochasticGame.mdp(R0, T), StochasticGame.mdp(R1, T)], switch_every=10)
    res = run(make_learner("q_learning", S, A), env, 40, seed=0, progress=False)
    expected = np.repeat([1.0, 0.5 / 3, 1.0, 0.5 / 3], 10)
    np.testing.assert_allclose(res.optimal_gains, expected, atol=1e-12)
    goal = SwitchingEnvironment([StochasticGame.mdp(R0, T), StochasticGame.mdp(R1, T)], switch_states=[[2], [0]],
                                switching="random")
    res = run(make_learner("q_learning", S, A), goal, 200, seed=1, progress=False)
    assert set(np.round(res.optimal_gains, 9)) == {1.0, round(0.5 / 3, 9)}


# --- checkpoint / resume ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["rho_on", "rho_off", "rho_pg", "rho_iter", "q_replay", "dyna_q", "r_learning"])
def test_checkpoint_resume_equals_uninterrupted_run(name, tmp_path):
    mdp = random_mdp(6, 3, seed=4)
    env = SwitchingEnvironment([mdp, random_mdp(6, 3, seed=9)], switch_every=50, switching="random")
    full = run(make_learner(name, 6, 3), env, 900, seed=5, progress=False)
    path = tmp_path / "ckpt.json"
    part = run(make_learner(name, 6, 3), env, 900, seed=5, progress=False, checkpoint=path, checkpoint_every=200,
               stop_after=500)
    assert part.steps == 500 and path.exists()
    resumed = run(make_learner(name, 6, 3), env, 900, seed=5, progress=False, checkpoint=path, checkpoint_every=200)
    np.testing.assert_array_equal(resumed.rewards, full.rewards)
    np.testing.assert_array_equal(resumed.optimal_gains, full.optimal_gains)


def test_checkpoint_of_another_run_is_rejected(tmp_path):
    mdp = random_mdp(4, 2, seed=0)
    path = tmp_path / "ckpt.json"
    run(make_learner("q_learning", 4, 2), mdp, 100, seed=0, progress=False, checkpoint=path, checkpoint_every=50)
    with pytest.raises(ExperimentError, match="different run"):
        run(make_learner("q_learning", 4, 2, lr=0.5), mdp, 100, seed=0, progress=False, checkpoint=path)


# --- bad input -------------------------------------------------------------------------------------------------
def test_bad_input():
    mdp = random_mdp(4, 2, seed=0)
    with pytest.raises(LearnerError, match="states"):
        run(make_learner("rho_on", 5, 2), mdp, 10, seed=0, progress=False)
    with pytest.raises(ArgumentError, match="steps"):
        run(make_learner("rho_on", 4, 2), mdp, 0, seed=0, progress=False)
    with pytest.raises(ArgumentError, match="solver"):
        make_learner("rho_on", 4, 2, solver="lu")
    with pytest.raises(ArgumentError, match="name"):
        make_learner("sarsa", 4, 2)
    with pytest.raises(ArgumentError, match="epsilon"):
        make_learner("q_learning", 4, 2, epsilon=1.5)
    with pytest.raises(ArgumentError, match="discount"):
        make_learner("dyna_q", 4, 2, discount=1.0)
    with pytest.raises(ArgumentError, match="prior"):
        make_learner("rho_off", 4, 2, prior=0.0)
    with pytest.raises(ArgumentError, match="sampling"):
        make_learner("rho_off", 4, 2, sampling="greedy")
    with pytest.raises(LearnerError, match="Learner"):
        run(object(), mdp, 10)
    with pytest.raises(ArgumentError, match="tasks"):
        SwitchingEnvironment([mdp, random_mdp(5, 2, seed=0)])
    with pytest.raises(ArgumentError, match="seed"):
        run(make_learner("rho_on", 4, 2), MDPEnvironment(mdp), 10, seed=-1, progress=False)


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_standalone_use_with_the_learners_own_seed(name):
    """Without a runner: act(state) / observe(s, a, r, s2) draw from the learner's own seeded generator."""
    mdp = random_mdp(4, 2, seed=0)
    T, R = mdp.transitions, mdp.rewards[:, 0, :]

    def trajectory(seed):
        env_rng = np.random.default_rng(100)
        learner = make_learner(name, 4, 2, seed=seed)
        s, actions = 0, []
        for _ in range(300):
            a = learner.act(s)
            s2 = int(env_rng.choice(4, p=T[s, a]))
            learner.observe(s, a, float(R[s, a]), s2)
            actions.append(a)
            s = s2
        return actions

    assert trajectory(3) == trajectory(3)
