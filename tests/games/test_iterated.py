"""IteratedGame: memory-k state encoding, deterministic history transitions, stage rewards everywhere."""

import itertools

import numpy as np
import pytest

from activeq import IteratedGame, NormalFormGame, load_game
from activeq.errors import ArgumentError, GameError


def test_memory_one_on_2x2_has_five_states_and_follows_the_last_joint_action():
    stage = load_game("prisoners_dilemma")
    game = IteratedGame(stage)
    assert game.num_states == 5 and game.state_names[0] == "start"
    assert game.initial.tolist() == [1, 0, 0, 0, 0]
    for s in range(5):
        np.testing.assert_array_equal(game.rewards[s], stage.payoffs)
        for a1, a2 in itertools.product(range(2), range(2)):
            nxt = game.state_of([(a1, a2)])
            assert game.transitions[s, a1, a2, nxt] == 1.0
            assert game.history_of(nxt) == (game.joint_index((a1, a2)),)
    assert game.state_names[game.state_of([(0, 1)])] == "(cooperate,defect)"
    assert game.name == "iterated_prisoners_dilemma"


@pytest.mark.parametrize("shape, memory", [((2, 2), 2), ((3, 2), 2), ((2, 2, 2), 1), ((2, 3), 3)])
def test_histories_round_trip_and_shift(shape, memory):
    rng = np.random.default_rng(1)
    stage = NormalFormGame(rng.normal(size=(len(shape), *shape)))
    game = IteratedGame(stage, memory=memory)
    m = int(np.prod(shape))
    assert game.num_states == sum(m ** j for j in range(memory + 1))
    for s in range(game.num_states):
        hist = game.history_of(s)
        assert game.state_of(list(hist)) == s
        for joint in itertools.product(*[range(k) for k in shape]):
            a = game.joint_index(joint)
            want = game.state_of(list(hist) + [a])
            assert game.history_of(want) == (hist + (a,))[-memory:]
            row = game.transitions[(s,) + joint]
            assert row[want] == 1.0 and row.sum() == 1.0


def test_iterated_game_errors():
    stage = load_game("matching_pennies")
    with pytest.raises(GameError, match="NormalFormGame"):
        IteratedGame(np.eye(2))
    with pytest.raises(ArgumentError, match="memory"):
        IteratedGame(stage, memory=0)
    with pytest.raises(GameError, match="at most 200000"):
        IteratedGame(NormalFormGame(np.zeros((2, 10, 10))), memory=3)
    game = IteratedGame(stage, memory=1, discount=0.95)
    assert game.discount == 0.95
    with pytest.raises(GameError, match="joint actions"):
        game.state_of([7])
    with pytest.raises(GameError, match="state"):
        game.history_of(99)
