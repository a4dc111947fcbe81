"""`activeq stochastic`: Shapley on the Big Match (closed form), the logit homotopy on a written-out general-sum
game (JSON equals the library, the seed is used), CSV, errors."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from activeq import load_game
from activeq.nash import stochastic

from ._helpers import SMALL_STOCHASTIC, run


@pytest.fixture
def two_state(tmp_path):
    path = tmp_path / "two_state.toml"
    path.write_text(SMALL_STOCHASTIC.format(name="two_state"))
    return path


def test_big_match_auto_is_shapley_with_the_closed_form(capsys):
    code, out, _ = run(capsys, "stochastic", "big_match", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["method"] == "shapley" and data["converged"] and data["seed"] is None
    g = 0.9
    assert data["values"][0][0] == pytest.approx(1 / (2 * (1 - g)), abs=1e-8)  # V(play) = 5
    assert data["strategies"][0][0][0] == pytest.approx((1 - g) / (2 - g), abs=1e-8)  # stop w.p. (1-g)/(2-g)
    code, out, _ = run(capsys, "stochastic", "big_match")
    lines = out.strip().splitlines()
    assert "shapley" in lines[0] and "converged" in lines[0] and "NOT" not in lines[0]
    assert lines[3].split()[0] == "play" and " -0 " not in out


def test_stationary_json_matches_library(capsys, two_state):
    code, out, _ = run(capsys, "stochastic", str(two_state), "--json", "--seed", "3")
    assert code == 0
    data = json.loads(out)
    ref = stochastic.stationary(load_game(two_state), seed=3)
    assert data["method"] == "stationary" and data["seed"] == 3 and data["converged"] == ref.converged
    for s, t in zip(data["strategies"], ref.strategies):
        np.testing.assert_allclose(s, t, atol=1e-12)
    np.testing.assert_allclose(data["values"], ref.values, atol=1e-12)
    assert data["certificate"] <= 1e-9 * 3


def test_csv_one_probability_column_per_action(capsys, two_state):
    code, out, _ = run(capsys, "stochastic", str(two_state), "--csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["state"] for r in rows] == ["calm", "storm"]
    for r in rows:
        assert abs(float(r["P1:stay"]) + float(r["P1:go"]) - 1) < 1e-9


def test_errors(capsys, two_state):
    code, _, err = run(capsys, "stochastic", "chicken")
    assert code == 2 and "activeq solve" in err
    code, _, err = run(capsys, "stochastic", str(two_state), "--method", "shapley")
    assert code == 2 and "zero-sum" in err
