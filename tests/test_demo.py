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
        assert all(eq["max_regret"] <= 1e-9 and eq["converged"] and eq["kind"] == "equilibrium"
                   for eq in res["equilibria"]), name
        assert res["complete"] == (res["method"] == "vertex"), name  # logit (3 players) lists one, and says so
    assert len(saved["nash"]["bach_or_stravinsky"]["equilibria"]) == 3
    # Big Match: per-step value 1/2 from the start state, for any discount
    assert abs(saved["shapley"]["big_match"]["normalised_values"][0] - 0.5) < 1e-8


def test_demo_active_table_says_what_each_row_is(tmp_path: Path, capsys) -> None:
    """The prisoner's-dilemma table: the row against tit-for-tat is the active BR (0.5); the alternation that
    started there replaced tit-for-tat, and its row says so; every row has a converged column."""
    args = ["demo", "--quiet", "--out", str(tmp_path), "--active-games", "prisoners_dilemma_shaping"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "certified" in out and "all extreme" in out  # the Nash section
    table = out[out.index("== prisoners_dilemma_shaping =="):].split("\n\n")[0].splitlines()
    header = table[1]
    for column in ("computed", "row plays", "column plays", "row payoff", "converged", "method"):
        assert column in header
    br = next(line for line in table if line.startswith("active BR (row) vs tit_for_tat"))
    assert "tit_for_tat" in br and "0.500" in br and "exact" in br
    eq = next(line for line in table if "from BR vs tit_for_tat" in line)
    assert "replaced tit_for_tat" in eq and ("active equilibrium" in eq or "NOT an equilibrium" in eq)
    assert all(any(s in line for s in ("certified", " yes ", " no ", " exact ")) for line in table[3:])
    assert (tmp_path / "active_trajectories.png").stat().st_size > 10_000
    saved = json.loads((tmp_path / "active_vs_nash.json").read_text())
    assert all("converged" in row and "agents" in row for row in saved[0]["rows"])
