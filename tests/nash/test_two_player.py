"""2-player methods against independent references: Gambit's exact enumeration, OpenSpiel's LP, brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from activeq.games import NormalFormGame
from activeq.nash import METHODS, is_nash, solve
from activeq.nash.lemke_howson import lemke_howson_path
from activeq.nash.pure import pure_equilibria
from activeq.nash.vertex import extreme_equilibria
from activeq.nash.zerosum import solve_matrix_game

from ._reference import brute_force_pure, gambit_extreme, same_set


def pairs(equilibria):
    return [tuple(eq.strategies) for eq in equilibria]


# --- vertex enumeration == Gambit enummixed (exact, rational) -----------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 2), (2, 5), (3, 3), (4, 3), (5, 5), (6, 6), (7, 5), (8, 8)])
def test_vertex_equals_gambit_on_nondegenerate_games(shape):
    """Wide integer ranges make the games nondegenerate (this exercises the one-polytope fast path)."""
    rng = np.random.default_rng(sum(shape))
    reps = 1 if shape == (8, 8) else 3
    for _ in range(reps):
        A = rng.integers(-1000, 1001, shape).astype(float)
        B = rng.integers(-1000, 1001, shape).astype(float)
        game = NormalFormGame.bimatrix(A, B)
        ours = pairs(solve(game, "vertex"))
        assert same_set(ours, gambit_extreme(A, B)), (A, B)


@pytest.mark.parametrize("seed", range(6))
def test_vertex_equals_gambit_on_degenerate_games(seed):
    """Payoffs in {-2..2} (or {0, 1}): many ties, equilibrium components, vertices with extra labels."""
    rng = np.random.default_rng(100 + seed)
    for _ in range(4):
        m, n = rng.integers(2, 7, 2)
        hi = 1 if seed % 2 else 2
        A = rng.integers(-hi if hi > 1 else 0, hi + 1, (m, n)).astype(float)
        B = rng.integers(-hi if hi > 1 else 0, hi + 1, (m, n)).astype(float)
        ours = extreme_equilibria(A, B)
        assert same_set(ours, gambit_extreme(A, B)), (A.tolist(), B.tolist())


def test_vertex_on_a_fully_degenerate_game():
    """Constant payoffs: every profile is an equilibrium; the extreme ones are all pure profiles."""
    game = NormalFormGame.bimatrix(np.zeros((3, 2)), np.zeros((3, 2)))
    eqs = solve(game, "vertex")
    assert len(eqs) == 6 and all(eq.is_pure for eq in eqs)


def test_vertex_one_action_players():
    game = NormalFormGame.bimatrix([[1.0, 3.0, 2.0]], [[0.0, 2.0, 2.0]])
    ours = pairs(solve(game, "vertex"))
    assert same_set(ours, gambit_extreme([[1, 3, 2]], [[0, 2, 2]]))


# --- known degenerate cases from nashpy's issue tracker (regressions) ---------------------------------------------
NASHPY_CASES = {
    # drvinceknight/Nashpy#82: minimisers, 8 equilibria listed; support enumeration found 5
    "issue82": (-np.array([[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]),
                -np.array([[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]])),
    # Nashpy#41 and #39: zero-sum 4x4 games where equal-size supports find nothing
    "issue41": (np.array([[0, -1, 1, 1], [1, 0, -1, -1], [-1, 1, 0, -1], [-1, 1, 1, 0]]), None),
    "issue39": (np.array([[0, 1, 0, -1], [-1, 0, 1, 1], [0, -1, 0, 1], [1, -1, -1, 0]]), None),
    # Nashpy#222: a component {(p, 1-p)} x {(1, 0)} for p in [0, 2/7]; both ends are extreme equilibria
    "issue222": (np.array([[-3, 3], [-3, 5]]), np.array([[2, 7], [4, 2]])),
    # Nashpy#231: 6x6 zero-sum, four best responses to the first column
    "issue231": (np.array([[0, -1, -1, -1, 1, -1], [1, 0, 1, -1, -1, -1], [1, -1, 0, -1, -1, 1],
                           [1, 1, 1, 0, -1, -1], [-1, 1, 1, 1, 0, -1], [1, 1, -1, 1, 1, 0]]), None),
}


@pytest.mark.parametrize("case", sorted(NASHPY_CASES))
def test_nashpy_degenerate_regressions(case):
    A, B = NASHPY_CASES[case]
    B = -A if B is None else B
    game = NormalFormGame.bimatrix(A, B)
    ours = pairs(solve(game, "vertex"))
    assert same_set(ours, gambit_extreme(A, B))
    assert all(is_nash(game, p, tol=1e-12) for p in ours)


def test_nashpy_issue82_listed_equilibria_are_found():
    A, B = NASHPY_CASES["issue82"]
    ours = pairs(solve(NormalFormGame.bimatrix(A, B), "vertex"))
    listed = [([1, 0, 0], [0, 1, 0, 0, 0]), ([1, 0, 0], [0, 0, 0, 0, 1]), ([2 / 3, 1 / 3, 0], [0, 1, 0, 0, 0]),
              ([1 / 3, 1 / 2, 1 / 6], [0, 4 / 9, 2 / 9, 1 / 3, 0]), ([0, 1 / 2, 1 / 2], [0, 1 / 2, 1 / 2, 0, 0]),
              ([0, 1, 0], [3 / 7, 0, 4 / 7, 0, 0]), ([0, 1, 0], [1, 0, 0, 0, 0]), ([0, 1, 0], [3 / 8, 0, 1 / 4, 3 / 8, 0])]
    for x, y in listed:
        assert any(np.allclose(x, a, atol=1e-9) and np.allclose(y, b, atol=1e-9) for a, b in ours), (x, y)


def test_nashpy_issue222_component_ends():
    A, B = NASHPY_CASES["issue222"]
    ours = pairs(solve(NormalFormGame.bimatrix(A, B), "vertex"))
    assert same_set(ours, [(np.array([0.0, 1.0]), np.array([1.0, 0.0])),
                           (np.array([2 / 7, 5 / 7]), np.array([1.0, 0.0]))])


# --- support enumeration -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 3), (4, 5), (6, 6)])
def test_support_equals_vertex_on_nondegenerate_games(shape):
    rng = np.random.default_rng(7 + shape[1])
    for _ in range(3):
        game = NormalFormGame.bimatrix(rng.normal(size=shape), rng.normal(size=shape))
        assert same_set(pairs(solve(game, "support")), pairs(solve(game, "vertex")))


def test_support_keeps_supports_rejected_by_round_off():
    """Continuous random payoffs: nashpy's support enumeration drops some of these equilibria (its ``>= 0`` test
    on floats); we must find exactly the vertex set, checked against Gambit's floating-point enumeration too."""
    rng = np.random.default_rng(2024)
    for _ in range(5):
        A, B = rng.random((6, 6)), rng.random((6, 6))
        ours = pairs(solve(NormalFormGame.bimatrix(A, B), "support"))
        assert same_set(ours, gambit_extreme(A, B, rational=False), atol=1e-6)


