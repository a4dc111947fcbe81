"""Round trips with real peer-library objects: Gambit .nfg (both versions, vs pygambit), OpenSpiel, nashpy."""

import itertools

import nashpy
import numpy as np
import pygambit
import pyspiel
import pytest

from activeq import NormalFormGame, list_games, load_game
from activeq.errors import InteropError
from activeq.games.interop import from_nashpy, from_pyspiel, read_nfg, to_nashpy, to_nfg, to_pyspiel, write_nfg

NORMAL_FORM = [e.name for e in list_games() if e.kind == "normal_form"]


def random_games():
    rng = np.random.default_rng(7)
    yield NormalFormGame(rng.normal(size=(2, 3, 4)), name="rand2", title="random 3x4")
    yield NormalFormGame(rng.normal(size=(3, 2, 3, 2)) * 1e-7, title='tiny "payoffs"')
    yield NormalFormGame(np.array([[[1 / 3, 0.1], [1e300, -2.5]], [[0.0, 7.0], [1e-20, 3.0]]]), title="awkward floats")
    yield NormalFormGame(rng.integers(-5, 5, size=(4, 2, 2, 2, 2)).astype(float), title="four players")


GAMES = [load_game(n) for n in NORMAL_FORM] + list(random_games())
IDS = NORMAL_FORM + ["rand2", "tiny", "awkward", "four"]


def gambit_arrays(g):
    return np.stack([np.asarray(a, dtype=float) for a in g.to_arrays()])


@pytest.mark.parametrize("fmt", ["outcome", "payoff"])
@pytest.mark.parametrize("game", GAMES, ids=IDS)
def test_nfg_round_trip_through_pygambit(tmp_path, game, fmt):
    path = write_nfg(game, tmp_path / "g.nfg", fmt)
    assert read_nfg(path) == game  # our reader reads our writer exactly
    theirs = pygambit.read_nfg(str(path))
    np.testing.assert_array_equal(gambit_arrays(theirs), game.payoffs)
    assert [p.label for p in theirs.players] == list(game.player_names)
    assert [[s.label for s in p.strategies] for p in theirs.players] == [list(a) for a in game.action_names]
    assert theirs.title == (game.title or game.name or "")
    back = read_nfg(theirs.to_nfg(), text=True)  # pygambit's writer, our reader
    assert back == game and back.action_names == game.action_names and back.player_names == game.player_names


def test_nfg_payoff_version_with_counts_and_rationals_matches_pygambit(tmp_path):
    text = ('NFG 1 R "counts header" { "Player 1" "Player 2" } { 3 2 }\n"a comment"\n\n'
            "1 1 0 2 0 2 1 1 0 3 2 0\n")
    ours = read_nfg(text, text=True)
    path = tmp_path / "c.nfg"
    path.write_text(text)
    np.testing.assert_array_equal(ours.payoffs, gambit_arrays(pygambit.read_nfg(str(path))))
    assert ours.payoffs[:, 1, 0].tolist() == [0, 2] and ours.description == "a comment"
    assert ours.action_names == (("1", "2", "3"), ("1", "2"))
    half = read_nfg('NFG 1 R "" { "A" "B" } { 1 1 } 1/2 -3/4', text=True)
    assert half.payoffs.ravel().tolist() == [0.5, -0.75]
    # outcome version with a null outcome (index 0) and shared outcomes
    out = read_nfg('NFG 1 R "o" { "A" "B" } { { "x" "y" } { "z" } } "" '
                   '{ { "win" 1, -1 } { "draw" 0.5, 0.5 } } 2 0', text=True)
    assert out.payoffs[:, 0, 0].tolist() == [0.5, 0.5] and out.payoffs[:, 1, 0].tolist() == [0, 0]


def test_loading_an_nfg_path_with_load_game(tmp_path):
    game = load_game("shapley_game")
    path = write_nfg(game, tmp_path / "shapley.nfg", "payoff")
    assert load_game(path) == game and load_game(str(path)).title == game.title


@pytest.mark.parametrize("text, words", [
    ('NFG 1 R "t" { "A" "B" } { 2 2 } 1 2 3', ["end of file", "payoff"]),
    ('EFG 2 R "t" { "A" }', ["NFG"]),
    ('NFG 1 R "t" { "A" "B" } { 2 }', ["2 players", "strategy counts"]),
    ('NFG 1 R "t" { "A" "B" } { 1 1 } { { "" 1, 2 } } 3', ["outcome 3", "only 1"]),
    ('NFG 1 R "t" { "A" "B" } { 1 1 } { { "" 1 } } 1', ["outcome 1 has 1 payoffs"]),
    ('NFG 1 R "t" { "A" "B" } { 1 1 } 1 x', ["must be a number", "'x'"]),
    ('NFG 1 R "t" { "A" "B" } { 1 1 } 1 2 3', ["trailing"]),
])
def test_malformed_nfg_raises_interop_error(text, words):
    with pytest.raises(InteropError) as info:
        read_nfg(text, text=True)
    for w in words:
        assert w in str(info.value), str(info.value)


