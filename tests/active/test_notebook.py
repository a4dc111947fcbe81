"""Execute notebooks/active_vs_nash.ipynb end to end (its cells assert the story's claims)."""


def test_active_vs_nash_notebook_runs(execute_notebook):
    nb = execute_notebook("active_vs_nash.ipynb", 150)
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "== bach_or_stravinsky ==" in outputs and "exact active best response" in outputs
