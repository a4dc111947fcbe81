"""compare(): Nash rows from activeq.nash, active best responses that dominate every learner, JSON, CLI, figure."""

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from activeq.active import compare  # noqa: E402
from activeq.cli import main  # noqa: E402
from activeq.errors import ArgumentError  # noqa: E402
from activeq.games import load_game  # noqa: E402
from activeq.nash import solve  # noqa: E402
from activeq.plot.trajectories import plot_trajectories  # noqa: E402


@pytest.mark.parametrize("name", ["bach_or_stravinsky", "prisoners_dilemma"])
def test_compare_rows(name):
    c = compare(name, opponents=("fictitious_play", "tit_for_tat"), baselines=("naive",), steps=300, chains=4, seed=1)
    nash_rows = c.rows_of("nash")
    eqs = solve(load_game(name))
    assert len(nash_rows) == len(eqs)
    for row, eq in zip(nash_rows, eqs):
        np.testing.assert_allclose(row.payoffs, eq.payoffs, atol=1e-9)
    for opp in ("fictitious_play", "tit_for_tat"):
        br = [r for r in c.rows_of("active_br") if r.opponent == opp][0]
        learn = [r for r in c.rows_of("learning") if r.opponent == opp][0]
        assert br.method == "exact_mdp"
        # the exact active best response is optimal over all history-dependent play, learners included
        assert br.payoffs[0] >= learn.payoffs[0] - 3 * learn.stderr[0] - 1e-3
        assert [r for r in c.rows_of("active_eq") if r.opponent == opp]
    text = c.table()
    assert text.startswith(f"== {name} ==") and "active BR (row)" in text and "fictitious_play" in text
    json.dumps(c.to_dict())


def test_bach_or_stravinsky_active_response_reaches_the_row_players_favourite():
    c = compare("bach_or_stravinsky", opponents=("fictitious_play",), baselines=(), seed=0)
    br = c.rows_of("active_br")[0]
    assert br.payoffs == pytest.approx((2.0, 1.0))  # above the mixed Nash value 2/3 and the column's favourite NE


def test_compare_bad_input():
    with pytest.raises(ArgumentError, match="unknown learner"):
        compare("bach_or_stravinsky", opponents=("telepath",))
    with pytest.raises(ArgumentError, match="2-player"):
        compare("three_player_matching_pennies")
    with pytest.raises(ArgumentError, match="agent"):
        compare("bach_or_stravinsky", agent=2)


def test_cli_json_and_out(tmp_path, capsys):
    rc = main(["compare", "matching_pennies", "--opponents", "fictitious_play", "--baselines", "", "--json",
               "--out", str(tmp_path)])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["game"] == "matching_pennies"
    br = [r for r in data["rows"] if r["kind"] == "active_br"][0]
    assert br["payoffs"][0] > 0.25  # Nash value is 0
    assert (tmp_path / "compare.json").exists() and (tmp_path / "trajectories.png").stat().st_size > 1000


def test_cli_errors_exit_2(capsys):
    assert main(["compare", "no_such_game", "--quiet"]) == 2
    assert "error" in capsys.readouterr().err
    assert main(["compare", "bach_or_stravinsky", "--opponents", "telepath", "--quiet"]) == 2


def test_plot_trajectories_marks_nash():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    t = np.linspace(0, 1, 20)
    plot_trajectories(ax, {"run": [np.stack([t, 1 - t], axis=1)]}, [(0.5, 0.5)], title="t", action_names=("a", "b"))
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "Nash" in labels and "run" in labels
    assert ax.get_xlabel() == "row P(a)" and ax.get_ylabel() == "column P(b)"
    with pytest.raises(ValueError, match="shape"):
        plot_trajectories(ax, {"bad": [np.zeros((5, 3))]})
    plt.close(fig)
