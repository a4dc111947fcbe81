"""NormalFormGame: payoffs of mixed profiles against brute-force sums, constructors, properties, bad input."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq import NormalFormGame
from activeq.errors import GameError


@st.composite
def games_and_profiles(draw, max_players=4, max_actions=4):
    n = draw(st.integers(1, max_players))
    shape = tuple(draw(st.lists(st.integers(1, max_actions), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    payoffs = rng.normal(size=(n, *shape)) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    # mixtures, sometimes with exact zeros (pure or partial supports)
    profile = []
    for k in shape:
        x = rng.exponential(size=k) * (rng.random(k) < 0.7)
        if x.sum() == 0:
            x[rng.integers(k)] = 1.0
        profile.append(x / x.sum())
    return NormalFormGame(payoffs), profile


def brute_expected(game, profile):
    total = np.zeros(game.num_players)
    for joint in itertools.product(*[range(k) for k in game.num_actions]):
        prob = np.prod([profile[j][a] for j, a in enumerate(joint)])
        total += prob * game.payoffs[(slice(None),) + joint]
    return total


def brute_deviation(game, profile, i):
    out = np.zeros(game.num_actions[i])
    for joint in itertools.product(*[range(k) for k in game.num_actions]):
        prob = np.prod([profile[j][a] for j, a in enumerate(joint) if j != i])
        out[joint[i]] += prob * game.payoffs[(i,) + joint]
    return out


@settings(max_examples=60, deadline=None)
@given(games_and_profiles())
def test_expected_payoffs_equal_brute_force_sum(gp):
    game, profile = gp
    scale = max(1.0, np.abs(game.payoffs).max())
    np.testing.assert_allclose(game.expected_payoffs(profile), brute_expected(game, profile), rtol=1e-9,
                               atol=1e-12 * scale)


@settings(max_examples=60, deadline=None)
@given(games_and_profiles())
def test_deviation_payoffs_equal_brute_force_and_average_to_expected(gp):
    game, profile = gp
    scale = max(1.0, np.abs(game.payoffs).max())
    expected = game.expected_payoffs(profile)
    for i in range(game.num_players):
        dev = game.deviation_payoffs(profile, i)
        np.testing.assert_allclose(dev, brute_deviation(game, profile, i), rtol=1e-9, atol=1e-12 * scale)
        # u_i(x) = sum_a x_i(a) u_i(a, x_-i)
        assert dev @ profile[i] == pytest.approx(expected[i], rel=1e-9, abs=1e-12 * scale)
        best = game.best_responses(profile, i)
        assert np.all(dev[best] >= dev.max() - 1e-9)
        assert set(range(game.num_actions[i])) - set(best.tolist()) == {a for a in range(len(dev))
                                                                         if dev[a] < dev.max() - 1e-9}


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_is_symmetric_matches_definition(n, k, seed):
    """u_i(a) = f(a_i, multiset of the others' actions) gives a symmetric game; perturbing one entry breaks it."""
    rng = np.random.default_rng(seed)
    table = {}
    payoffs = np.zeros((n, *([k] * n)))
    for joint in itertools.product(range(k), repeat=n):
        for i in range(n):
            key = (joint[i], tuple(sorted(joint[:i] + joint[i + 1:])))
            if key not in table:
                table[key] = rng.normal()
            payoffs[(i,) + joint] = table[key]
    assert NormalFormGame(payoffs).is_symmetric
    if k > 1:
        bad = payoffs.copy()
        bad[(0,) + (0,) * (n - 1) + (1,)] += 1.0
        assert not NormalFormGame(bad).is_symmetric


def test_constructors_and_properties():
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    pd = NormalFormGame.symmetric(A, action_names=[["C", "D"], ["C", "D"]], name="pd")
    np.testing.assert_array_equal(pd.payoff_matrix(1), A.T)
    assert pd.is_symmetric and not pd.is_zero_sum
    assert pd.num_players == 2 and pd.num_actions == (2, 2)
    zs = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    assert zs.is_zero_sum and zs.is_constant_sum
    assert NormalFormGame.bimatrix([[1, 2]], [[3, 4]]).num_actions == (1, 2)
    assert NormalFormGame.bimatrix(A, A.T) == pd  # equality is by payoffs
    assert hash(NormalFormGame.bimatrix(A, A.T)) == hash(pd)
    text = repr(pd)
    assert "pd" in text and "3, 3" in text and "5, 0" in text
    with pytest.raises(ValueError):
        pd.payoffs[0, 0, 0] = 9.0  # read-only
    d = pd.to_dict()
    assert d["actions"] == [["C", "D"], ["C", "D"]] and d["payoffs"][0] == A.tolist()


def test_three_player_table_lists_every_joint_action():
    g = NormalFormGame(np.arange(24, dtype=float).reshape(3, 2, 2, 2))
    lines = g.table().splitlines()
    assert len(lines) == 1 + 8


@pytest.mark.parametrize("payoffs, words", [
    ([[1.0, np.nan], [0.0, 1.0]], ["finite"]),
    (np.ones((2, 2, 2, 2)), ["n_players", "shape"]),
    (np.ones(3), ["shape"]),
    (np.ones((2, 0, 2)), ["at least one action"]),
    ([[1, 2], [3]], ["array of numbers"]),
    ([[["a"]]], ["payoffs"]),
])
def test_malformed_payoffs_raise_game_error_with_reason(payoffs, words):
    with pytest.raises(GameError) as info:
        NormalFormGame(payoffs)
    assert "payoffs" in str(info.value)
    for w in words:
        assert w in str(info.value)


def test_malformed_names_and_profiles():
    with pytest.raises(GameError, match="action_names"):
        NormalFormGame(np.zeros((2, 2, 2)), action_names=[["a", "b"], ["c"]])
    with pytest.raises(GameError, match="distinct"):
        NormalFormGame(np.zeros((2, 2, 2)), player_names=["x", "x"])
    with pytest.raises(GameError, match="shape"):
        NormalFormGame.bimatrix(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(GameError, match="square"):
        NormalFormGame.symmetric(np.zeros((2, 3)))
    g = NormalFormGame.zero_sum(np.eye(2))
    with pytest.raises(GameError, match="sum to 1"):
        g.expected_payoffs([[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(GameError, match="one strategy per player"):
        g.expected_payoffs([[0.5, 0.5]])
    with pytest.raises(GameError, match="2 entries"):
        g.expected_payoffs([[1.0], [0.5, 0.5]])
    with pytest.raises(GameError, match="non-negative"):
        g.expected_payoffs([[1.5, -0.5], [0.5, 0.5]])
    with pytest.raises(GameError, match="player"):
        g.deviation_payoffs([[1, 0], [0, 1]], 2)
