"""Active equilibria: Nash profiles are fixed points, certificates hold against the final profile, cycles are reported."""

import numpy as np
import pytest

from activeq.active import (ActiveMarkovGame, FixedPolicy, TitForTat, WindowedFictitiousPlay, WinStayLoseShift,
                            active_best_response, active_equilibrium)
from activeq.errors import ArgumentError, ConvergenceWarning
from activeq.nash import solve

from ._games import iterated


@pytest.mark.parametrize("name", ["bach_or_stravinsky", "matching_pennies", "stag_hunt"])
def test_every_stage_nash_equilibrium_played_as_fixed_policies_is_an_active_equilibrium(name):
    g = iterated(name)
    for eq in solve(g.stage):
        amg = ActiveMarkovGame(g, [FixedPolicy(eq.strategies[0]), FixedPolicy(eq.strategies[1])])
        res = active_equilibrium(amg, eps=1e-7)
        assert res.converged and res.rounds == 1
        np.testing.assert_allclose(res.values, eq.payoffs, atol=1e-9)
        assert np.all(res.certificate <= 1e-7)


def test_a_non_equilibrium_profile_moves_to_mutual_defection():
    g = iterated("prisoners_dilemma")
    amg = ActiveMarkovGame(g, [FixedPolicy([1.0, 0.0]), FixedPolicy([1.0, 0.0])])  # both always cooperate
    res = active_equilibrium(amg, eps=1e-7)
    assert res.converged
    np.testing.assert_allclose(res.values, [1.0, 1.0], atol=1e-9)
    assert res.history[0]["switched"] and res.history[0]["improvement"] == pytest.approx(2.0)


@pytest.mark.parametrize("learners", [lambda: [TitForTat(), WinStayLoseShift()],
                                      lambda: [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=2)]])
def test_the_certificate_holds_against_the_final_profile(learners):
    g = iterated("bach_or_stravinsky")
    res = active_equilibrium(ActiveMarkovGame(g, learners()), eps=1e-7)
    assert res.converged
    for i in range(2):  # recompute each agent's best improvement independently
        br = active_best_response(res.amg, i)
        assert br.value - res.values[i] <= 1e-7
        assert res.certificate[i] == pytest.approx(br.value - res.values[i], abs=1e-9)


def test_zero_sum_cycles_are_reported_not_hidden():
    g = iterated("matching_pennies")
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=2)])
    with pytest.warns(ConvergenceWarning, match="did not converge") as rec:
        res = active_equilibrium(amg, eps=1e-6, max_rounds=3)
    assert rec[0].filename == __file__  # the warning names the caller's line, not activeq's
    assert not res.converged and res.rounds == 3
    assert "max_rounds=3" in res.message
    assert np.nanmax(res.certificate) > 1e-6


def test_bad_input():
    amg = ActiveMarkovGame(iterated("prisoners_dilemma"), [TitForTat(), TitForTat()])
    for eps in (0.0, -1.0, float("nan")):
        with pytest.raises(ArgumentError, match="eps"):
            active_equilibrium(amg, eps=eps)
    with pytest.raises(ArgumentError, match="max_rounds"):
        active_equilibrium(amg, max_rounds=0)
