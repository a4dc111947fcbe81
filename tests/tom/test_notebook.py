"""Execute notebooks/tom_probes.ipynb end to end against the tiny local model (its cells assert the claims)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.notebook
def test_tom_probes_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIVEQ_CACHE_DIR", str(tmp_path))
    nb = nbformat.read(ROOT / "notebooks" / "tom_probes.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "V* = 302.0" in out and "tiny-llama" in out
