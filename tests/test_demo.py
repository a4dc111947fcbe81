"""`activeq demo` (what `make demo` runs): every catalog normal-form game gets certified equilibria and the
zero-sum stochastic game its closed-form value; results land in --out as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from activeq import list_games
from activeq.cli import main


def test_demo_without_the_active_section(tmp_path: Path, capsys) -> None:
    assert main(["demo", "--skip-active", "--quiet", "--json", "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((tmp_path / "demo.json").read_text())
    assert printed == saved
    normal_form = {e.name for e in list_games() if e.kind == "normal_form"}
    assert set(saved["nash"]) == normal_form
    for name, res in saved["nash"].items():
        assert res["equilibria"], name
        assert all(eq["max_regret"] <= 1e-9 for eq in res["equilibria"]), name
    assert len(saved["nash"]["bach_or_stravinsky"]["equilibria"]) == 3
    # Big Match: per-step value 1/2 from the start state, for any discount
    assert abs(saved["shapley"]["big_match"]["normalised_values"][0] - 0.5) < 1e-8
