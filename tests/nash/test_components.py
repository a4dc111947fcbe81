"""Equilibrium components (maximal Nash subsets) of 2-player games, checked against Gambit and brute force."""

from __future__ import annotations

import itertools
from importlib import resources

import numpy as np
import pytest

import activeq
from activeq import nash
from activeq.errors import ArgumentError, SolverError
from activeq.games.interop import read_nfg
from activeq.nash.components import maximal_bicliques

from ._reference import gambit_extreme, same_set


def brute_force_bicliques(comp: nash.Components) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every maximal biclique by trying every subset of player 1's extreme strategies (independent of the module)."""
    n = len(comp.row_points)
    edges = set(comp.edges)
    found = set()
    for k in range(1, n + 1):
        for left in itertools.combinations(range(n), k):
            right = tuple(j for j in range(len(comp.column_points)) if all((i, j) in edges for i in left))
            if not right:
                continue
            closure = tuple(i for i in range(n) if all((i, j) in edges for j in right))
            if closure == left:
                found.add((left, right))
    return found


def check_components(game: activeq.NormalFormGame, rng: np.random.Generator) -> nash.Components:
    comp = nash.components(game)
    A, B = game.payoffs
    ours = [eq.strategies for eq in comp.extreme]
    assert same_set(ours, gambit_extreme(A, B)), (ours, gambit_extreme(A, B))
    assert {(s.row_index, s.column_index) for s in comp.subsets} == brute_force_bicliques(comp)
    for s in comp.subsets:  # every mix inside a maximal subset is an equilibrium
        for _ in range(3):
            x, y = s.profile(rng.dirichlet(np.ones(len(s.row))), rng.dirichlet(np.ones(len(s.column))))
            assert nash.is_nash(game, [x, y], tol=1e-9)
    # every extreme equilibrium is in some subset; the connected components partition the subsets
    assert {e for s in comp.subsets for e in itertools.product(s.row_index, s.column_index)} == set(comp.edges)
    assert sorted(k for c in comp.connected for k in c) == list(range(len(comp.subsets)))
    return comp


def test_von_stengel_degenerate_example_has_a_segment_component():
    """von Stengel (2002, Handbook of Game Theory 3, Fig. 2.3 game): {x=(1,0,0)} x [(1,0), (2/3,1/3)] and one
    isolated equilibrium ((0,1/3,2/3), (1/3,2/3))."""
    game = activeq.NormalFormGame.bimatrix([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]])
    comp = check_components(game, np.random.default_rng(0))
    assert len(comp.subsets) == 2 and len(comp.connected) == 2 and comp.is_degenerate_set
    segment = next(s for s in comp.subsets if not s.is_isolated)
    np.testing.assert_allclose(segment.row[0], [1, 0, 0])
    assert same_set([(c,) for c in segment.column], [(np.array([1.0, 0.0]),), (np.array([2 / 3, 1 / 3]),)])
    assert segment.dimension == (0, 1)
    point = next(s for s in comp.subsets if s.is_isolated)
    np.testing.assert_allclose(point.row[0], [0, 1 / 3, 2 / 3], atol=1e-12)
    np.testing.assert_allclose(point.column[0], [1 / 3, 2 / 3], atol=1e-12)


def test_a_game_of_all_ties_is_one_square_component():
    game = activeq.NormalFormGame.bimatrix(np.zeros((2, 3)), np.zeros((2, 3)))
    comp = check_components(game, np.random.default_rng(1))
    assert len(comp.extreme) == 6 and len(comp.subsets) == 1 and comp.subsets[0].dimension == (1, 2)


def test_two_touching_segments_form_one_connected_component():
    """Column indifferent everywhere, row has a tie against column action 1: (T, [0,1]) and the segment
    {T..B mixes} x {y: y_1 = 1}? Here: A = [[1, 0], [0, 0]], B = 0. Equilibria: (T, any y) and (any x, R)."""
    game = activeq.NormalFormGame.bimatrix([[1, 0], [0, 0]], [[0, 0], [0, 0]])
    comp = check_components(game, np.random.default_rng(2))
    assert len(comp.subsets) == 2 and len(comp.connected) == 1
    assert sorted(s.dimension for s in comp.subsets) == [(0, 1), (1, 0)]


def test_nondegenerate_game_has_only_isolated_equilibria():
    comp = check_components(activeq.load_game("bach_or_stravinsky"), np.random.default_rng(3))
    assert len(comp.subsets) == len(comp.extreme) == 3 and not comp.is_degenerate_set
    assert [s.row_index for s in comp.subsets] == sorted(s.row_index for s in comp.subsets)


@pytest.mark.parametrize("seed", range(12))
def test_random_degenerate_integer_games_match_gambit(seed):
    rng = np.random.default_rng(seed)
    m, n = rng.integers(2, 5, size=2)
    A, B = rng.integers(0, 3, size=(2, m, n))
    check_components(activeq.NormalFormGame.bimatrix(A, B), rng)


def _gambit_catalog_nfg() -> list:
    root = resources.files("pygambit") / "catalog_data"
    return sorted(str(p) for p in _walk(root) if str(p).endswith(".nfg"))


def _walk(node):
    for child in node.iterdir():
        if child.is_dir():
            yield from _walk(child)
        else:
            yield child


def test_gambits_own_two_player_nfg_files():
    """The .nfg files pygambit ships in its catalog (Gambit's own test material); the 2-player ones."""
    files = _gambit_catalog_nfg()
    assert files, "pygambit ships no .nfg files"
    checked = 0
    for path in files:
        game = read_nfg(path)
        if game.num_players != 2:
            continue
        check_components(game, np.random.default_rng(4))
        checked += 1
    assert checked >= 2


def test_components_rejects_other_games():
    with pytest.raises(SolverError, match="2-player"):
        nash.components(activeq.load_game("three_player_matching_pennies"))
    with pytest.raises(SolverError, match="NormalFormGame"):
        nash.components(np.zeros((2, 2, 2)))
    comp = nash.components(activeq.load_game("matching_pennies"))
    with pytest.raises(ArgumentError, match="row_weights"):
        comp.subsets[0].profile([0.5, 0.5])


def test_maximal_bicliques_of_a_known_graph():
    # left 0 -- right {0, 1}; left 1 -- right {1, 2}; left 2 -- right {1}
    edges = ((0, 0), (0, 1), (1, 1), (1, 2), (2, 1))
    got = maximal_bicliques(3, 3, edges)
    assert got == [((0,), (0, 1)), ((0, 1, 2), (1,)), ((1,), (1, 2))]


def test_docstring_example_runs():
    import doctest
    import importlib

    module = importlib.import_module("activeq.nash.components")  # the attribute nash.components is the function
    result = doctest.testmod(module, verbose=False)
    assert result.attempted >= 4 and result.failed == 0
