"""Execute notebooks/active_vs_nash.ipynb end to end (its cells assert the story's claims)."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]


def test_active_vs_nash_notebook_runs():
    nb = nbformat.read(ROOT / "notebooks" / "active_vs_nash.ipynb", as_version=4)
    NotebookClient(nb, timeout=150, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "== bach_or_stravinsky ==" in outputs and "exact active best response" in outputs
