"""User automata as tables: binding, validation against the game, and fuzzed constructors."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from activeq import load_game
from activeq.errors import ArgumentTypeError, ProbeError
from activeq.tom.partners import Automaton

PD = load_game("prisoners_dilemma")
RPS = load_game("rock_paper_scissors")


def test_table_tft_binds_to_the_expected_mealy_machine():
    auto = Automaton([0, 1], [[0, 1], [0, 1]], name="tft").bind(PD)
    assert auto.deterministic and auto.num_states == 2
    assert [auto.next_state(0, a, 0) for a in (0, 1)] == [0, 1]
    assert np.array_equal(auto.policy(1), [0.0, 1.0])


def test_probability_vectors_and_joint_transitions():
    auto = Automaton([[0.5, 0.5], 1], [[[0, 1], [1, 1]], [0, 0]]).bind(PD)
    assert not auto.deterministic
    assert auto.next_state(0, 0, 1) == 1 and auto.next_state(0, 0, 0) == 0


@pytest.mark.parametrize("actions, transitions, match", [
    ([0, 2], [[0, 1], [0, 1]], "not one of the game's 2 column-player actions"),
    ([[0.2, 0.3, 0.5], 0], [[0, 1], [0, 1]], "has 3 probabilities"),
    ([0, 1], [[0, 1, 0], [0, 1]], "one entry per agent action"),
    ([0, 1], [[0, 5], [0, 1]], r"transitions\[0\]\[1\] must be in \[0, 2\)"),
])
def test_automaton_that_does_not_match_the_game_is_rejected(actions, transitions, match):
    with pytest.raises(ProbeError, match=match):
        Automaton(actions, transitions).bind(PD)


def test_structure_errors_are_raised_at_construction():
    with pytest.raises(ProbeError, match="one row per state"):
        Automaton([0, 1], [[0, 1]])
    with pytest.raises(ArgumentTypeError):
        Automaton("01", [[0, 1]])
    with pytest.raises(ProbeError, match="start"):
        Automaton([0], [[0, 0]], start=3)


def test_automaton_needs_a_two_player_game():
    with pytest.raises(ProbeError, match="2 players"):
        Automaton([0], [[0, 0]]).bind(load_game("three_player_matching_pennies"))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fuzzed_tables_bind_or_raise_a_clear_error(data):
    Q = data.draw(st.integers(1, 4))
    B_claim = data.draw(st.integers(1, 4))
    actions = [data.draw(st.one_of(st.integers(-1, 3), st.lists(st.floats(0, 1), min_size=B_claim, max_size=B_claim)))
               for _ in range(Q)]
    transitions = [[data.draw(st.integers(-1, Q)) for _ in range(data.draw(st.integers(1, 3)))] for _ in range(Q)]
    try:
        auto = Automaton(actions, transitions).bind(RPS)
    except (ProbeError, ArgumentTypeError) as exc:
        assert str(exc)
        return
    assert auto.policy_matrix.shape == (Q, 3)
    assert np.allclose(auto.policy_matrix.sum(axis=1), 1.0)
    assert auto.next.min() >= 0 and auto.next.max() < Q


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=20))
def test_fuzzed_partner_specs_parse_or_raise_probe_error(spec):
    from activeq.tom.partners import parse_partner

    try:
        partner = parse_partner(spec)
    except ProbeError as exc:
        assert "partner" in str(exc) or "probabilities" in str(exc) or "cycle" in str(exc) or str(exc)
        return
    try:
        partner.bind(RPS)
    except (ProbeError, ArgumentTypeError):
        pass


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-3, 5), st.floats(-1, 4), st.booleans(), st.text(max_size=2)))
def test_fuzzed_single_action_constructor(a):
    from activeq.errors import ArgumentError
    from activeq.tom.partners import single_action

    try:
        bound = single_action(a).bind(RPS)
    except (ProbeError, ArgumentError, ArgumentTypeError):
        return
    assert bound.policy(0)[a] == 1.0
