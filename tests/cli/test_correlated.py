"""`activeq correlated`: JSON equals the library's result, the table lists the support, CSV parses, errors exit 2."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from activeq import load_game
from activeq.nash import correlated

from ._helpers import run


def test_json_matches_library_and_is_certified(capsys):
    code, out, _ = run(capsys, "correlated", "chicken", "--objective", "max-entropy", "--json")
    assert code == 0
    data = json.loads(out)
    ref = correlated(load_game("chicken"), kind="ce", objective="max-entropy")
    np.testing.assert_allclose(data["distribution"], ref.distribution, atol=1e-12)
    np.testing.assert_allclose(data["payoffs"], ref.payoffs, atol=1e-12)
    assert data["kind"] == "ce" and data["max_incentive"] <= 1e-9
    assert data["actions"] == [list(a) for a in load_game("chicken").action_names]


def test_table_lists_the_support_and_says_certified(capsys):
    code, out, _ = run(capsys, "correlated", "chicken", "--kind", "cce", "--objective", "max-entropy")
    assert code == 0
    lines = out.strip().splitlines()
    assert "coarse correlated equilibrium maximising max-entropy" in lines[0]
    assert "probability" in lines[1]
    body = [line for line in lines[3:] if " / " in line]
    assert len(body) == 4  # max-entropy uses every joint action chicken's CCE polytope allows
    assert "certified" in lines[-1] and "NOT" not in lines[-1]


def test_csv_has_every_joint_action_and_sums_to_one(capsys):
    code, out, _ = run(capsys, "correlated", "three_player_matching_pennies", "--kind", "cce", "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert abs(sum(float(r["probability"]) for r in rows) - 1) < 1e-9
    assert set(rows[0]) >= {"probability"}


def test_errors_are_one_line_exit_2(capsys):
    code, _, err = run(capsys, "correlated", "big_match")
    assert code == 2 and err.count("\n") == 1 and "normal-form" in err
    code, _, err = run(capsys, "correlated", "chicken", "--objective", "nonsense")
    assert code == 2 and "objective" in err
    code, _, err = run(capsys, "correlated", "chicken", "--json", "--csv")
    assert code == 2 and "--json and --csv" in err
