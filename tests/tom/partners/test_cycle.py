import pytest

from activeq import load_game
from activeq.errors import ProbeError
from activeq.tom.partners import cycle


def test_cycle_repeats_its_sequence_whatever_the_agent_does():
    auto = cycle([0, 2]).bind(load_game("rock_paper_scissors"))
    q, seen = auto.start, []
    for a in [1, 0, 2, 2, 1]:
        seen.append(int(auto.policy(q).argmax()))
        q = auto.next_state(q, a, 0)
    assert seen == [0, 2, 0, 2, 0]


def test_cycle_rejects_bad_sequences():
    with pytest.raises(ProbeError):
        cycle([])
    with pytest.raises(ProbeError):
        cycle([0, 3]).bind(load_game("rock_paper_scissors"))
