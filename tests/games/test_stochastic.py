"""StochasticGame: induced chains and rewards against explicit loops, validation of malformed games."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq import StochasticGame
from activeq.errors import GameError


def random_game(rng, S, shape, discount=0.9):
    n = len(shape)
    R = rng.normal(size=(S, n, *shape))
    T = rng.exponential(size=(S, *shape, S)) * (rng.random((S, *shape, S)) < 0.6)
    T[..., 0] += 1e-3  # every row has mass
    T /= T.sum(axis=-1, keepdims=True)
    return StochasticGame(R, T, discount=discount)


def random_policies(rng, S, shape):
    return [rng.dirichlet(np.ones(k), size=S) for k in shape]


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.lists(st.integers(1, 3), min_size=1, max_size=3), st.integers(0, 2**32 - 1))
def test_transition_matrix_and_expected_rewards_equal_loops(S, shape, seed):
    rng = np.random.default_rng(seed)
    game = random_game(rng, S, tuple(shape))
    pols = random_policies(rng, S, shape)
    P = np.zeros((S, S))
    r = np.zeros((S, len(shape)))
    for s in range(S):
        for joint in itertools.product(*[range(k) for k in shape]):
            prob = np.prod([pols[i][s, a] for i, a in enumerate(joint)])
            P[s] += prob * game.transitions[(s,) + joint]
            r[s] += prob * game.rewards[(s, slice(None)) + joint]
    np.testing.assert_allclose(game.transition_matrix(pols), P, atol=1e-12)
    np.testing.assert_allclose(game.expected_rewards(pols), r, atol=1e-12)
    np.testing.assert_allclose(game.transition_matrix(pols).sum(axis=1), 1.0, atol=1e-12)


def test_stage_game_mdp_and_uniform_policies():
    rng = np.random.default_rng(0)
    game = random_game(rng, 3, (2, 3))
    stage = game.stage_game(1)
    np.testing.assert_array_equal(stage.payoffs, game.rewards[1])
    mdp = StochasticGame.mdp(rng.normal(size=(4, 2)), np.full((4, 2, 4), 0.25))
    assert mdp.is_mdp and mdp.num_players == 1 and mdp.num_actions == (2,)
    legal = [np.array([[1, 0], [1, 1], [1, 1]], bool), np.ones((3, 3), bool)]
    masked = StochasticGame(game.rewards, game.transitions, legal_actions=legal)
    pols = masked.uniform_policies()
    np.testing.assert_allclose(pols[0][0], [1.0, 0.0])
    np.testing.assert_allclose(pols[1][2], [1 / 3] * 3)
    assert "3 states" in repr(game) and "discount 0.9" in repr(game)


def test_zero_sum_detection():
    R = np.zeros((2, 2, 2, 2))
    R[:, 0] = [[[1, -1], [0, 2]], [[3, 3], [0, 0]]]
    R[:, 1] = -R[:, 0]
    T = np.full((2, 2, 2, 2), 0.5)
    assert StochasticGame(R, T).is_zero_sum
    R[0, 1, 0, 0] += 0.5
    assert not StochasticGame(R, T).is_zero_sum


GOOD_R = np.zeros((2, 2, 2, 2))
GOOD_T = np.full((2, 2, 2, 2), 0.5)


@pytest.mark.parametrize("kwargs, words", [
    (dict(rewards=np.where(np.eye(2)[None, None] > 0, np.nan, 0.0) + GOOD_R), ["rewards", "finite"]),
    (dict(rewards=np.zeros((2, 2, 2))), ["rewards", "action axes"]),
    (dict(rewards=np.zeros((2, 2))), ["rewards", "shape"]),
    (dict(transitions=np.full((2, 2, 2, 3), 1 / 3)), ["transitions", "shape", "(2, 2, 2, 2)"]),
    (dict(transitions=GOOD_T * 1.1), ["sum to 1", "(0, 0, 0)", "1.1"]),
    (dict(transitions=np.stack([GOOD_T[0], np.tile([[1.5, -0.5]], (2, 2, 1))])), ["non-negative", "-0.5"]),
    (dict(discount=1.0), ["discount", "[0.0, 1.0)"]),
    (dict(discount=-0.1), ["discount"]),
    (dict(discount="high"), ["discount", "real number"]),
    (dict(initial=[0.3, 0.3]), ["initial", "sum to 1"]),
    (dict(state_names=["a"]), ["state_names", "2 entries"]),
    (dict(legal_actions=[np.ones((2, 2), bool), np.array([[1, 1], [0, 0]], bool)]), ["legal_actions[1]", "state 1"]),
    (dict(legal_actions=[np.ones((2, 3), bool), np.ones((2, 2), bool)]), ["legal_actions[0]", "shape"]),
])
def test_malformed_stochastic_games_raise_game_error(kwargs, words):
    args = dict(rewards=GOOD_R, transitions=GOOD_T)
    args.update(kwargs)
    rewards, transitions = args.pop("rewards"), args.pop("transitions")
    with pytest.raises(GameError) as info:
        StochasticGame(rewards, transitions, **args)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_bad_policies_and_states():
    game = StochasticGame(GOOD_R, GOOD_T)
    with pytest.raises(GameError, match="one policy per player"):
        game.transition_matrix([np.full((2, 2), 0.5)])
    with pytest.raises(GameError, match=r"policies\[1\] must have shape \(2, 2\)"):
        game.transition_matrix([np.full((2, 2), 0.5), np.full((3, 2), 0.5)])
    with pytest.raises(GameError, match="probability vector"):
        game.expected_rewards([np.full((2, 2), 0.5), np.array([[0.5, 0.5], [0.9, 0.9]])])
    with pytest.raises(GameError, match="state"):
        game.stage_game(5)
