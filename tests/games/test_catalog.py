"""The TOML catalog: every file loads and says what it claims; bad files fail naming file and field."""

import itertools
from pathlib import Path

import nashpy
import numpy as np
import pytest

import activeq
from activeq import NormalFormGame, StochasticGame, list_games, load_game
from activeq.errors import CatalogError, GameError
from activeq.games.catalog import catalog_dir, catalog_entry

REQUIRED_GAMES = {
    "prisoners_dilemma", "prisoners_dilemma_shaping", "bach_or_stravinsky", "cooperative", "matching_pennies",
    "rock_paper_scissors", "stag_hunt", "chicken", "coordination", "shapley_game", "three_player_matching_pennies",
    "grid_game_1", "grid_game_2", "big_match",
}
CATALOG_FILES = sorted(p.stem for p in catalog_dir().glob("*.toml"))


def test_catalog_lists_every_file_and_the_required_games():
    entries = list_games()
    assert [e.name for e in entries] == CATALOG_FILES
    assert REQUIRED_GAMES <= set(CATALOG_FILES)
    assert activeq.load_game is load_game and activeq.list_games is list_games


@pytest.mark.parametrize("name", CATALOG_FILES)
def test_every_catalog_file_loads_and_matches_its_metadata(name):
    entry = catalog_entry(name)
    game = load_game(name)
    assert entry.name == name == game.name and game.title == entry.title
    assert entry.reference.strip() and entry.description.strip()
    assert isinstance(game, NormalFormGame if entry.kind == "normal_form" else StochasticGame)
    assert tuple(game.player_names) == entry.players
    assert tuple(tuple(a) for a in game.action_names) == entry.actions
    assert tuple(game.num_actions) == tuple(len(a) for a in entry.actions)


def profile_payoffs(game, *actions):
    return game.payoffs[(slice(None),) + tuple(actions)].tolist()


def test_classic_payoffs():
    pd = load_game("prisoners_dilemma")
    assert profile_payoffs(pd, 0, 0) == [3, 3] and profile_payoffs(pd, 1, 0) == [5, 0]
    assert profile_payoffs(pd, 0, 1) == [0, 5] and profile_payoffs(pd, 1, 1) == [1, 1]
    shaping = load_game("prisoners_dilemma_shaping")
    row = shaping.payoffs[0]
    assert [row[1, 1], row[1, 0], row[0, 1], row[0, 0]] == [-0.5, 1.5, -1.5, 0.5]  # [P, T, S, R]
    assert shaping.is_symmetric and pd.is_symmetric
    # the LOLA payoffs (-1, -3, 0, -2) shifted by a constant 1.5
    np.testing.assert_allclose(shaping.payoffs - 1.5, [[[-1, -3], [0, -2]], [[-1, 0], [-3, -2]]])
    bos = load_game("bach_or_stravinsky")
    np.testing.assert_array_equal(bos.payoffs, [[[2, 0], [0, 1]], [[1, 0], [0, 2]]])
    coop = load_game("cooperative")
    np.testing.assert_array_equal(coop.payoffs, [[[4, 0], [0, 8]]] * 2)
    for zero_sum in ("matching_pennies", "rock_paper_scissors"):
        assert load_game(zero_sum).is_zero_sum


def nashpy_equilibria(game):
    eqs = list(nashpy.Game(game.payoffs[0], game.payoffs[1]).vertex_enumeration())
    return sorted((tuple(np.round(x, 9)), tuple(np.round(y, 9))) for x, y in eqs)


