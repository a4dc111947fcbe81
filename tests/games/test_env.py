"""ParallelGameEnv: PettingZoo's API and seed tests on every env kind, and its dynamics against the game arrays."""

import warnings

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

from activeq import IteratedGame, StochasticGame, load_game
from activeq.errors import ArgumentError, ArgumentTypeError
from activeq.games.env import ParallelGameEnv, absorbing_zero_states


def masked_game():
    """A 3-state game where player 0 may not use action 2 in state 1 and player 1 only has action 0 in state 2."""
    rng = np.random.default_rng(3)
    R = rng.normal(size=(3, 2, 3, 2))
    T = rng.dirichlet(np.ones(3), size=(3, 3, 2))
    legal = [np.array([[1, 1, 1], [1, 1, 0], [1, 1, 1]], bool), np.array([[1, 1], [1, 1], [1, 0]], bool)]
    return StochasticGame(R, T, discount=0.9, legal_actions=legal, player_names=["alice", "bob"])


KINDS = {
    "repeated": lambda: load_game("bach_or_stravinsky"),
    "repeated_3p": lambda: load_game("three_player_matching_pennies"),
    "iterated": lambda: IteratedGame(load_game("prisoners_dilemma")),
    "iterated_memory2": lambda: IteratedGame(load_game("matching_pennies"), memory=2),
    "stochastic_grid": lambda: load_game("grid_game_2"),
    "stochastic_big_match": lambda: load_game("big_match"),
    "stochastic_masked": masked_game,
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_pettingzoo_parallel_api_and_seed_tests(kind):
    make = KINDS[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PettingZoo reports API problems as warnings: make them failures
        parallel_api_test(ParallelGameEnv(make(), max_steps=30, seed=0), num_cycles=60)
        parallel_seed_test(lambda: ParallelGameEnv(make(), max_steps=30))


def test_observations_are_one_hot_states_and_rewards_follow_the_game():
    game = IteratedGame(load_game("bach_or_stravinsky"))
    env = ParallelGameEnv(game, max_steps=4, seed=1)
    assert env.kind == "iterated" and env.possible_agents == ["row", "column"]
    obs, infos = env.reset(seed=5)
    np.testing.assert_array_equal(obs["row"], np.eye(5, dtype=np.float32)[0])  # the start state
    assert obs["row"].dtype == np.float32 and env.observation_space("row").contains(obs["row"])
    plays = [(0, 0), (1, 0), (1, 1), (0, 1)]
    for t, (a, b) in enumerate(plays):
        obs, rew, term, trunc, info = env.step({"row": a, "column": np.int64(b)})
        state = game.state_of([(a, b)])
        assert info["row"]["state"] == state == env.state_index
        np.testing.assert_array_equal(obs["column"], np.eye(5, dtype=np.float32)[state])
        np.testing.assert_array_equal(env.state(), obs["row"])
        assert rew == {"row": game.rewards[0, 0, a, b], "column": game.rewards[0, 1, a, b]}
        assert info["column"]["joint_action"] == (a, b)
        assert not any(term.values()) and all(trunc.values()) == (t == len(plays) - 1)
    assert env.agents == []
    with pytest.raises(ArgumentError, match="reset"):
        env.step({"row": 0, "column": 0})


def test_repeated_play_has_a_constant_observation():
    env = ParallelGameEnv(load_game("chicken"), max_steps=2)
    obs, _ = env.reset(seed=0)
    assert env.kind == "repeated" and obs["row"].tolist() == [1.0]
    _, rew, *_ = env.step({"row": 1, "column": 1})
    assert rew == {"row": -10.0, "column": -10.0}


def test_grid_game_episode_terminates_at_the_goal():
    game = load_game("grid_game_1")
    env = ParallelGameEnv(game, seed=0)
    assert set(absorbing_zero_states(game)) == {s for s in range(81) if s // 9 == 8 or s % 9 == 6}
    env.reset()
    L, R, U, D = range(4)
    plan = [(U, L), (R, L), (R, U), (U, U)]  # P1: 0 3 4 5 8; P2: 2 1 0 3 6 (non-colliding shortest paths)
    total = np.zeros(2)
    for k, (a, b) in enumerate(plan):
        obs, rew, term, trunc, info = env.step({"P1": a, "P2": b})
        total += [rew["P1"], rew["P2"]]
        assert all(term.values()) == (k == 3) and not any(trunc.values())
    assert total.tolist() == [100.0, 100.0] and info["P1"]["state"] == 8 * 9 + 6 and env.agents == []


def test_transition_frequencies_match_the_game():
    """Sampled next states follow game.transitions: grid game 2, both agents try the barrier (1/4 per outcome)."""
    game = load_game("grid_game_2")
    env = ParallelGameEnv(game, max_steps=1, seed=11)
    counts = np.zeros(game.num_states)
    for _ in range(4000):
        env.reset()
        _, _, _, _, info = env.step({"P1": 2, "P2": 2})  # both try the barrier
        counts[info["P1"]["state"]] += 1
    freq = counts / counts.sum()
    expected = game.transitions[2, 2, 2]
    assert np.abs(freq - expected).max() < 0.03  # 4000 draws: standard error ~0.007 per cell


def test_masks_and_bad_actions():
    env = ParallelGameEnv(masked_game(), max_steps=10, seed=2)
    obs, infos = env.reset()
    assert set(obs["alice"]) == {"observation", "action_mask"}
    np.testing.assert_array_equal(infos["bob"]["action_mask"], env.game.legal_actions[1][env.state_index])
    env2 = ParallelGameEnv(load_game("stag_hunt"), seed=0)
    env2.reset()
    with pytest.raises(ArgumentError, match="missing \\['column'\\]"):
        env2.step({"row": 0})
    with pytest.raises(ArgumentError, match=r"actions\['row'\] must be in \[0, 2\)"):
        env2.step({"row": 2, "column": 0})
    with pytest.raises(ArgumentTypeError, match="int"):
        env2.step({"row": 0.5, "column": 0})
    with pytest.raises(ArgumentTypeError, match="NormalFormGame or StochasticGame"):
        ParallelGameEnv(np.eye(2))
    with pytest.raises(ArgumentError, match="max_steps"):
        ParallelGameEnv(load_game("stag_hunt"), max_steps=0)
    with pytest.raises(ArgumentError, match="terminal_states"):
        ParallelGameEnv(load_game("big_match"), terminal_states=[7])
    # illegal action in the current state
    env.reset(seed=0)
    while env.state_index != 1:
        env.step({"alice": 0, "bob": 0})
        if not env.agents:
            env.reset()
    with pytest.raises(ArgumentError, match="illegal"):
        env.step({"alice": 2, "bob": 0})


def test_same_seed_same_trajectory_and_render():
    def run(seed):
        env = ParallelGameEnv(load_game("grid_game_2"), max_steps=25, seed=seed, render_mode="ansi")
        env.reset()
        states = []
        rng = np.random.default_rng(0)
        while env.agents:
            _, _, _, _, info = env.step({a: int(rng.integers(4)) for a in env.agents})
            states.append(info["P1"]["state"])
        return states, env.render()

    assert run(4) == run(4)
    assert run(4)[0] != run(5)[0] or run(4)[0] != run(6)[0]
    assert run(4)[1].startswith("step ")


def test_reset_into_a_chosen_state():
    game = load_game("grid_game_1")
    env = ParallelGameEnv(game, seed=0)
    obs, info = env.reset(options={"state": "(7,3)"})
    assert info["P1"]["state"] == 7 * 9 + 3 and obs["P2"][7 * 9 + 3] == 1.0
    _, rew, term, _, _ = env.step({"P1": 1, "P2": 2})  # P1 right into its goal 8, P2 up into its goal 6
    assert rew == {"P1": 100.0, "P2": 100.0} and all(term.values())
    env.reset(options={"state": 5})
    assert env.state_index == 5
    with pytest.raises(ArgumentError, match="options\\['state'\\]"):
        env.reset(options={"state": 81})
    with pytest.raises(ArgumentError, match="reset"):
        env.step({"P1": 0, "P2": 0})
