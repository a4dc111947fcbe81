import pytest

from activeq import load_game
from activeq.errors import ArgumentError
from activeq.tom import probe
from activeq.tom.agents import ModelBased
from activeq.tom.partners import tit_for_tat


def test_model_based_learns_to_exploit_rps_tit_for_tat():
    res = probe(load_game("rock_paper_scissors"), tit_for_tat(), ModelBased(), rounds=100, seeds=3)
    assert res.functional_regret < 0.2 and res.accuracy > 0.8


def test_model_based_arguments():
    with pytest.raises(ArgumentError):
        ModelBased(optimism=-1)
