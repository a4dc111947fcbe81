import pytest

from activeq import load_game
from activeq.errors import ArgumentTypeError, ProbeError
from activeq.tom.partners import single_action

RPS = load_game("rock_paper_scissors")


def test_single_action_always_plays_its_action():
    p = single_action(2).bind(RPS)
    assert p.num_states == 1 and p.policy(0).tolist() == [0, 0, 1]
    assert all(p.next_state(0, a, b) == 0 for a in range(3) for b in range(3))


def test_single_action_rejects_actions_the_game_lacks():
    with pytest.raises(ProbeError, match="3 actions"):
        single_action(3).bind(RPS)
    with pytest.raises(ArgumentTypeError):
        single_action(1.5)
