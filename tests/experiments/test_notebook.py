"""Execute notebooks/experiments.ipynb end to end: a sweep into a store, the store as a pandas table, the figures."""

from __future__ import annotations

import pytest


@pytest.mark.notebook
def test_experiments_notebook_runs(execute_notebook):
    nb = execute_notebook("experiments.ipynb", 180, committed_clean=True)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "ran=32" in text and "done=32" in text
    table = text.split("mean and standard error over seeds:")[1].split("[{")[0].splitlines()
    rows = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in table if line[:1].isdigit()}
    assert sorted(rows) == ["0.00", "0.05", "0.10", "0.20"] and all(len(v) == 4 for v in rows.values())
    assert "'experiment': 'bandit_epsilon', 'trials': 32, 'done': 32" in text
    assert "figure written with 4 curves" in text
