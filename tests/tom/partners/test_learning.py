"""Learning partners from activeq.active: the finite one is an exact automaton, the Q-learner is planned exactly
over its reachable states (with a clear error past the budget)."""

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ProbeError
from activeq.tom import oracle
from activeq.tom.partners import fictitious_play, q_learner

BOS = load_game("bach_or_stravinsky")


def test_fictitious_play_binds_to_its_window_automaton():
    auto = fictitious_play(2).bind(BOS)
    assert auto.num_states == 4
    # after the agent played stravinsky twice the column player best-responds with stravinsky
    q = auto.next_state(auto.next_state(auto.start, 1, 0), 1, 0)
    assert np.allclose(auto.policy(q), [0, 1])


def test_q_learner_state_follows_the_q_update():
    p = q_learner(epsilon=0.0).bind(BOS)
    assert not p.finite
    assert np.allclose(p.policy(p.start), [0.5, 0.5])  # tied zeros share the mass
    s = p.next_state(p.start, 1, 1)  # column gets 2 for (stravinsky, stravinsky)
    assert np.allclose(p.policy(s), [0.0, 1.0])


def test_q_learner_oracle_over_budget_is_a_clear_error(monkeypatch):
    import sys

    orc = sys.modules["activeq.tom.oracle"]

    monkeypatch.setattr(orc, "MAX_LAYER_STATES", 500)
    with pytest.raises(ProbeError, match="reachable states"):
        oracle(load_game("rock_paper_scissors"), q_learner(), 60)
