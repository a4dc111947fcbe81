"""Execute notebooks/equilibrium_analysis.ipynb end to end (its cells assert the story's claims) in a real kernel."""

from __future__ import annotations

import pytest


@pytest.mark.notebook
def test_equilibrium_analysis_notebook_runs(execute_notebook):
    nb = execute_notebook("equilibrium_analysis.ipynb", 120, committed_clean=True)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "Components(3 extreme equilibria, 2 maximal Nash subsets" in text
    assert "converged: True" in text
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    tables = sum("text/html" in o.get("data", {}) for o in outputs)
    assert figures == 4 and tables >= 6
