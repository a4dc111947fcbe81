"""Progress bars and warnings in a real Jupyter kernel: importing activeq warns about nothing (tqdm.auto's
"IProgress not found" came from our imports), and a bar drawn there is tqdm's text bar when ipywidgets is absent."""

from __future__ import annotations

import importlib.util

import nbformat
from nbclient import NotebookClient

from activeq._progress import progress_bar
from activeq._warn import caller_stacklevel


def test_importing_activeq_nash_in_a_kernel_warns_about_nothing():
    code = ("import warnings\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    import activeq.nash, activeq.active\n"
            "    from activeq._progress import progress_bar\n"
            "    bar = progress_bar(range(3), desc='x')\n"
            "    list(bar)\n"
            "print('WARNINGS', [str(w.message) for w in caught])\n"
            "print('BAR', type(bar).__module__)\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.get("name") == "stdout")
    assert "WARNINGS []" in out, out
    expected = "tqdm.notebook" if importlib.util.find_spec("ipywidgets") else "tqdm.std"
    assert f"BAR {expected}" in out, out


def test_outside_a_kernel_the_text_bar_and_the_callers_frame():
    bar = progress_bar(total=2, disable=True)
    assert type(bar).__module__ == "tqdm.std"
    assert caller_stacklevel() == 1  # called from a test file: this frame is already outside activeq
