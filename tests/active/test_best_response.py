"""Active best responses: Nash special case, brute force over meta-policies, IPD vs a naive learner, lookahead sweep."""

import itertools

import numpy as np
import pytest
import torch

from activeq.active import (LOLA, ActiveMarkovGame, FixedPolicy, MetaPolicy, NaiveLearner, QPersona, TitForTat,
                            WindowedFictitiousPlay, active_average_reward, active_best_response, lookahead_sweep)
from activeq.active.unroll import unroll_objective
from activeq.errors import ArgumentError, LearnerError

from ._games import iterated, repeated


@pytest.mark.parametrize("name", ["matching_pennies", "bach_or_stravinsky", "prisoners_dilemma"])
def test_against_a_stationary_opponent_the_active_best_response_is_a_best_response(name):
    g = iterated(name)
    y = np.array([0.35, 0.65])
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), FixedPolicy(y)])
    br = active_best_response(amg, 0)
    assert br.method == "exact_mdp" and br.stderr == 0.0
    best_pure = g.stage.deviation_payoffs([np.array([0.5, 0.5]), y], 0).max()
    assert br.value == pytest.approx(best_pure, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_best_response_to_a_memory_one_policy_matches_brute_force(seed):
    g = iterated("prisoners_dilemma")
    opp = np.random.default_rng(seed).dirichlet([1, 1], size=5)
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), FixedPolicy(opp)])
    br = active_best_response(amg, 0)
    brute = max(active_average_reward(amg.replace(0, FixedPolicy(np.eye(2)[list(c)]))).values[0]
                for c in itertools.product(range(2), repeat=5))
    assert br.value == pytest.approx(brute, abs=1e-9)


def test_against_fictitious_play_matches_brute_force_over_all_meta_policies():
    # repeated matching pennies (one game state) vs fictitious play over the last 3 actions: 8 learner states,
    # so 2^8 deterministic meta-policies, each evaluated through the joint chain (not through the MDP)
    g = repeated("matching_pennies")
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=3)])
    br = active_best_response(amg, 0)
    assert br.value > 0.5  # strictly positive where Nash gives 0
    fp = amg.learners[1]
    values = []
    for combo in itertools.product(range(2), repeat=8):
        table = np.eye(2)[list(combo)].reshape(1, 8, 2)
        values.append(active_average_reward(amg.replace(0, MetaPolicy(table, [fp]))).values[0])
    assert br.value == pytest.approx(max(values), abs=1e-9)
    assert br.values[1] == pytest.approx(-br.value, abs=1e-9)


def test_iterated_matching_pennies_vs_fictitious_play_is_strictly_positive():
    amg = ActiveMarkovGame(iterated("matching_pennies"), [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=2)])
    br = active_best_response(amg, 0)
    assert br.value > 0.25
    search = active_best_response(amg, 0, method="search", population=8, generations=1, steps=200, seed=1)
    assert search.value <= br.value + 1e-9  # stationary policies are meta-policies: exact is an upper bound


def test_prisoners_dilemma_vs_a_naive_learner():
    """The gradient-through-unroll best response extorts the naive learner: far above mutual defection (1) and
    mutual cooperation (3), and at least what LOLA and a naive learner earn against the same learner over a long
    run (LOLA exploits it too, ~3.6). The simulated achievement agrees with the unrolled objective."""
    g = iterated("prisoners_dilemma")
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), NaiveLearner()])
    naive = active_average_reward(ActiveMarkovGame(g, [NaiveLearner(init_scale=0.5), NaiveLearner()]), steps=1500,
                                  chains=4, seed=0)
    lola = active_average_reward(ActiveMarkovGame(g, [LOLA(init_scale=0.5), NaiveLearner()]), steps=1500, chains=4,
                                 seed=0)
    for seed in (0, 1):  # two independent optimisations
        br = active_best_response(amg, 0, steps=250, restarts=8, iterations=20, eval_chains=4, eval_steps=1500,
                                  seed=seed)
        assert br.method == "gradient"
        assert br.value > 3.0 + 0.5
        assert br.value == pytest.approx(br.objective, abs=0.15)
        assert br.value >= naive.values[0] - 3 * (br.stderr + naive.stderr[0])
        assert br.value >= lola.values[0] - 3 * (br.stderr + lola.stderr[0])


