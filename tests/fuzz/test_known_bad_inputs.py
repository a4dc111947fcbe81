"""Every case of the untrusted-input audit (issue 13) as a regression test: each input gets an activeq error that
names the argument (or the file), quickly and without allocating; inputs once silently accepted are refused."""

import time

import numpy as np
import pytest
import scipy.sparse as sp

import activeq
from activeq import IteratedGame, NormalFormGame, StochasticGame, active, avgreward, limits
from activeq.errors import ActiveqError, ArgumentError, CatalogError, GameError, InteropError, LearnerError, SolverError
from activeq.games.interop.gambit import read_nfg
from activeq.nash import stochastic

PD = NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
HEADER = 'NFG 1 R "x" { "a" "b" } '


def fast(func, *args, seconds=1.0, **kwargs):
    """Call ``func`` and return the activeq error it raises, failing if it takes longer than ``seconds``."""
    t = time.perf_counter()
    with pytest.raises(ActiveqError) as info:
        func(*args, **kwargs)
    assert time.perf_counter() - t < seconds
    return info.value


# --- unbounded allocation ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    (HEADER + "{ 100000 100000 }\n1 2", "100000x100000"),  # 149 GiB before
    ('NFG 1 R "x" { "a" "b" "c" } { 100000000000 100000000000 100000000000 }\n1 2', "100000000000x"),  # 15 s
])
def test_nfg_headers_are_not_believed(text, words):
    assert words in str(fast(read_nfg, text, text=True))


def test_nfg_byte_limit_is_stated_and_overridable():
    text = HEADER + "{ 3 3 }\n" + " ".join(["1"] * 18)
    err = fast(read_nfg, text, text=True, max_bytes=100)
    assert isinstance(err, InteropError) and "above the limit of 100 B (100 bytes)" in str(err)
    assert read_nfg(text, text=True, max_bytes=10**6).num_actions == (3, 3)


@pytest.mark.parametrize("memory", [10**4, 10**5, 10**5000], ids=["1e4", "1e5", "1e5000"])
def test_iterated_game_memory_is_checked_without_big_integers(memory):
    err = fast(IteratedGame, PD, memory=memory)  # 10**5 took 17 s; 10**4 failed formatting its own message
    assert isinstance(err, GameError) and "memory=" in str(err) and "200000" in str(err)


def test_long_memory_iterated_games_are_sparse_and_exact():
    t = time.perf_counter()
    game = IteratedGame(PD, memory=7)  # 21,845 states: a 14.2 GiB dense tensor before
    assert time.perf_counter() - t < 10
    assert game.is_sparse and game.num_states == 21845
    T = game.transitions_sparse
    assert T.shape == (21845 * 4, 21845) and T.nnz == 21845 * 4
    # the successor of every (history, joint action) is the history shifted by one, checked one by one on a sample
    for s in np.random.default_rng(0).integers(0, game.num_states, 50):
        for a in range(4):
            nxt = T[int(s) * 4 + a].indices[0]
            assert game.history_of(int(nxt)) == (game.history_of(int(s)) + (a,))[-7:]
    with pytest.raises(GameError, match=r"dense transitions .* above the limit .*game\.transitions_sparse"):
        game.transitions  # noqa: B018 - the dense form would be 14.2 GiB: refused, with the way out named


def test_sparse_and_dense_iterated_games_agree():
    game = IteratedGame(PD, memory=2)
    dense = StochasticGame(game.rewards, game.transitions)
    pols = [np.random.default_rng(i).dirichlet([1, 1], size=game.num_states) for i in range(2)]
    np.testing.assert_allclose(game.transition_matrix(pols).toarray(), dense.transition_matrix(pols), atol=1e-15)
    np.testing.assert_array_equal(game.transitions_sparse.toarray(), dense.transitions_sparse.toarray())


def test_iterated_game_byte_limit_is_stated():
    err = fast(IteratedGame, PD, memory=5, max_bytes=1000)
    assert "above the limit of" in str(err) and "IteratedGame(memory=5)" in str(err)