@pytest.mark.parametrize("name, expected", [
    ("bach_or_stravinsky", [((0, 1), (0, 1)), ((2 / 3, 1 / 3), (1 / 3, 2 / 3)), ((1, 0), (1, 0))]),
    ("cooperative", [((0, 1), (0, 1)), ((2 / 3, 1 / 3), (2 / 3, 1 / 3)), ((1, 0), (1, 0))]),
    ("stag_hunt", [((0, 1), (0, 1)), ((2 / 3, 1 / 3), (2 / 3, 1 / 3)), ((1, 0), (1, 0))]),
    ("chicken", [((0, 1), (1, 0)), ((0.9, 0.1), (0.9, 0.1)), ((1, 0), (0, 1))]),
    ("coordination", [((0, 1), (0, 1)), ((0.5, 0.5), (0.5, 0.5)), ((1, 0), (1, 0))]),
    ("matching_pennies", [((0.5, 0.5), (0.5, 0.5))]),
    ("prisoners_dilemma", [((0, 1), (0, 1))]),
    ("prisoners_dilemma_shaping", [((0, 1), (0, 1))]),
    ("rock_paper_scissors", [((1 / 3,) * 3, (1 / 3,) * 3)]),
    ("shapley_game", [((1 / 3,) * 3, (1 / 3,) * 3)]),
])
def test_documented_equilibria_match_nashpy(name, expected):
    """The equilibria each description states are exactly the ones nashpy's vertex enumeration finds."""
    found = nashpy_equilibria(load_game(name))
    want = sorted((tuple(np.round(x, 9)), tuple(np.round(y, 9))) for x, y in expected)
    assert len(found) == len(want)
    for (fx, fy), (wx, wy) in zip(found, want):
        np.testing.assert_allclose(fx, wx, atol=1e-8)
        np.testing.assert_allclose(fy, wy, atol=1e-8)


def test_three_player_matching_pennies_has_only_the_uniform_equilibrium_among_pure_and_uniform():
    game = load_game("three_player_matching_pennies")
    uniform = [np.full(2, 0.5)] * 3
    for i in range(3):
        dev = game.deviation_payoffs(uniform, i)
        assert dev[0] == pytest.approx(dev[1])
    for joint in itertools.product(range(2), repeat=3):  # no pure equilibrium: someone always wants to switch
        pure = [np.eye(2)[a] for a in joint]
        assert any(game.deviation_payoffs(pure, i).max() > game.payoffs[(i,) + joint] for i in range(3))


def test_unknown_name_lists_close_matches():
    with pytest.raises(CatalogError, match="did you mean prisoners_dilemma"):
        load_game("prisoners_dilema")
    with pytest.raises(CatalogError, match="matching_pennies"):
        load_game("pennies")
    with pytest.raises(CatalogError, match="activeq games"):
        load_game("zzzzzz")
    with pytest.raises(CatalogError, match="no game file"):
        load_game("missing/dir/game.toml")
    with pytest.raises(CatalogError, match="no game file"):
        load_game("not_in_catalog.toml")
    assert load_game("stag_hunt.toml") == load_game("stag_hunt")  # a catalog file name works too
    assert issubclass(CatalogError, GameError) and issubclass(CatalogError, ValueError)


GOOD = '''
name = "{name}"
title = "t"
description = "d"
reference = "r"
players = ["a", "b"]
actions = [["x", "y"], ["x", "y"]]
[payoffs]
a = [[1, 2], [3, 4]]
b = [[5, 6], [7, 8]]
'''


def write(tmp_path, text, name="g"):
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace("{name}", name))
    return path


def test_file_paths_load(tmp_path):
    game = load_game(write(tmp_path, GOOD))
    np.testing.assert_array_equal(game.payoffs[1], [[5, 6], [7, 8]])
    assert load_game(str(write(tmp_path, GOOD))) == game


