"""`activeq solve`: tables and JSON agree with the library, options, paths, and one-line errors (exit 2)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from activeq import load_game
from activeq.cli import main
from activeq.nash import solve

ROOT = Path(__file__).resolve().parents[2]
ACTIVEQ = Path(sys.executable).with_name("activeq")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_matches_library(capsys):
    code, out, _ = run(capsys, "solve", "bach_or_stravinsky", "--json")
    assert code == 0
    data = json.loads(out)
    ref = solve(load_game("bach_or_stravinsky"))
    assert len(data["equilibria"]) == len(ref) == 3
    for got, eq in zip(data["equilibria"], ref):
        for s, t in zip(got["strategies"], eq.strategies):
            np.testing.assert_allclose(s, t, atol=1e-12)
        np.testing.assert_allclose(got["payoffs"], eq.payoffs)
        assert got["max_regret"] <= 1e-12
    assert data["actions"] == [list(a) for a in load_game("bach_or_stravinsky").action_names]


def test_table_lists_strategies_payoffs_and_certificates(capsys):
    code, out, _ = run(capsys, "solve", "bach_or_stravinsky")
    assert code == 0
    lines = out.strip().splitlines()
    assert "3 equilibria" in lines[0] and "vertex" in lines[0]
    assert "strategy" in lines[1] and "payoff" in lines[1] and "max regret" in lines[1]
    body = lines[3:]
    assert len(body) == 3
    assert "0.6667" in body[1] and "0.3333" in body[1]  # the mixed equilibrium, on its support


def test_one_and_method_options(capsys):
    code, out, _ = run(capsys, "solve", "bach_or_stravinsky", "--one", "--json")
    assert code == 0 and len(json.loads(out)["equilibria"]) == 1
    code, out, _ = run(capsys, "solve", "matching_pennies", "--method", "lp", "--json")
    eq = json.loads(out)["equilibria"][0]
    assert code == 0 and eq["method"] == "lp"
    np.testing.assert_allclose(eq["strategies"], [[0.5, 0.5], [0.5, 0.5]])
    code, out, _ = run(capsys, "solve", "bach_or_stravinsky", "-m", "lemke-howson", "--label", "2", "--json")
    assert code == 0 and json.loads(out)["equilibria"][0]["method"] == "lemke-howson"


def test_game_from_a_path(capsys):
    path = next(p for p in sorted((ROOT / "games").glob("*.toml")) if "chicken" in p.name)
    code, out, _ = run(capsys, "solve", str(path), "--json")
    assert code == 0
    assert len(json.loads(out)["equilibria"]) == len(solve(load_game(str(path))))


def test_errors_are_one_line_with_exit_code_2(capsys):
    code, out, err = run(capsys, "solve", "prisoners_dilemma", "--method", "lp")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "needs a zero-sum" in err and "Methods that apply" in err
    code, _, err = run(capsys, "solve", "prisoners_dilemma", "--method", "nope")
    assert code == 2 and "unknown method 'nope'" in err
    code, _, err = run(capsys, "solve", "big_match")
    assert code == 2 and "StochasticGame" in err
    code, _, err = run(capsys, "solve", "no_such_game_here")
    assert code == 2 and err.startswith("activeq solve: error:")


def test_console_script():
    res = subprocess.run([str(ACTIVEQ), "solve", "prisoners_dilemma", "--json"], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    eqs = json.loads(res.stdout)["equilibria"]
    assert len(eqs) == 1 and eqs[0]["strategies"] == [[0.0, 1.0], [0.0, 1.0]]


def test_dynamics_that_cycle_print_zero_equilibria_and_a_labelled_approximation(capsys):
    code, out, _ = run(capsys, "solve", "shapley_game", "-m", "fictitious-play")
    assert code == 0
    lines = out.splitlines()
    assert "0 equilibria" in lines[0] and "1 equilibrium" not in out
    assert "NOT equilibria" in out
    row = next(line for line in lines if line.startswith("1  "))
    assert "approximation" in row and row.rstrip().endswith("no")
    code, out, _ = run(capsys, "solve", "shapley_game", "-m", "fictitious-play", "--json")
    data = json.loads(out)
    assert data["equilibria"] == [] and data["converged"] is False
    (a,) = data["approximations"]
    assert a["kind"] == "approximation" and a["converged"] is False and a["max_regret"] > 0.1 and a["seed"] == 0


def test_seed_and_tol_reach_the_method_and_same_call_same_answer(capsys):
    outs = [run(capsys, "solve", "rock_paper_scissors", "-m", "replicator", "--seed", s, "--tol", "0.005", "--json")
            for s in ("3", "3", "4")]
    assert all(code == 0 for code, _, _ in outs)
    data = [json.loads(out) for _, out, _ in outs]
    assert data[0] == data[1] and data[0] != data[2]
    assert data[0]["tol"] == 0.005 and data[0]["equilibria"][0]["converged"] is True
    code, _, err = run(capsys, "solve", "rock_paper_scissors", "--seed", "1")
    assert code == 2 and "does not sample" in err
    code, _, err = run(capsys, "solve", "rock_paper_scissors", "--tol", "-1")
    assert code == 2 and "tol must be in" in err


def test_csv_has_the_same_rows_as_the_table(capsys):
    code, out, _ = run(capsys, "solve", "bach_or_stravinsky", "--csv")
    rows = list(csv.reader(out.splitlines()))
    assert code == 0 and rows[0][:2] == ["#", "kind"] and rows[0][-1] == "converged"
    assert len(rows) == 4 and all(r[1] == "equilibrium" and r[-1] == "yes" for r in rows[1:])
