"""Exact and empirical regret decomposition (claim R4): closed forms on the flip MDP, zero delay regret in
deterministic MDPs, growth with slip probability and delay, and the simulation through RealtimeEnv agreeing."""

from __future__ import annotations

import numpy as np
import pytest

from activeq.errors import RealtimeError
from activeq.games import StochasticGame
from activeq.realtime.regret import empirical_regret, flip_mdp, regret_decomposition, schedule_pattern


@pytest.mark.parametrize("p", [0.0, 0.05, 0.1, 0.25, 0.4])
@pytest.mark.parametrize("d", [1, 2, 3, 4, 6])
def test_r4_flip_mdp_closed_form(p, d):
    r = regret_decomposition(flip_mdp(p), 0.01, d * 0.01, 1, "sequential")
    g_delay = (1 + (1 - 2 * p) ** d) / 2
    assert r.optimal_gain == pytest.approx(1.0, abs=1e-10)
    assert r.delayed_gain == pytest.approx(g_delay, abs=1e-10)
    assert r.delay == pytest.approx(1 - g_delay, abs=1e-10)
    # sequential: one step in d acts (naming the likeliest state), the others take the noop (reward 0)
    assert r.scheduled_gain == pytest.approx(g_delay / d, abs=1e-10)
    assert r.inaction == pytest.approx(g_delay * (1 - 1 / d), abs=1e-10)
    assert r.total == pytest.approx(r.inaction + r.delay, abs=1e-12)


def test_r4_staggered_n_star_leaves_only_delay_regret():
    r = regret_decomposition(flip_mdp(0.1), 1.0, 4.0, 4, "staggered")
    assert r.action_rate == 1.0 and r.inaction == pytest.approx(0.0, abs=1e-12)
    half = regret_decomposition(flip_mdp(0.1), 1.0, 4.0, 2, "staggered")
    assert half.action_rate == 0.5
    assert half.scheduled_gain == pytest.approx(half.delayed_gain / 2, abs=1e-10)


def _slip_mdp(slip: float, seed: int = 0, S: int = 5, A: int = 3) -> StochasticGame:
    rng = np.random.default_rng(seed)
    nxt = rng.integers(S, size=(S, A))
    T = np.full((S, A, S), slip / S)
    T[np.arange(S)[:, None], np.arange(A)[None, :], nxt] += 1 - slip
    return StochasticGame.mdp(rng.random((S, A)), T)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_r4_delay_regret_zero_in_deterministic_mdps(seed):
    for d in (1, 2, 3):
        r = regret_decomposition(_slip_mdp(0.0, seed), 1.0, float(d), d, "staggered" if d > 1 else "sequential")
        assert r.delay == pytest.approx(0.0, abs=1e-9)
        assert r.inaction == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_r4_delay_regret_grows_with_slip_and_delay(seed):
    delays = {}
    for slip in (0.0, 0.2, 0.5):
        delays[slip] = [regret_decomposition(_slip_mdp(slip, seed), 1.0, float(d), 1, "sequential").delay
                        for d in (1, 2, 3)]
    for slip in (0.2, 0.5):
        assert all(b >= a - 1e-10 for a, b in zip(delays[slip], delays[slip][1:]))  # grows with tau_theta
    assert all(delays[0.5][i] >= delays[0.2][i] - 1e-10 >= delays[0.0][i] - 2e-10 for i in range(3))
    assert delays[0.5][2] > delays[0.0][2] + 1e-3


@pytest.mark.parametrize("beta", ["repeat", "random", 2])
def test_default_actions_in_the_exact_terms(beta):
    r = regret_decomposition(flip_mdp(0.0), 1.0, 3.0, 1, "sequential", beta)
    if beta == "repeat":  # deterministic flips with p=0: repeating the right name is optimal
        assert r.scheduled_gain == pytest.approx(1.0, abs=1e-10)
    elif beta == "random":  # β names the state by chance 1/3 of the time
        assert r.scheduled_gain == pytest.approx(1 / 3 + 2 / 3 * 1 / 3, abs=1e-10)
    else:
        assert r.scheduled_gain == pytest.approx(1 / 3 + 2 / 3 * 0.5, abs=1e-10)


@pytest.mark.parametrize("schedule, workers, d", [("sequential", 1, 3), ("staggered", 2, 4), ("staggered", 3, 3)])
def test_empirical_terms_match_the_exact_ones(schedule, workers, d):
    mdp = flip_mdp(0.15)
    exact = regret_decomposition(mdp, 1.0, float(d), workers, schedule)
    emp = empirical_regret(mdp, 1.0, float(d), workers, schedule, steps=2000, seeds=4, seed=1,
                           policy=lambda s: 1 + s)
    for key in ("delayed_gain", "scheduled_gain", "inaction", "delay", "total"):
        half = emp.ci[key] if key in emp.ci else emp.ci[key.replace("_gain", "") + "_gain"]
        assert abs(getattr(emp, key) - getattr(exact, key)) <= max(3 * half, 0.01), key
    # "name the state I saw" is the best delayed policy here, so its learning regret is about zero
    assert abs(emp.learning) <= max(3 * emp.ci["learning"], 0.01)


def test_schedule_pattern_and_bad_input():
    assert schedule_pattern(1.0, 8.0, 4, "staggered") == (8, -1) or schedule_pattern(1.0, 8.0, 4, "staggered") == (-1, 8)
    with pytest.raises(RealtimeError, match="default_action"):
        regret_decomposition(flip_mdp(0.1), 1.0, 2.0, 1, "sequential", 3)
    with pytest.raises(RealtimeError, match="schedule"):
        regret_decomposition(flip_mdp(0.1), 1.0, 2.0, 1, "warp")
    with pytest.raises(RealtimeError, match="tau_theta"):
        regret_decomposition(flip_mdp(0.1), 1.0, -2.0)
    with pytest.raises(RealtimeError, match="workers"):
        regret_decomposition(flip_mdp(0.1), 1.0, 2.0, 0, "staggered")
    with pytest.raises(RealtimeError, match="max_states"):
        regret_decomposition(flip_mdp(0.1), 1.0, 30.0, 1, "sequential", max_states=10_000)