def test_nfg_bad_arguments(tmp_path):
    with pytest.raises(InteropError, match="cannot read"):
        read_nfg(tmp_path / "missing.nfg")
    with pytest.raises(InteropError, match="fmt"):
        to_nfg(load_game("chicken"), "xml")
    with pytest.raises(InteropError, match="NormalFormGame"):
        to_nfg(load_game("big_match"))


def pyspiel_payoffs(g, shape):
    """Payoffs read by playing every joint action through OpenSpiel's own state machinery."""
    out = np.zeros((len(shape), *shape))
    for joint in itertools.product(*[range(k) for k in shape]):
        state = g.new_initial_state()
        state.apply_actions(list(joint))
        assert state.is_terminal()
        out[(slice(None),) + joint] = state.returns()
    return out


@pytest.mark.parametrize("game", GAMES, ids=IDS)
def test_pyspiel_round_trip(game):
    g = to_pyspiel(game)
    assert isinstance(g, pyspiel.MatrixGame if game.num_players == 2 else pyspiel.TensorGame)
    assert g.num_players() == game.num_players
    np.testing.assert_array_equal(pyspiel_payoffs(g, game.num_actions), game.payoffs)
    state = g.new_initial_state()
    for i, names in enumerate(game.action_names):
        assert [state.action_to_string(i, a) for a in range(len(names))] == list(names)
    back = from_pyspiel(g)
    assert back == game and back.action_names == game.action_names


def test_from_pyspiel_builtin_games():
    pd = from_pyspiel(pyspiel.load_game("matrix_pd"))
    np.testing.assert_array_equal(pd.payoffs, pyspiel_payoffs(pyspiel.load_game("matrix_pd"), (2, 2)))
    assert pd.payoffs[0].tolist() == [[5, 0], [10, 1]] and pd.action_names[0] == ("Cooperate", "Defect")
    assert pd.name == "matrix_pd"
    rps = from_pyspiel(pyspiel.load_game("matrix_rps"))
    assert rps.is_zero_sum and rps.num_actions == (3, 3)
    # a general one-shot simultaneous game (not a MatrixGame): enumerated through its states
    blotto_spiel = pyspiel.load_game("blotto", {"coins": 4, "fields": 3})
    blotto = from_pyspiel(blotto_spiel)
    assert blotto.num_actions == (15, 15) and blotto.is_zero_sum
    np.testing.assert_array_equal(blotto.payoffs, pyspiel_payoffs(blotto_spiel, (15, 15)))
    # sequential games must be converted explicitly
    with pytest.raises(InteropError, match="extensive_to_tensor_game"):
        from_pyspiel(pyspiel.load_game("kuhn_poker"))
    kuhn = from_pyspiel(pyspiel.extensive_to_tensor_game(pyspiel.load_game("kuhn_poker")))
    assert kuhn.num_players == 2 and kuhn.is_zero_sum
    with pytest.raises(InteropError, match="pyspiel.Game"):
        from_pyspiel(np.eye(2))


def test_nashpy_round_trip_and_equilibria():
    bos = load_game("bach_or_stravinsky")
    ng = to_nashpy(bos)
    assert isinstance(ng, nashpy.Game)
    np.testing.assert_array_equal(ng.payoff_matrices[0], bos.payoffs[0])
    back = from_nashpy(ng, action_names=bos.action_names)
    assert back == bos and back.action_names == bos.action_names
    eqs = list(ng.support_enumeration())
    assert len(eqs) == 3
    for x, y in eqs:  # nashpy's equilibria are equilibria of our game too
        for i, s in enumerate((x, y)):
            dev = bos.deviation_payoffs([x, y], i)
            assert dev.max() <= dev @ s + 1e-9
    ours = from_nashpy(nashpy.Game(np.array([[1, -1], [-1, 1]])))  # zero-sum constructor
    assert ours.is_zero_sum
    with pytest.raises(InteropError, match="two-player"):
        to_nashpy(load_game("three_player_matching_pennies"))
    with pytest.raises(InteropError, match="nashpy.Game"):
        from_nashpy(object())
