"""The realtime iterated game: a slow thinker loses reward to a fast learner as its inference time grows."""

from __future__ import annotations

import pytest

from activeq.active import QPersona
from activeq.errors import RealtimeError
from activeq.realtime.game import realtime_game


def test_slow_thinker_action_rate_and_reward_fall_with_tau_theta():
    res = realtime_game("matching_pennies", delays=(1, 8), steps=240, seeds=4, seed=0)
    fast_play, slow_play = res.rows
    assert fast_play.action_rate == pytest.approx(239 / 240)
    assert slow_play.action_rate == pytest.approx(29 / 240)
    # acting every step the uniform policy cannot be exploited (value 0); repeating one action for 8 steps can
    assert abs(fast_play.slow_reward) < 0.1
    assert slow_play.slow_reward < -0.15
    assert slow_play.slow_reward < fast_play.slow_reward - 2 * max(slow_play.slow_ci, fast_play.slow_ci, 0.02)
    assert "slow action rate" in res.table()


def test_learner_must_fit_the_action_space():
    with pytest.raises(RealtimeError, match="learner 1 .* does not fit agent 'column'"):
        realtime_game("matching_pennies", fast=QPersona(initial_q=(0.0, 0.0, 0.0)), delays=(1,), steps=10, seeds=1)
    with pytest.raises(RealtimeError, match="two players"):
        realtime_game("three_player_matching_pennies", delays=(1,), steps=10, seeds=1)


def test_check_agent_space():
    from gymnasium import spaces

    from activeq.realtime.game import check_agent_space
    check_agent_space(3, spaces.Discrete(3), "agent")
    with pytest.raises(RealtimeError, match="agent has 2 actions but its action space in the env is Discrete"):
        check_agent_space(2, spaces.Discrete(3), "agent")
