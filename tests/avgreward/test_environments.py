"""Environments the regret experiments run in: cell-observed rooms (hidden task) and switching task MDPs."""

from __future__ import annotations

import numpy as np
import pytest

from activeq.avgreward import solve_average_reward
from activeq.avgreward.environments import ENVIRONMENTS
from activeq.avgreward.learners import MDPEnvironment, SwitchingEnvironment, make_learner, run
from activeq.errors import ArgumentError
from activeq.games import StochasticGame
from activeq.games.generators.scalable import RoomsLayout, rooms_mdp


def test_cell_observed_rooms_hide_the_task_and_charge_the_full_mdp_gain():
    env = ENVIRONMENTS["rooms_cells"](rooms=4, length=3, switching="cycles")
    full = rooms_mdp(4, 3, "cycles")
    cells = RoomsLayout(4, 3).n_cells
    assert (env.num_states, env.num_actions) == (cells, 4)
    g = solve_average_reward(full).gain
    rng = np.random.default_rng(0)
    s = env.reset(rng)
    for _ in range(300):
        assert s == env.hidden % cells and 0 <= s < cells
        assert env.optimal_gain() == pytest.approx(g[env.hidden])
        _, s = env.step(int(rng.integers(4)), rng)


def test_the_full_mdp_optimal_policy_earns_the_charged_gain_in_the_cell_view():
    """An oracle that knows the hidden task and plays the full MDP's optimal policy earns the charged optimal
    gain on average (so cell-view regret is measured against an achievable target), while a random walk earns
    far less."""
    env = ENVIRONMENTS["rooms_cells"](rooms=4, length=3, switching="random")
    sol = solve_average_reward(env.mdp)
    rng = np.random.default_rng(1)
    env.reset(rng)
    T = 60_000
    oracle = sum(env.step(int(sol.policy[env.hidden]), rng)[0] for _ in range(T)) / T
    env.reset(rng)
    walk = sum(env.step(int(rng.integers(4)), rng)[0] for _ in range(T)) / T
    assert oracle == pytest.approx(env.optimal_gain(), abs=0.01)
    assert walk < 0.5 * env.optimal_gain()


def test_cell_observed_runs_checkpoint_and_resume_the_hidden_state(tmp_path):
    env = ENVIRONMENTS["rooms_cells"](rooms=4, length=2)
    whole = run(make_learner("rho_on", env.num_states, 4), env, 3000, seed=5, progress=False)
    env2 = ENVIRONMENTS["rooms_cells"](rooms=4, length=2)
    ck = tmp_path / "ck.json"
    run(make_learner("rho_on", env2.num_states, 4), env2, 3000, seed=5, progress=False, checkpoint=ck,
        checkpoint_every=1000, stop_after=1700)
    env3 = ENVIRONMENTS["rooms_cells"](rooms=4, length=2)
    resumed = run(make_learner("rho_on", env3.num_states, 4), env3, 3000, seed=5, progress=False, checkpoint=ck,
                  checkpoint_every=1000)
    np.testing.assert_array_equal(resumed.rewards, whole.rewards)
    np.testing.assert_array_equal(resumed.optimal_gains, whole.optimal_gains)


def test_observation_map_is_validated():
    mdp = StochasticGame.mdp(np.zeros((3, 2)), np.full((3, 2, 3), 1 / 3))
    with pytest.raises(ArgumentError, match="observation"):
        MDPEnvironment(mdp, observation=[0, 1])
    with pytest.raises(ArgumentError, match="observation"):
        MDPEnvironment(mdp, observation=[0.0, 1.0, 1.0])
    with pytest.raises(ArgumentError, match="non-negative"):
        MDPEnvironment(mdp, observation=[0, -1, 1])
    assert MDPEnvironment(mdp, observation=[0, 1, 1]).num_states == 2


def test_switching_tasks_collect_the_reward_at_the_switch_state_before_switching():
    """Two one-state-reward tasks on a deterministic 2-cycle: acting at task k's goal pays 1, then the task
    switches, so the agent is paid at every visit of the active goal (reward 1 at every step of this 2-cycle)."""
    T = np.zeros((2, 1, 2))
    T[0, 0, 1] = T[1, 0, 0] = 1.0
    tasks = [StochasticGame.mdp(np.array([[1.0], [0.0]]), T), StochasticGame.mdp(np.array([[0.0], [1.0]]), T)]
    env = SwitchingEnvironment(tasks, switch_states=[[0], [1]], switching="cycles", start=0)
    rng = np.random.default_rng(0)
    env.reset(rng)
    rewards = [env.step(0, rng)[0] for _ in range(6)]
    assert rewards == [1.0] * 6
    assert env.task == 0
