import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ProbeError
from activeq.tom.partners import tit_for_tat


def _after(auto, a):
    return int(np.argmax(auto.policy(auto.next_state(auto.start, a, 0))))


def test_rps_tit_for_tat_plays_what_beats_your_last_move():
    g = load_game("rock_paper_scissors")
    auto = tit_for_tat(g).bind(g)
    names = g.action_names[1]
    assert [names[_after(auto, a)] for a in range(3)] == ["paper", "scissors", "rock"]


@pytest.mark.parametrize("game", ["prisoners_dilemma", "bach_or_stravinsky"])
def test_pd_and_bos_tit_for_tat_copy_your_last_move(game):
    g = load_game(game)
    auto = tit_for_tat(g).bind(g)
    assert [_after(auto, a) for a in range(2)] == [0, 1]
    assert int(np.argmax(auto.policy(auto.start))) == 0


def test_copy_rule_needs_equal_action_sets():
    from activeq import NormalFormGame

    g = NormalFormGame.bimatrix(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ProbeError, match="equal action sets"):
        tit_for_tat(rule="copy").bind(g)
