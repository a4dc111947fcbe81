"""solve() and approximate(), the front doors: only certified equilibria come back, every option is checked before
any work, help(solve) lists every method and its options, results are sequences with pandas tables beside them."""

from __future__ import annotations

import math
import pydoc

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ActiveqError, ArgumentError, ArgumentTypeError, ConvergenceWarning, NotConvergedError
from activeq.games import NormalFormGame
from activeq.nash import METHODS, Equilibrium, SolveResult, is_nash, solve, to_frame

PENNIES = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
THREE = NormalFormGame(np.random.default_rng(0).standard_normal((3, 2, 2, 2)))
MINUS_ONE, TWO_AND_A_HALF = -1, 2.5
BAD = ("x", MINUS_ONE, math.nan, TWO_AND_A_HALF, [1], True)
VALID = ((TWO_AND_A_HALF, ("end_lambda", "max_lambda", "step_size")), (MINUS_ONE, ("end_lambda",)))  # valid there


def test_invalid_tol_is_an_error_for_every_method_never_an_empty_list():
    pd = load_game("prisoners_dilemma")
    for method in ("vertex", "pure", "support", "lemke-howson", "auto"):
        assert len(solve(pd, method)) == 1
        for bad in (-1, math.nan, 0.0, 1.0, math.inf):
            with pytest.raises(ArgumentError, match="tol must be in"):
                solve(pd, method, tol=bad)
        with pytest.raises(ArgumentTypeError, match="tol must be a real number"):
            solve(pd, method, tol="x")
    with pytest.raises(ArgumentTypeError, match="all_labels must be True or False"):
        solve(pd, "lemke-howson", all_labels="x")


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_option_of_every_method_rejects_garbage(name):
    """Each bad value gets an activeq error (a ValueError/TypeError naming the option), never a numpy error,
    a silent acceptance or an empty answer."""
    m = METHODS[name]
    game = PENNIES if m.players == "2" else THREE
    quick = {"max_iter": 50} if m.dynamics else {}
    for opt, param in m.options().items():
        for bad in BAD:
            if (isinstance(param.default, bool) and bad is True) or any(bad is v and opt in opts for v, opts in VALID):
                continue  # a valid value of that option
            with pytest.raises(ActiveqError, match=opt) as err:
                solve(game, name, **(quick | {opt: bad}))
            assert isinstance(err.value, (ValueError, TypeError)), (name, opt, bad)


def test_help_lists_every_method_and_its_options():
    text = pydoc.render_doc(solve, renderer=pydoc.plaintext)
    for name, m in METHODS.items():
        assert f'"{name}"' in text, name
        for opt in m.options():
            assert f"``{opt}``" in text, (name, opt)
    assert "Most iterations to run" in text  # a description from a method's own Parameters section
    assert "learning dynamics" in text and "NotConvergedError" in text


def test_result_is_a_sequence_of_certified_equilibria_with_a_table():
    bos = load_game("bach_or_stravinsky")
    res = solve(bos)
    assert isinstance(res, SolveResult) and res.method == "vertex" and res.complete and res.tol == 1e-9
    assert len(res) == 3 and all(isinstance(e, Equilibrium) and e.converged and e.tol == 1e-9 for e in res)
    assert res[0] is res.equilibria[0] and list(res[:2]) == list(res.equilibria[:2])
    assert all(is_nash(bos, e.strategies) for e in res)
    assert len(res + solve(bos, "pure")) == 5 and len([] + res) == 3
    frame = res.to_frame()
    assert list(frame["kind"]) == ["equilibrium"] * 3 and frame["converged"].all()
    players, actions = bos.player_names, bos.action_names
    mixed = frame.iloc[1]
    assert mixed[f"{players[0]}:{actions[0][0]}"] == pytest.approx(2 / 3)
    assert mixed[f"payoff[{players[1]}]"] == pytest.approx(2 / 3)
    data = res.to_dict()
    assert data["approximations"] == [] and data["equilibria"][0]["converged"] is True
    assert not solve(bos, all=False).complete


def test_uncertified_candidates_raise_with_the_approximations_attached():
    """gnm cut short after two steps: whatever it found that does not certify is never an equilibrium."""
    shapley = load_game("shapley_game")
    with pytest.raises(NotConvergedError) as err:
        solve(shapley, "regret-matching", sampled=True, max_iter=200)
    (a,) = err.value.approximations
    assert not a.converged and a.seed == 0 and a.iterations == 200
    table = to_frame(err.value.approximations, players=shapley.player_names)
    assert list(table["kind"]) == ["approximation"] and not table["converged"].any()


def test_method_warnings_name_the_callers_line():
    with pytest.warns(ConvergenceWarning) as rec:
        try:
            solve(THREE, "gnm", max_steps=3)
        except NotConvergedError:
            pass
    assert rec and all(w.filename == __file__ for w in rec)


def test_to_frame_rejects_other_objects():
    with pytest.raises(ArgumentError, match="items\\[0\\]"):
        to_frame([1])
