"""Suite-wide settings: one BLAS/torch thread per xdist worker (CI has 2 cores and runs 2 workers)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

try:  # torch is a dependency, but keep collection working if an area's tests do not need it
    import torch

    torch.set_num_threads(1)
except ImportError:  # pragma: no cover
    pass


ROOT = Path(__file__).resolve().parents[1]


def _execute_notebook(name: str, timeout: int, *, committed_clean: bool = False):
    """Execute ``notebooks/<name>`` from the repository root in a real kernel; return the executed notebook.

    ``committed_clean`` first asserts that the notebook is committed with its outputs cleared.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    if committed_clean:
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
            "commit the notebook with outputs cleared"
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    return nb


@pytest.fixture
def execute_notebook():
    """:func:`_execute_notebook`, for the notebook tests of every area."""
    return _execute_notebook