def test_catalog_generator_sizes_are_checked_first(tmp_path):
    f = tmp_path / "big_rooms.toml"
    f.write_text('name="big_rooms"\ntitle="t"\ndescription="d"\nreference="r"\nplayers=["agent"]\n'
                 'actions=[["up","down","left","right"]]\ngenerator="bottleneck_rooms"\n[params]\nrooms=1000000\n')
    err = fast(activeq.load_game, f)  # 7.28 TiB before
    assert isinstance(err, CatalogError) and "big_rooms.toml" in str(err)
    from activeq.games.generators.scalable import rooms_mdp
    assert "above the limit" in str(fast(rooms_mdp, rooms=100_000, length=3))


# --- raw exceptions that became activeq errors naming the argument -------------------------------------------------
def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("call, error, words", [
    (lambda tmp: read_nfg(HEADER + "{ 1 1 }\n1e400 2", text=True), InteropError, "finite"),  # OverflowError
    (lambda tmp: activeq.load_game(_write(tmp, "x.nfg", b'NFG 1 R "\xff" { "a" "b" } { 1 1 }\n1 2')), InteropError,
     "x.nfg"),  # UnicodeDecodeError without the file name
    (lambda tmp: activeq.load_game(_write(tmp, "x.toml", b'name = "\xff"\n')), CatalogError, "x.toml"),
    (lambda tmp: activeq.load_game(_write(tmp, "x.toml", b"x = " + b"[" * 5000 + b"]" * 5000)), CatalogError,
     "x.toml"),  # RecursionError
    (lambda tmp: active.FixedPolicy([]), LearnerError, "policy"),  # "zero-size array to reduction operation"
    (lambda tmp: stochastic.shapley(activeq.load_game("big_match"), initial_values="abc"), SolverError,
     "initial_values"),  # "could not convert string to float"
    (lambda tmp: avgreward.mixing_time(sp.csr_matrix(np.full((300, 300), 1 / 300)), dense_limit=10, block=0),
     ArgumentError, "block"),  # "range() arg 3 must not be zero"
    (lambda tmp: NormalFormGame(np.zeros((2, 2, 2)), action_names=5), GameError, "action_names"),
    (lambda tmp: NormalFormGame(np.zeros((2, 2, 2)), player_names=5), GameError, "player_names"),
    (lambda tmp: StochasticGame(np.zeros((1, 1, 2)), np.ones((1, 2, 1)), state_names=5), GameError, "state_names"),
], ids=["nfg-1e400", "nfg-not-utf8", "toml-not-utf8", "toml-deep", "fixed-empty", "shapley-abc", "mixing-block0",
        "action-names-5", "player-names-5", "state-names-5"])
def test_raw_exceptions_are_now_activeq_errors(tmp_path, call, error, words):
    err = fast(call, tmp_path)
    assert isinstance(err, error) and words in str(err)


# --- invalid inputs once silently accepted ------------------------------------------------------------------------
@pytest.mark.parametrize("call, words", [
    (lambda: NormalFormGame(np.zeros((2, 2, 2)) + 1j), "complex"),  # imaginary part dropped with a ComplexWarning
    (lambda: NormalFormGame.bimatrix(np.eye(2), [["1", "0"], ["0", "1"]]), "strings"),  # numpy parsed the strings
    (lambda: StochasticGame(np.zeros((1, 1, 2)), np.ones((1, 2, 1)), legal_actions=[np.full((1, 2), 0.5)]),
     "legal_actions[0]"),  # 0.5 read as True
    (lambda: avgreward.stationary_distribution(np.full((2, 2), 0.5), unique="yes"), "unique"),
    (lambda: avgreward.mixing_time(np.full((2, 2), 0.5), dense_limit=-1), "dense_limit"),
    (lambda: avgreward.mixing_time(np.full((2, 2), 0.5), block=0), "block"),
], ids=["complex-payoffs", "string-payoffs", "mask-0.5", "unique-yes", "dense-limit-neg", "block0-dense"])
def test_invalid_inputs_are_refused(call, words):
    assert words in str(fast(call))


def test_limits_are_documented_and_sane():
    assert limits.MAX_BYTES == 2 * 1024**3 and limits.MAX_FILE_BYTES == 64 * 1024**2
    assert limits.format_bytes(14.2 * 1024**3) == "14.2 GiB"
    assert "MAX_BYTES" in limits.__doc__
