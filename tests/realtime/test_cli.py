"""`activeq realtime ...`: tables, --json, one-line errors with exit code 2."""

from __future__ import annotations

import json

import pytest

from activeq.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sweep_json_matches_the_formula(capsys):
    code, out, _ = run(capsys, "realtime", "sweep", "--delay", "8", "--workers", "2,4,8", "--steps", "400", "--json")
    rows = json.loads(out)["rows"]
    assert code == 0 and [r["staggered"] for r in rows] == [0.25, 0.5, 1.0]
    assert all(r["unstaggered"] == 0.125 for r in rows)


def test_nstar_table(capsys):
    code, out, _ = run(capsys, "realtime", "nstar", "--json")
    rows = json.loads(out)["rows"]
    assert [r["N*"] for r in rows] == [1, 5, 8, 70, 596]
    code, out, _ = run(capsys, "realtime", "nstar")
    assert code == 0 and "reference 1/(1+d)" in out and "596" in out


def test_regret_matches_the_closed_form(capsys):
    code, out, _ = run(capsys, "realtime", "regret", "--p", "0.2", "--delays", "1,3", "--json")
    for r in json.loads(out)["rows"]:
        assert r["delay regret"] == pytest.approx(r["closed form delay"], abs=1e-10)


def test_schedule_and_game(capsys):
    code, out, _ = run(capsys, "realtime", "schedule", "--workers", "10", "--jitter", "0.2", "--steps", "500", "--json")
    assert code == 0 and json.loads(out)["action_rate"] >= 0.99
    code, out, _ = run(capsys, "realtime", "game", "--delays", "1,4", "--steps", "60", "--seeds", "2")
    assert code == 0 and "slow action rate" in out


@pytest.mark.parametrize("argv, message", [
    (["realtime", "schedule", "--schedule", "warp"], "schedule must be one of"),
    (["realtime", "schedule", "--workers", "0"], "workers must be an int in [1, 100000]"),
    (["realtime", "schedule", "--tau-m", "0"], "tau_m must be a finite positive number"),
    (["realtime", "sweep", "--workers", "a,b"], "comma-separated integers"),
    (["realtime", "regret", "--default-action", "jump"], "default_action")])
def test_errors_print_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
