"""The exact oracle against the issue's example, brute force over all action sequences, and the long-run gain."""

import itertools

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ArgumentTypeError, ProbeError
from activeq.tom import oracle
from activeq.tom.partners import (Automaton, cycle, fictitious_play, mixed, noisy, q_learner, single_action,
                                  tit_for_tat)

PD = load_game("prisoners_dilemma")
RPS = load_game("rock_paper_scissors")
BOS = load_game("bach_or_stravinsky")


def test_ipd_vs_tit_for_tat_cooperates_99_rounds_then_defects():
    res = oracle(PD, tit_for_tat(), 100)
    assert res.value == pytest.approx(302.0)
    assert res.actions == (0,) * 99 + (1,)
    assert res.rewards.tolist() == [3.0] * 99 + [5.0]
    assert res.gain == pytest.approx(3.0)


def _brute_deterministic(game, bound, T):
    U = game.payoff_matrix(0)
    best = -np.inf
    for seq in itertools.product(range(game.num_actions[0]), repeat=T):
        q, total = bound.start, 0.0
        for a in seq:
            b = int(np.argmax(bound.policy(q)))
            total += U[a, b]
            q = bound.next_state(q, a, b)
        best = max(best, total)
    return best


def _brute_expectimax(game, bound, T, hist=()):
    """Expectimax over *histories* (replaying the partner from its start each time): independent of the oracle."""
    if len(hist) == T:
        return 0.0
    q = bound.start
    for a, b in hist:
        q = bound.next_state(q, a, b)
    pi = bound.policy(q)
    U = game.payoff_matrix(0)
    return max(sum(p * (U[a, b] + _brute_expectimax(game, bound, T, hist + ((a, b),)))
                   for b, p in enumerate(pi) if p > 0) for a in range(game.num_actions[0]))


DETERMINISTIC = [(RPS, single_action(1)), (RPS, tit_for_tat()), (RPS, cycle([0, 0, 2])), (PD, tit_for_tat()),
                 (BOS, tit_for_tat()), (BOS, fictitious_play(2)), (PD, Automaton([1, 0], [[1, 0], [0, 1]]))]


@pytest.mark.parametrize("game, partner", DETERMINISTIC, ids=lambda x: getattr(x, "name", ""))
@pytest.mark.parametrize("T", [1, 3, 5])
def test_oracle_equals_brute_force_over_all_action_sequences(game, partner, T):
    res = oracle(game, partner, T)
    bound = partner.bind(game)
    assert res.value == pytest.approx(_brute_deterministic(game, bound, T), abs=1e-9)
    assert res.rewards.sum() == pytest.approx(res.value)


STOCHASTIC = [(RPS, mixed([0.5, 0.3, 0.2])), (PD, noisy(tit_for_tat(), 0.2)), (BOS, q_learner(epsilon=0.1)),
              (PD, q_learner())]


@pytest.mark.parametrize("game, partner", STOCHASTIC, ids=lambda x: getattr(x, "name", ""))
def test_stochastic_and_learning_partners_match_expectimax_over_histories(game, partner):
    T = 4
    res = oracle(game, partner, T)
    assert res.value == pytest.approx(_brute_expectimax(game, partner.bind(game), T), abs=1e-9)
    assert res.rewards.sum() == pytest.approx(res.value)


def test_gain_is_the_limit_of_the_per_step_value():
    res = oracle(BOS, fictitious_play(2), 400)
    assert res.gain == pytest.approx(2.0)
    assert abs(res.per_step - res.gain) < 0.02
    assert oracle(RPS, single_action(0), 10).gain == pytest.approx(1.0)


def test_gap_is_zero_for_the_optimal_action_and_positive_otherwise():
    res = oracle(PD, tit_for_tat(), 10)
    q = res.partner.start
    assert res.gap(0, q, 0) == 0.0 and res.gap(0, q, 1) > 0
    assert res.gap(9, q, 1) == 0.0  # last round: defect


@pytest.mark.parametrize("bad, err", [(0, ProbeError), (-3, ProbeError), (2.5, ArgumentTypeError)])
def test_horizon_below_one_is_rejected(bad, err):
    with pytest.raises(err, match="horizon"):
        oracle(PD, tit_for_tat(), bad)
