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
    assert text.startswith(f"== {name} ==") and "active BR (row) vs tit_for_tat" in text and "fictitious_play" in text
    header = text.splitlines()[1]
    assert "computed" in header and "row plays" in header and "column plays" in header and "converged" in header
    json.dumps(c.to_dict())
    frame = c.to_frame()
    assert len(frame) == len(c.rows) and set(frame["kind"]) >= {"nash", "active_br", "learning", "active_eq"}
    assert list(frame["status"][frame["kind"] == "nash"]) == ["certified"] * len(eqs)


def test_bach_or_stravinsky_active_response_reaches_the_row_players_favourite():
    c = compare("bach_or_stravinsky", opponents=("fictitious_play",), baselines=(), seed=0)
    br = c.rows_of("active_br")[0]
    assert br.payoffs == pytest.approx((2.0, 1.0))  # above the mixed Nash value 2/3 and the column's favourite NE


SMALL = dict(population=8, generations=1, chains=1, steps=200, eval_chains=2, eval_steps=400, restarts=4, iterations=8)


def test_rows_say_who_plays_after_the_alternation_replaced_tit_for_tat():
    """PD (shaping payoffs) vs tit-for-tat: the BR earns 0.5 against TFT; the alternation then replaces TFT by the
    column's own active BR and ends at -0.5 / -0.5. The row must say TFT is no longer there."""
    c = compare("prisoners_dilemma_shaping", opponents=("tit_for_tat",), baselines=(), seed=3, search=SMALL)
    br, = c.rows_of("active_br")
    assert br.payoffs == pytest.approx((0.5, 0.5)) and br.agents == ("active BR", "tit_for_tat")
    assert br.converged is None and br.status == "exact"
    eq, = c.rows_of("active_eq")
    assert eq.converged and eq.payoffs == pytest.approx((-0.5, -0.5))
    assert "replaced tit_for_tat" in eq.agents[1] and eq.label.startswith("active equilibrium from BR vs tit_for_tat")
    line = next(ln for ln in c.table().splitlines() if ln.startswith("active equilibrium"))
    assert "replaced tit_for_tat" in line and "-0.500" in line


def test_unconverged_alternation_is_labelled_and_kept_out_of_the_payoff_columns():
    c = compare("matching_pennies", opponents=("fictitious_play",), baselines=(), seed=0, search=SMALL)
    eq, = c.rows_of("active_eq")
    assert eq.converged is False and "NOT an equilibrium" in eq.label and eq.status == "no"
    line = next(ln for ln in c.table().splitlines() if "NOT an equilibrium" in ln)
    cells = line.split()
    assert f"{eq.payoffs[0]:.3f}" not in cells[:cells.index("no")] and "last profile earns" in line
    assert c.to_dict()["rows"][-1]["converged"] is False


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


def test_cli_csv_has_one_line_per_row_with_who_plays_and_converged(capsys):
    import csv

    rc = main(["compare", "prisoners_dilemma", "--opponents", "tit_for_tat", "--baselines", "", "--csv", "--quiet"])
    assert rc == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [r["kind"] for r in rows] == ["nash", "active_br", "active_eq"]
    assert rows[1]["row plays"] == "active BR" and rows[1]["column plays"] == "tit_for_tat"
    assert rows[0]["converged"] == "certified" and rows[1]["converged"] == "exact"
    assert rows[2]["converged"] in ("yes", "no")
