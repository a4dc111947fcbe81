"""`activeq qre`: rows at the requested lambdas equal `nash.qre`, regret shrinks along the branch, CSV parses."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from activeq import load_game
from activeq.nash import qre

from ._helpers import run


def test_json_matches_library(capsys):
    code, out, _ = run(capsys, "qre", "bach_or_stravinsky", "--lambda", "0", "1", "10", "--json")
    assert code == 0
    data = json.loads(out)
    game = load_game("bach_or_stravinsky")
    assert [p["lambda"] for p in data["qre"]] == [0.0, 1.0, 10.0]
    for point in data["qre"]:
        ref = qre(game, point["lambda"])
        for s, t in zip(point["strategies"], ref.strategies):
            np.testing.assert_allclose(s, t, atol=1e-12)
    np.testing.assert_allclose(data["qre"][0]["strategies"], [[0.5, 0.5], [0.5, 0.5]])
    regrets = [p["max_regret"] for p in data["qre"]]
    assert regrets[0] > regrets[1] > regrets[2]


def test_table_and_csv(capsys):
    code, out, _ = run(capsys, "qre", "matching_pennies")
    assert code == 0
    lines = out.strip().splitlines()
    assert "not Nash equilibria" in lines[0] and "max regret" in lines[1]
    assert len(lines) == 3 + 8  # title, header, rule, the eight default lambdas
    code, out, _ = run(capsys, "qre", "matching_pennies", "--lambda", "2", "--csv")
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert float(row["lambda"]) == 2.0
    keys = [k for k in row if ":" in k]
    assert len(keys) == 4 and abs(float(row[keys[0]]) - 0.5) < 1e-9  # matching pennies: uniform on the whole path


def test_errors(capsys):
    code, _, err = run(capsys, "qre", "grid_game_1")
    assert code == 2 and "normal-form" in err
    code, _, err = run(capsys, "qre", "chicken", "--lambda", "-1")
    assert code == 2 and "lam" in err
