"""Generated games: the Big Match against its closed form and an independent Shapley/LP solve; Hu & Wellman's grid
games against hand-derived dynamics and equilibrium values; the generator registry."""

import numpy as np
import pytest
from scipy.optimize import linprog

from activeq import load_game
from activeq.errors import CatalogError
from activeq.games.generators import GENERATORS, generate, register_generator
from activeq.games.generators.grid import state_index
from activeq.games.generators.zero_sum import big_match_solution


# --- independent reference solvers (written here, not taken from the library) -------------------------------
def matrix_game_value(M):
    """Value of the zero-sum matrix game M (row maximises) by the textbook LP."""
    m, n = M.shape
    # variables: x (m), v ; maximise v s.t. M^T x >= v, sum x = 1, x >= 0
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((n, 1))])
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=[[1.0] * m + [0.0]], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    assert res.success
    return res.x[-1]


def zero_sum_values_absorbing(game):
    """Values of a zero-sum game whose states other than one are self-absorbing: for an absorbing state s,
    v_s = val(R_s + g v_s) = val(R_s) / (1 - g); the remaining state's value solves the scalar fixed point
    v = val(R + g T V(v)) (decreasing residual with slope <= g - 1 < 0), found by Brent's method."""
    from scipy.optimize import brentq

    g, S = game.discount, game.num_states
    absorbing = [s for s in range(S) if np.all(game.transitions[s, ..., s] == 1.0)]
    (free,) = [s for s in range(S) if s not in absorbing]
    V = np.zeros(S)
    for s in absorbing:
        V[s] = matrix_game_value(game.rewards[s, 0]) / (1 - g)
    bound = np.abs(game.rewards).max() / (1 - g)

    def residual(v):
        W = V.copy()
        W[free] = v
        return matrix_game_value(game.rewards[free, 0] + g * game.transitions[free] @ W) - v

    V[free] = brentq(residual, -bound - 1, bound + 1, xtol=1e-13, rtol=1e-13)
    return V


def policy_values_for(game, policies, player):
    """Discounted values of ``player`` under a stationary profile, by one linear solve."""
    P = game.transition_matrix(policies)
    r = game.expected_rewards(policies)[:, player]
    return np.linalg.solve(np.eye(game.num_states) - game.discount * P, r)


def best_response_values(game, player, other_policy, iters=4000):
    """Optimal values of ``player`` against the other player's fixed stationary policy (two-player games)."""
    g, S = game.discount, game.num_states
    R = game.rewards[:, player]
    T = game.transitions
    if player == 0:
        r = np.einsum("sab,sb->sa", R, other_policy)
        P = np.einsum("sabt,sb->sat", T, other_policy)
    else:
        r = np.einsum("sab,sa->sb", R, other_policy)
        P = np.einsum("sabt,sa->sbt", T, other_policy)
    V = np.zeros(S)
    for _ in range(iters):
        V_new = (r + g * P @ V).max(axis=1)
        if np.abs(V_new - V).max() < 1e-12:
            break
        V = V_new
    return V_new


