"""Execute notebooks/tom_probes.ipynb end to end against the tiny local model (its cells assert the claims)."""

import pytest


@pytest.mark.notebook
def test_tom_probes_notebook_runs(tmp_path, monkeypatch, execute_notebook):
    monkeypatch.setenv("ACTIVEQ_CACHE_DIR", str(tmp_path))
    nb = execute_notebook("tom_probes.ipynb", 300)
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "V* = 302.0" in out and "tiny-llama" in out