def test_unrolled_objective_has_the_true_gradient():
    """Second-order autodiff through the naive learner's updates equals central finite differences (step 1e-4: the
    average reward is an Abel limit at discount 1 - 1e-7, too ill-conditioned for smaller steps)."""
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [FixedPolicy([0.5, 0.5]), NaiveLearner(lr=0.5)])
    phi = torch.tensor(np.random.default_rng(0).normal(size=(2, 5, 2)), dtype=torch.float64, requires_grad=True)
    for lookahead in (3, "inf"):
        assert torch.autograd.gradcheck(lambda z: unroll_objective(amg, 0, z, lookahead, 12, 6, points=3), (phi,),
                                        eps=1e-4, atol=2e-5, rtol=1e-3)


def test_the_gradient_method_needs_differentiable_learners():
    g = iterated("prisoners_dilemma")
    with pytest.raises(LearnerError, match="differentiable"):
        active_best_response(ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), LOLA()]), 0, method="gradient")
    # asking for a tracking meta-policy keeps the search even when the gradient method would apply
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), NaiveLearner()])
    br = active_best_response(amg, 0, meta="tracking", population=4, generations=0, steps=20, eval_steps=20,
                              eval_chains=2)
    assert br.method == "search" and br.info["meta"] == "tracking"


def test_lookahead_sweep_orders_myopic_and_farsighted_exactly():
    # vs fictitious play every candidate is evaluated exactly, and "inf" is the MDP optimum
    amg = ActiveMarkovGame(iterated("matching_pennies"), [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=2)])
    sweep = lookahead_sweep(amg, 0, (0, 1, 3, "inf"), population=8, generations=1, steps=100, chains=2, seed=0)
    assert [r.lookahead for r in sweep] == [0, 1, 3, "inf"]
    assert all(r.stderr == 0.0 for r in sweep)
    assert all(r.value <= sweep[-1].value + 1e-9 for r in sweep)
    assert sweep[0].value < sweep[-1].value - 0.1


def test_lookahead_sweep_vs_a_naive_learner():
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [FixedPolicy([0.5, 0.5]), NaiveLearner()])
    sweep = lookahead_sweep(amg, 0, (0, "inf"), steps=250, restarts=8, iterations=15, eval_chains=4, seed=0)
    myopic, farsighted = sweep
    assert myopic.value == pytest.approx(1.0, abs=0.05)  # best response to the current policy: defect -> (D, D)
    assert farsighted.value > myopic.value + 1.0


def test_tracking_the_opponents_policy_exploits_the_q_persona_in_matching_pennies():
    # a stationary policy cannot beat an adaptive Q-learner much; conditioning on its current greedy action can
    g = iterated("matching_pennies")
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), QPersona()])
    opts = dict(population=12, generations=1, steps=300, chains=1, eval_chains=4, eval_steps=600, seed=0)
    tracking = active_best_response(amg, 0, **opts)
    assert tracking.info["meta"] == "tracking" and tracking.policy.shape == (5, 2, 2)
    assert tracking.value > 0.9  # ≈ 1 - ε: match the persona's greedy action
    naive = active_average_reward(ActiveMarkovGame(g, [NaiveLearner(), QPersona()]), steps=600, chains=4, seed=0)
    assert tracking.value > naive.values[0] + 3 * naive.stderr[0]


def test_bad_input():
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [FixedPolicy([0.5, 0.5]), NaiveLearner()])
    for bad in (-1, 1.5, "forever", True):
        with pytest.raises(ArgumentError, match="lookahead"):
            active_best_response(amg, 0, bad)
    with pytest.raises(ArgumentError, match="agent"):
        active_best_response(amg, 2)
    with pytest.raises(LearnerError, match="finite-state"):
        active_best_response(amg, 0, method="exact")
    with pytest.raises(ArgumentError, match="population"):
        active_best_response(amg, 0, population=1)
    with pytest.raises(ArgumentError, match="method"):
        active_best_response(amg, 0, method="magic")
    with pytest.raises(ArgumentError, match="meta"):
        active_best_response(amg, 0, meta="psychic")
    fin = ActiveMarkovGame(iterated("prisoners_dilemma"), [FixedPolicy([0.5, 0.5]), TitForTat()])
    with pytest.raises(ArgumentError, match="lookahead"):
        active_best_response(fin, 0, 3, method="exact")
