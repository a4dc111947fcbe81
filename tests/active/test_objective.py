"""Active average reward: exact (finite joint chain) vs closed forms, hand-worked cycles and batched simulation."""

import numpy as np
import pytest

from activeq.active import (ActiveMarkovGame, FixedPolicy, NaiveLearner, TitForTat, WindowedFictitiousPlay,
                            WinStayLoseShift, active_average_reward, finite_joint_chain)
from activeq.errors import ArgumentError, LearnerError

from ._games import iterated


def test_fixed_policies_give_the_stage_payoffs():
    g = iterated("bach_or_stravinsky")
    x, y = np.array([0.3, 0.7]), np.array([0.6, 0.4])
    ev = active_average_reward(ActiveMarkovGame(g, [FixedPolicy(x), FixedPolicy(y)]))
    assert ev.method == "exact"
    np.testing.assert_allclose(ev.values, g.stage.expected_payoffs([x, y]), atol=1e-12)


def test_tit_for_tat_cycles_and_multiple_classes():
    g = iterated("prisoners_dilemma")
    both = active_average_reward(ActiveMarkovGame(g, [TitForTat(), TitForTat()]))
    np.testing.assert_allclose(both.values, [3.0, 3.0])
    # one starts by defecting: (D,C), (C,D), (D,C), ... a period-2 cycle worth (5 + 0) / 2 each
    cyc = active_average_reward(ActiveMarkovGame(g, [TitForTat(initial=1), TitForTat()]))
    np.testing.assert_allclose(cyc.values, [2.5, 2.5])
    chain = finite_joint_chain(ActiveMarkovGame(g, [TitForTat(), TitForTat()]))
    assert chain.P.shape == (5 * 2 * 2, 5 * 2 * 2)
    np.testing.assert_allclose(np.asarray(chain.P.sum(axis=1)).ravel(), 1.0)


def test_win_stay_lose_shift_recovers_from_a_defection():
    # WSLS vs WSLS starting (D, C): (D,C) -> T wins / S loses -> (D,D) -> both lose -> (C,C) forever
    g = iterated("prisoners_dilemma")
    ev = active_average_reward(ActiveMarkovGame(g, [WinStayLoseShift(initial=1), WinStayLoseShift()]))
    np.testing.assert_allclose(ev.values, [3.0, 3.0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_and_simulated_agree_within_error_bars(seed):
    cases = [("prisoners_dilemma", [TitForTat(epsilon=0.1), WinStayLoseShift(epsilon=0.05)]),
             ("matching_pennies", [WinStayLoseShift(epsilon=0.1), WindowedFictitiousPlay(3, epsilon=0.1)])]
    for name, learners in cases:
        amg = ActiveMarkovGame(iterated(name), learners)
        ex = active_average_reward(amg, "exact")
        sim = active_average_reward(amg, "simulate", steps=1200, burn_in=200, chains=24, seed=seed)
        assert sim.converged
        assert np.all(sim.stderr > 0)
        assert np.all(np.abs(sim.values - ex.values) <= 4.5 * sim.stderr + 1e-3), (name, ex, sim)


def test_naive_learners_reach_mutual_defection():
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [NaiveLearner(init_scale=1.0), NaiveLearner(init_scale=1.0)])
    ev = active_average_reward(amg, steps=600, chains=4, seed=0)
    assert ev.method == "simulate"
    np.testing.assert_allclose(ev.values, [1.0, 1.0], atol=0.05)


def test_bad_input():
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [NaiveLearner(), TitForTat()])
    with pytest.raises(LearnerError, match="finite-state"):
        active_average_reward(amg, "exact")
    with pytest.raises(ArgumentError, match="burn_in"):
        active_average_reward(amg, "simulate", steps=100, burn_in=99)
    with pytest.raises(ArgumentError, match="chains"):
        active_average_reward(amg, "simulate", steps=100, chains=1)
    with pytest.raises(ArgumentError, match="method"):
        active_average_reward(amg, "fast")
    with pytest.raises(ArgumentError, match="ActiveMarkovGame"):
        active_average_reward("prisoners_dilemma")
