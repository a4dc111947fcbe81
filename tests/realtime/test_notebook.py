"""Execute notebooks/realtime.ipynb end to end (R1-R4 on the virtual clock, a MinAtar game, the realtime game)."""

from __future__ import annotations

import pytest


@pytest.mark.notebook
def test_realtime_notebook_runs(execute_notebook):
    nb = execute_notebook("realtime.ipynb", 180, committed_clean=True)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "N=4 staggered: 0.5 unstaggered: 0.125 | N=8 staggered: 1.0" in text
    assert "delay  596 frames: N* =  596" in text
    assert "max |delay regret - closed form| =" in text
    err = float(text.split("max |delay regret - closed form| =")[1].split()[0])
    assert err < 1e-10
    assert "RealtimeStats(" in text and "slow action rate" in text
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 2
