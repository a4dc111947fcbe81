import pytest

from activeq import load_game
from activeq.errors import ArgumentError
from activeq.tom import probe
from activeq.tom.agents import BestResponder, Oracle, PredictsWell
from activeq.tom.partners import cycle, single_action

RPS = load_game("rock_paper_scissors")


def test_frequency_best_responder_beats_a_single_action_partner():
    res = probe(RPS, single_action(2), BestResponder("frequency"), rounds=50, seeds=1)
    assert res.functional_regret == pytest.approx(2 / 50)  # first round: predicts rock, plays paper, loses (gap 2)
    assert res.accuracy == pytest.approx(49 / 50)


def test_oracle_agent_predicts_the_partner_exactly():
    assert probe(RPS, cycle([0, 1, 2]), Oracle(), rounds=30, seeds=1).accuracy == 1.0


def test_scripted_argument_errors():
    with pytest.raises(ArgumentError):
        PredictsWell(1.5)
    with pytest.raises(ArgumentError):
        BestResponder("psychic")
