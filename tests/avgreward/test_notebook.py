"""Execute notebooks/mixing_times.ipynb end to end (mixing-time growth and small-scale regret curves)."""

from __future__ import annotations

import pytest


@pytest.mark.notebook
def test_mixing_times_notebook_runs(execute_notebook):
    nb = execute_notebook("mixing_times.ipynb", 120, committed_clean=True)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "lazy cycle: t_mix ~ n^" in text
    slope = float(text.split("lazy cycle: t_mix ~ n^")[1].split()[0])
    assert abs(slope - 2.0) < 0.15
    assert "on-policy rho has lower regret than Q-learning in" in text