def test_inline_stochastic_game(tmp_path):
    text = '''
name = "tiny"
title = "tiny"
description = "two-state MDP-like game"
reference = "test"
players = ["a", "b"]
actions = [["x"], ["u", "v"]]
states = ["s0", "s1"]
discount = 0.5
initial = [1, 0]
transitions = [[[[0, 1], [1, 0]]], [[[0, 1], [0, 1]]]]
[rewards]
a = [[[1, 2]], [[0, 0]]]
b = [[[-1, -2]], [[0, 0]]]
'''
    game = load_game(write(tmp_path, text, "tiny"))
    assert isinstance(game, StochasticGame) and game.discount == 0.5 and game.is_zero_sum
    assert game.rewards.shape == (2, 2, 1, 2) and game.rewards[0, 1, 0, 1] == -2
    assert catalog_entry(tmp_path / "tiny.toml").kind == "stochastic"


@pytest.mark.parametrize("edit, words", [
    (lambda t: t.replace('title = "t"', 'title = "t'), ["invalid TOML"]),
    (lambda t: t.replace('reference = "r"\n', ""), ["missing required field 'reference'"]),
    (lambda t: t.replace('name = "g"', 'name = "other"'), ["'name'", "file name"]),
    (lambda t: t.replace("b = [[5, 6], [7, 8]]", "b = [[5, 6]]"), ["'payoffs'", "shape"]),
    (lambda t: t.replace("b = [[5, 6], [7, 8]]", "c = [[5, 6], [7, 8]]"), ["'payoffs'", "missing ['b']"]),
    (lambda t: t.replace("b = [[5, 6], [7, 8]]", "b = [[5, 6], [7]]"), ["payoffs.b", "rectangular"]),
    (lambda t: t.replace("b = [[5, 6], [7, 8]]", "b = [[5, nan], [7, 8]]"), ["finite"]),
    (lambda t: t.replace('actions = [["x", "y"], ["x", "y"]]', 'actions = [["x", "y"]]'), ["'actions'", "one list per player"]),
    (lambda t: t.replace('players = ["a", "b"]', 'players = ["a", "a"]'), ["'players'", "duplicate"]),
    (lambda t: t.replace("[payoffs]", 'colour = "red"\n[payoffs]'), ["unknown field", "colour"]),
    (lambda t: t + 'colour = [[1, 1], [1, 1]]\n', ["'payoffs'", "unexpected ['colour']"]),
    (lambda t: t.replace("[payoffs]", 'kind = "stochastic"\n[payoffs]'), ["'kind'"]),
    (lambda t: t.split("[payoffs]")[0] + 'generator = "grid_gme"\n', ["'generator'", "grid_game"]),
    (lambda t: t.split("[payoffs]")[0], ["needs exactly one of"]),
])
def test_bad_files_raise_catalog_error_naming_file_and_field(tmp_path, edit, words):
    path = write(tmp_path, edit(GOOD.replace("{name}", "g")))
    with pytest.raises(CatalogError) as info:
        load_game(path)
    message = str(info.value)
    assert str(path) in message
    for w in words:
        assert w in message, message


def test_generator_entries_are_checked(tmp_path):
    head = GOOD.split("[payoffs]")[0].replace('players = ["a", "b"]', 'players = ["P1", "P2"]')
    bad_param = head.replace('actions = [["x", "y"], ["x", "y"]]', 'actions = [["top", "bottom"], ["left", "right"]]') \
        + 'generator = "big_match"\n[params]\ndiscont = 0.5\n'
    with pytest.raises(CatalogError, match="unknown parameter.*discont.*accepts discount"):
        load_game(write(tmp_path, bad_param))
    wrong_shape = head + 'generator = "grid_game"\n'
    with pytest.raises(CatalogError, match="generator 'grid_game' built 2 with \\(4, 4\\)"):
        load_game(write(tmp_path, wrong_shape))
    bad_value = bad_param.replace("discont = 0.5", "discount = 1.5")
    with pytest.raises(CatalogError, match="discount"):
        load_game(write(tmp_path, bad_value))


def test_catalog_directory_is_the_repository_games_folder_in_editable_installs():
    root = catalog_dir()
    assert (root / "prisoners_dilemma.toml").is_file()
    assert root == Path(activeq.__file__).resolve().parents[1] / "games" or root.name == "_catalog"