# --- Lemke-Howson ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_lemke_howson_labels_subset_of_vertex_set(seed):
    rng = np.random.default_rng(300 + seed)
    for degenerate in (False, True):
        m, n = rng.integers(2, 7, 2)
        hi = 2 if degenerate else 1000
        A = rng.integers(-hi, hi + 1, (m, n)).astype(float)
        B = rng.integers(-hi, hi + 1, (m, n)).astype(float)
        game = NormalFormGame.bimatrix(A, B)
        vertex_set = pairs(solve(game, "vertex"))
        lh = solve(game, "lemke-howson", all=True)
        assert lh and all(is_nash(game, eq.strategies, tol=1e-9) for eq in lh)
        for eq in lh:
            assert any(all(np.allclose(p, q, atol=1e-7) for p, q in zip(eq.strategies, v)) for v in vertex_set)


def test_lemke_howson_large_game_single_path():
    rng = np.random.default_rng(5)
    A, B = rng.random((60, 60)), rng.random((60, 60))
    x, y, pivots = lemke_howson_path(A, B, label=0)
    assert pivots > 0 and is_nash(NormalFormGame.bimatrix(A, B), (x, y), tol=1e-9)


def test_lemke_howson_degenerate_game_does_not_cycle():
    """Many ties in the ratio test (constant columns): the lexicographic rule still terminates on every label."""
    A = np.array([[1, 1, 1], [1, 1, 1], [0, 2, 1]], float)
    B = np.array([[1, 1, 0], [1, 1, 0], [1, 1, 1]], float)
    game = NormalFormGame.bimatrix(A, B)
    for label in range(6):
        eq = solve(game, "lemke-howson", label=label)
        assert is_nash(game, eq[0].strategies, tol=1e-9)


# --- zero-sum LP vs OpenSpiel ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 2), (3, 5), (7, 4), (12, 12), (70, 60)])
def test_lp_value_equals_openspiel(shape):
    import pyspiel
    from open_spiel.python.algorithms import lp_solver

    rng = np.random.default_rng(shape[0] * 31 + shape[1])
    A = rng.normal(size=shape)
    sol = solve_matrix_game(A)
    _, _, v0, v1 = lp_solver.solve_zero_sum_matrix_game(pyspiel.create_matrix_game(A.tolist(), (-A).tolist()))
    assert sol.value == pytest.approx(v0, abs=1e-6) and sol.value == pytest.approx(-v1, abs=1e-6)
    game = NormalFormGame.zero_sum(A)
    eq = solve(game, "lp")[0]
    assert eq.max_regret <= 1e-9 and eq.payoffs[0] == pytest.approx(sol.value, abs=1e-12)
    assert eq.info["value"] == pytest.approx(sol.value)


