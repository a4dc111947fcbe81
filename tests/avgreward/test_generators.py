"""Scalable MDP generators: geometry, closed-form optimal gains (no slip), catalog registration, chain fixtures."""

import numpy as np
import pytest

from activeq.avgreward import gain_bias, mixing_time, solve_average_reward, stationary_distribution
from activeq.errors import ArgumentError, GameError
from activeq.games import StochasticGame
from activeq.games.generators import generate
from activeq.games.generators.scalable import (RoomsLayout, complete_graph, cycle_tasks, hypercube, lazy_cycle,
                                               lazy_path, rooms_mdp, switch_matrix)


@pytest.mark.parametrize("rooms, length", [(1, 3), (2, 4), (4, 3), (5, 2), (9, 3)])
def test_layout_rooms_joined_only_by_doors(rooms, length):
    L = RoomsLayout(rooms, length)
    D = L.distances()
    assert np.isfinite(D).all()  # every cell reachable from every cell
    room = L.coords[:, 0]
    cross = room[:, None] != room[L.next_cell]
    # crossings happen only from door cells, and each adjacent pair of rooms has one door each way
    cols = L.columns
    pairs = {(q, q + 1) for q in range(rooms) if (q % cols) + 1 < cols and q + 1 < rooms}
    pairs |= {(q, q + cols) for q in range(rooms) if q + cols < rooms}
    assert cross.sum() == 2 * len(pairs)
    # transitions: rows sum to 1, intended move gets 1 - slip + slip / 4 from an interior cell
    T = L.cell_transitions
    np.testing.assert_allclose(np.asarray(T.sum(axis=1)).ravel(), 1.0)
    if length >= 3:
        c = L.cell(0, 1, 1)
        assert T[c * 4 + 3, L.cell(0, 1, 2)] == pytest.approx(0.95 + 0.05 / 4)


def renewal_gain(rooms, length, switching):
    """Closed form without slip, by renewal-reward over the task chain: the step at goal k pays 1 and moves the
    agent *before* it sees the next task, so the time to the next reward is
    tau_k = min_a sum_k' Q[k, k'] (1 + dist(next(g_k, a), g_k')), and the gain is 1 / (nu . tau)."""
    L = RoomsLayout(rooms, length, slip=0.0)
    D = L.distances()
    Q = switch_matrix(rooms, switching)
    nu = stationary_distribution(Q)
    tau = np.array([min(Q[k] @ (1 + D[L.next_cell[L.goals[k], a], L.goals]) for a in range(4))
                    for k in range(rooms)])
    return 1.0 / float(nu @ tau)


@pytest.mark.parametrize("switching", ["cycles", "random", "curricular"])
@pytest.mark.parametrize("rooms, length", [(4, 3), (3, 4), (6, 2)])
def test_rooms_optimal_gain_closed_form_without_slip(rooms, length, switching):
    m = rooms_mdp(rooms, length, switching, slip=0.0)
    sol = solve_average_reward(m)
    assert sol.scalar_gain == pytest.approx(renewal_gain(rooms, length, switching), rel=1e-9)
    if switching == "random" and rooms == 4:
        rvi = solve_average_reward(m, "relative_value_iteration", tol=1e-10)
        assert rvi.scalar_gain == pytest.approx(sol.scalar_gain, abs=1e-8)


def test_slip_costs_gain_and_catalog_game_matches_sparse():
    game = generate("bottleneck_rooms", rooms=4, length=3, switching="random")
    assert isinstance(game, StochasticGame) and game.is_mdp and game.num_actions == (4,)
    assert game.num_states == 4 * 4 * 9 and game.initial.sum() == pytest.approx(1)
    g_dense = solve_average_reward(game).scalar_gain
    g_sparse = solve_average_reward(rooms_mdp(4, 3, "random")).scalar_gain
    assert g_dense == pytest.approx(g_sparse, rel=1e-12)
    assert g_dense < renewal_gain(4, 3, "random")  # 5% slip can only hurt
    with pytest.raises(GameError, match="rooms_mdp"):
        generate("bottleneck_rooms", rooms=16, length=5)


def test_sixteen_rooms_sparse_solve():
    m = rooms_mdp(16, 3, "cycles", slip=0.0)
    assert m.num_states == 16 * 16 * 9
    sol = solve_average_reward(m)
    assert sol.scalar_gain == pytest.approx(renewal_gain(16, 3, "cycles"), rel=1e-9)


def test_cycle_tasks_phase_clock_closed_form():
    ct = cycle_tasks(rooms=4, length=3, x=2.0, slip=0.0)
    P = ct.period
    assert P == 18
    assert ct.task_at(0) == 0 and ct.task_at(P) == 1 and ct.task_at(4 * P) == 0
    np.testing.assert_array_equal(ct.task_at(np.array([P - 1, 2 * P, 3 * P + 5])), [0, 2, 3])
    L = ct.layout
    D = L.distances()[np.ix_(L.goals, L.goals)]
    d = np.array([D[(k - 1) % 4, k] for k in range(4)])
    sol = solve_average_reward(ct.as_mdp())
    # sitting at the goal pays every step; each switch costs the walk to the next goal minus the paid last step
    assert sol.scalar_gain == pytest.approx((P - d + 1).sum() / (4 * P), rel=1e-9)
    assert solve_average_reward(ct.task_mdp(2)).scalar_gain == pytest.approx(1.0)


def test_chain_fixtures_known_mixing():
    for n in (8, 33):
        np.testing.assert_allclose(stationary_distribution(lazy_cycle(n)), 1 / n)
        np.testing.assert_allclose(stationary_distribution(lazy_path(n)), 1 / n)
    ts = [mixing_time(lazy_path(n)).t for n in (16, 32, 64)]
    slope = np.polyfit(np.log([16, 32, 64]), np.log(ts), 1)[0]
    assert abs(slope - 2) < 0.1
    assert mixing_time(complete_graph(30)).t == 1
    # hypercube: vertex-transitive, so one start is exact; t_mix grows like (1/2) d log d
    t = [mixing_time(hypercube(d), starts=[0], dense_limit=1).t for d in (3, 6, 9)]
    assert t[0] < t[1] < t[2] and t[2] <= 2 * 0.5 * 9 * np.log(9) + 9
    assert gain_bias(hypercube(3), np.arange(8.0)).scalar_gain == pytest.approx(3.5)


def test_bad_parameters():
    with pytest.raises(ArgumentError, match="switching"):
        rooms_mdp(4, 3, "sometimes")
    with pytest.raises(ArgumentError, match="slip"):
        rooms_mdp(4, 3, slip=1.5)
    with pytest.raises(ArgumentError, match="rooms"):
        RoomsLayout(0, 3)
    with pytest.raises(ArgumentError, match="task"):
        RoomsLayout(4, 3).task_rewards(4)


def test_catalog_entries_load_and_match_the_generator():
    from activeq.games.catalog import load_game

    game = load_game("rooms_4x3")
    assert game.num_states == 144 and game.action_names == (("up", "down", "left", "right"),)
    direct = solve_average_reward(rooms_mdp(4, 3, "cycles")).scalar_gain
    assert solve_average_reward(game).scalar_gain == pytest.approx(direct, rel=1e-12)