# --- Big Match ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("discount", [0.0, 0.5, 0.9, 0.99])
def test_big_match_value_is_one_half_normalised_and_closed_form_strategies_are_optimal(discount):
    game = generate("big_match", discount=discount)
    assert game.is_zero_sum and game.num_states == 3
    sol = big_match_solution(discount)
    V = zero_sum_values_absorbing(game)
    np.testing.assert_allclose(V, sol["values"], rtol=1e-6, atol=1e-9)
    assert (1 - discount) * V[0] == pytest.approx(0.5)
    # the closed-form strategies are a saddle point: neither player gains by any stationary deviation
    p1 = np.array([sol["p1_play"], [1, 0], [1, 0]])
    p2 = np.array([sol["p2_play"], [1, 0], [1, 0]])
    np.testing.assert_allclose(policy_values_for(game, [p1, p2], 0), sol["values"], rtol=1e-9)
    br1 = best_response_values(game, 0, p2)
    br2 = best_response_values(game, 1, p1)
    np.testing.assert_allclose(br1, sol["values"], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(br2, -sol["values"], rtol=1e-7, atol=1e-9)


def test_big_match_catalog_entry_uses_discount_0_9():
    game = load_game("big_match")
    assert game.discount == 0.9 and game.state_names == ("play", "won", "lost")


# --- grid games --------------------------------------------------------------------------------------------
L, R, U, D = range(4)


def test_grid_game_1_dynamics_by_hand():
    game = load_game("grid_game_1")
    assert game.num_states == 81 and game.discount == 0.99
    start = state_index(0, 2)
    assert game.initial[start] == 1.0
    # both head for cell 1: collision, both bounce back and pay 1
    assert game.transitions[start, R, L, start] == 1.0
    np.testing.assert_array_equal(game.rewards[start, :, R, L], [-1, -1])
    # both go up: no interaction
    assert game.transitions[start, U, U, state_index(3, 5)] == 1.0
    np.testing.assert_array_equal(game.rewards[start, :, U, U], [0, 0])
    # off the grid: stay
    assert game.transitions[start, L, R, start] == 1.0
    # P1 one step from its goal 8 (at 7), P2 at 3: P1 arrives (+100), game over (absorbing, zero reward)
    s = state_index(7, 3)
    nxt = state_index(8, 4)
    assert game.transitions[s, R, R, nxt] == 1.0 and game.rewards[s, 0, R, R] == 100 and game.rewards[s, 1, R, R] == 0
    assert np.all(game.transitions[nxt, ..., nxt] == 1.0) and np.all(game.rewards[nxt] == 0)
    # both reach their goals together: both paid
    s = state_index(7, 7 - 4)  # P1 at 7, P2 at 3 -> P2's goal is 6 (up)
    assert game.rewards[s, 1, R, U] == 100 and game.rewards[s, 0, R, U] == 100
    # swapping cells is allowed (no collision)
    s = state_index(3, 4)
    assert game.transitions[s, R, L, state_index(4, 3)] == 1.0 and np.all(game.rewards[s, :, R, L] == 0)
    # moving into the cell of an agent that stays put (bumps a wall) is a collision
    s = state_index(1, 2)
    assert game.transitions[s, R, R, s] == 1.0 and np.all(game.rewards[s, :, R, R] == -1)


def test_grid_game_2_barrier_and_shared_goal():
    game = load_game("grid_game_2")
    start = state_index(0, 2)
    row = game.transitions[start, U, U]
    assert row[state_index(3, 5)] == pytest.approx(0.25) and row[state_index(0, 2)] == pytest.approx(0.25)
    assert row[state_index(3, 2)] == pytest.approx(0.25) and row[state_index(0, 5)] == pytest.approx(0.25)
    # moving up from the centre bottom cell has no barrier (P2 bumps the wall and stays)
    assert game.transitions[state_index(1, 2), U, D, state_index(4, 2)] == 1.0
    # both enter the shared goal 7 together: no collision, both paid
    s = state_index(4, 8)
    assert game.transitions[s, U, L, state_index(7, 7)] == 1.0
    np.testing.assert_array_equal(game.rewards[s, :, U, L], [100, 100])
    # P1 moves right into P2's cell while P2 tries the barrier: they collide exactly when the crossing fails
    s = state_index(1, 2)
    assert game.rewards[s, 0, R, U] == pytest.approx(-0.5) and game.rewards[s, 1, R, U] == pytest.approx(-0.5)


def own_position_policy(game, player, moves):
    """A stationary policy that depends on the player's own cell only; ``moves`` maps cell -> action (default up)."""
    pol = np.zeros((81, 4))
    for s in range(81):
        own = divmod(s, 9)[player]
        pol[s, moves.get(own, U)] = 1.0
    return pol


def test_grid_game_1_non_colliding_shortest_paths_are_an_equilibrium_worth_97_03():
    game = load_game("grid_game_1")
    start = state_index(0, 2)
    # P1: 0 -> 3 -> 4 -> 5 -> 8 and P2: 2 -> 1 -> 0 -> 3 -> 6 never share a cell at the same step
    p1 = own_position_policy(game, 0, {0: U, 3: R, 4: R, 5: U})
    p2 = own_position_policy(game, 1, {2: L, 1: L, 0: U, 3: U})
    values = np.stack([policy_values_for(game, [p1, p2], i) for i in range(2)])
    target = 100 * 0.99 ** 3
    assert values[0, start] == pytest.approx(target) and values[1, start] == pytest.approx(target)
    # nobody can do better from the start: 4 moves is the shortest path to either goal
    assert best_response_values(game, 0, p2)[start] == pytest.approx(target)
    assert best_response_values(game, 1, p1)[start] == pytest.approx(target)


def test_grid_game_2_centre_and_barrier_paths_are_an_equilibrium():
    """P1 takes the centre (0 -> 1 -> 4 -> 7), P2 tries the barrier (2 -> 5 -> 8 -> 7): P1 gets 100*0.99^2 and P2
    half of that (it arrives together with P1 only if its first crossing succeeds); both are best responses."""
    game = load_game("grid_game_2")
    start = state_index(0, 2)
    p1 = own_position_policy(game, 0, {0: R, 1: U, 4: U})
    p2 = own_position_policy(game, 1, {2: U, 5: U, 8: L})
    v1 = policy_values_for(game, [p1, p2], 0)[start]
    v2 = policy_values_for(game, [p1, p2], 1)[start]
    assert v1 == pytest.approx(100 * 0.99 ** 2)
    assert v2 == pytest.approx(0.5 * 100 * 0.99 ** 2)
    assert best_response_values(game, 0, p2)[start] == pytest.approx(v1)
    assert best_response_values(game, 1, p1)[start] == pytest.approx(v2)
    # both taking the centre is not an equilibrium at the start: they collide in cell 1
    p2_centre = own_position_policy(game, 1, {2: L, 1: U, 4: U})
    assert best_response_values(game, 1, p1)[start] > policy_values_for(game, [p1, p2_centre], 1)[start]


def test_grid_game_continuing_variant_restarts():
    game = generate("grid_game", variant=1, episodic=False)
    s = state_index(7, 3)
    assert game.transitions[s, R, R, state_index(0, 2)] == 1.0 and game.rewards[s, 0, R, R] == 100
    with pytest.raises(CatalogError, match="variant"):
        generate("grid_game", variant=3)


# --- registry ----------------------------------------------------------------------------------------------
def test_registry_errors_and_registration():
    assert {"grid_game", "big_match"} <= set(GENERATORS)
    with pytest.raises(CatalogError, match="did you mean grid_game"):
        generate("grid_gam")
    with pytest.raises(CatalogError, match="unknown parameter"):
        generate("big_match", gamma=0.5)
    with pytest.raises(CatalogError, match="kind"):
        register_generator("x", kind="extensive")

    @register_generator("_test_only_generator", kind="normal_form")
    def tiny(size: int = 2):
        from activeq import NormalFormGame
        return NormalFormGame(np.zeros((2, size, size)))

    try:
        assert generate("_test_only_generator", size=3).num_actions == (3, 3)
        assert GENERATORS["_test_only_generator"].parameters == ("size",)
        with pytest.raises(CatalogError, match="already registered"):
            register_generator("_test_only_generator")(lambda: None)
    finally:
        GENERATORS.pop("_test_only_generator", None)