@pytest.mark.parametrize("engine", ["ipm", "highs"])
def test_lp_engines_agree_and_certify(engine):
    """The dense interior-point engine (exact crossover) and HiGHS give the same value, both certified to 1e-12,
    on continuous and on degenerate integer games, tall and wide."""
    rng = np.random.default_rng(17)
    for shape, integer in [((60, 60), False), ((80, 50), False), ((40, 90), True), ((60, 60), True)]:
        A = rng.integers(-2, 3, shape).astype(float) if integer else rng.normal(size=shape)
        ref = solve_matrix_game(A, "highs").value
        sol = solve_matrix_game(A, engine)
        assert sol.value == pytest.approx(ref, abs=1e-9)
        game = NormalFormGame.zero_sum(A)
        assert is_nash(game, (sol.row, sol.column), tol=1e-12)


def test_lp_constant_sum_game():
    """Constant-sum (A + B = 3): same equilibrium as the zero-sum game A; the column player gets 3 - value."""
    A = np.array([[3.0, 0.0], [1.0, 2.0]])
    eq = solve(NormalFormGame.bimatrix(A, 3.0 - A), "lp")[0]
    np.testing.assert_allclose(eq.strategies[0], [0.25, 0.75])
    np.testing.assert_allclose(eq.strategies[1], [0.5, 0.5])
    np.testing.assert_allclose(eq.payoffs, [1.5, 1.5])


def test_lp_matches_vertex_value_on_zero_sum_games():
    rng = np.random.default_rng(11)
    for _ in range(5):
        A = rng.integers(-3, 4, (4, 5)).astype(float)
        value = solve_matrix_game(A).value
        assert all(eq.payoffs[0] == pytest.approx(value, abs=1e-9) for eq in solve(NormalFormGame.zero_sum(A)))


# --- pure equilibria ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (3, 3, 2, 2)])
def test_pure_equals_brute_force(shape):
    rng = np.random.default_rng(len(shape))
    for _ in range(5):
        payoffs = rng.integers(0, 3, (len(shape), *shape)).astype(float)
        game = NormalFormGame(payoffs)
        found = {eq.info["actions"] for eq in pure_equilibria(game)}
        assert found == brute_force_pure(payoffs)


def test_pure_subset_of_vertex_set():
    rng = np.random.default_rng(9)
    A, B = rng.integers(0, 3, (5, 5)).astype(float), rng.integers(0, 3, (5, 5)).astype(float)
    game = NormalFormGame.bimatrix(A, B)
    pure = [eq for eq in solve(game, "pure")]
    vertex_pure = [eq for eq in solve(game, "vertex") if eq.is_pure]
    assert same_set(pairs(pure), pairs(vertex_pure))


# --- property: everything returned is a Nash equilibrium ---------------------------------------------------------
games = st.tuples(st.integers(1, 5), st.integers(1, 5)).flatmap(
    lambda s: arrays(np.float64, (2, *s), elements=st.floats(-10, 10, allow_nan=False, width=32)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payoffs=games, rounded=st.booleans())
def test_every_returned_profile_is_nash(payoffs, rounded):
    if rounded:  # integer payoffs: degenerate games are common
        payoffs = np.round(payoffs / 4)
    game = NormalFormGame(payoffs)
    for method in ("vertex", "support", "lemke-howson", "pure"):
        for eq in solve(game, method):
            assert is_nash(game, eq.strategies, tol=1e-9), (method, eq)
    assert solve(game, "vertex"), "every finite game has an equilibrium"
    if game.is_constant_sum:
        assert is_nash(game, solve(game, "lp")[0].strategies, tol=1e-9)


def test_methods_registered():
    for name in ("pure", "support", "vertex", "lemke-howson", "lp"):
        assert name in METHODS
    assert METHODS["vertex"].complete and METHODS["pure"].complete


# --- the degenerate-safe path and the pure-numpy fallback ---------------------------------------------------------
def test_numpy_fallback_without_numba_matches_gambit(monkeypatch):
    """Without the numba kernels the general path (both polytopes, label matching, numpy partner solves) runs."""
    from activeq.nash import vertex

    monkeypatch.setattr(vertex, "_KERNELS", {"facet_equilibria": None, "partners": None, "polar_points": None})
    rng = np.random.default_rng(77)
    for shape, hi in [((4, 4), 1000), ((5, 6), 1000), ((5, 5), 2), ((6, 4), 1)]:
        A = rng.integers(-hi, hi + 1, shape).astype(float)
        B = rng.integers(-hi, hi + 1, shape).astype(float)
        assert same_set(extreme_equilibria(A, B), gambit_extreme(A, B)), (A.tolist(), B.tolist())


def test_polytope_engines_agree():
    """Qhull's polar hull and brute-force basis enumeration give the same vertices and labels."""
    from activeq.nash.polytope import label_keys, vertices

    rng = np.random.default_rng(8)
    for hi in (1000, 1):
        B1 = 1.0 + rng.integers(0, hi + 1, (5, 5)) / hi
        G = np.vstack([-np.eye(5), B1.T])
        h = np.r_[np.zeros(5), np.ones(5)]
        c = np.full(5, 0.5 / B1.sum(axis=0).max())
        hull, brute = vertices(G, h, c, engine="hull"), vertices(G, h, c, engine="brute")
        assert sorted(map(tuple, label_keys(hull.tight))) == sorted(map(tuple, label_keys(brute.tight)))
