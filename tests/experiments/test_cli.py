"""``activeq run`` / ``results`` / ``status``: tables, --json, --csv, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from activeq.cli import main


@pytest.fixture
def spec(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('name = "b"\nfunction = "experiments._trials:broken"\nseeds = 3\nretries = 0\n'
                 '[grid]\nfail_seed = [1, 7]\n')
    return p


def test_run_then_results_and_status(tmp_path, spec, capsys):
    store = str(tmp_path / "st")
    assert main(["run", str(spec), "--store", store, "--workers", "1", "--quiet"]) == 1   # one trial fails
    out = capsys.readouterr().out
    assert "experiment b: 6 trials" in out and "done          5" in out and "failed        1" in out
    assert "ValueError: seed 1 always fails" in out
    assert main(["run", str(spec), "--store", store, "--workers", "1", "--json", "--no-rerun-failed"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert (rep["already_done"], rep["ran"], rep["done"], rep["failed"]) == (5, 0, 5, 1)
    assert rep["failures"][0]["error"] == ["ValueError: seed 1 always fails"]

    assert main(["results", "b", "--store", store, "--json"]) == 0
    trials = json.loads(capsys.readouterr().out)["trials"]
    assert [(t["params"]["fail_seed"], t["seed"], t["status"]) for t in trials] == [
        (1, 0, "done"), (1, 1, "failed"), (1, 2, "done"), (7, 0, "done"), (7, 1, "done"), (7, 2, "done")]
    assert trials[0]["result"] == {"seed": 0} and "Traceback" in trials[1]["error"]
    assert main(["results", "b", "--store", store, "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6 and rows[1]["status"] == "failed" and rows[2]["result.seed"] == "2"
    assert main(["results", "b", "--store", store, "--status", "failed"]) == 0
    text = capsys.readouterr().out
    assert "1 trials of b: 1 failed" in text and "always fails" in text

    assert main(["status", "--store", store, "--json"]) == 0
    st = json.loads(capsys.readouterr().out)["experiments"]
    assert [(r["experiment"], r["trials"], r["done"], r["failed"], r["running"]) for r in st] == [("b", 6, 5, 1, 0)]
    assert main(["status", "--store", store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:6] == ["experiment", "trials", "done", "running", "pending", "failed"]
    assert lines[2].split()[:6] == ["b", "6", "5", "0", "0", "1"]


def test_one_progress_bar_unless_quiet(tmp_path, spec, capsys):
    assert main(["run", str(spec), "--store", str(tmp_path / "a"), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "6/6" in err and "trial" in err          # one tqdm bar over the 6 trials
    assert main(["run", str(spec), "--store", str(tmp_path / "b"), "--workers", "1", "--quiet"]) == 1
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("args, match", [
    (["results", "nope", "--store", "{tmp}/missing"], "no results store at"),
    (["status", "--store", "{tmp}/missing"], "no results store at"),
    (["run", "{tmp}/none.toml", "--store", "{tmp}/st"], "cannot read"),
    (["run", "{spec}", "--store", "{tmp}/st", "--workers", "0"], "workers must be an integer in [1, "),
])
def test_errors_print_one_line_and_exit_2(tmp_path, spec, capsys, args, match):
    args = [a.format(tmp=tmp_path, spec=spec) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err
    assert not (tmp_path / "missing").exists()
