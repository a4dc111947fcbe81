"""Progress bars that never warn: tqdm's notebook widget when it can be drawn, its text bar otherwise.

``tqdm.auto`` warns at *import* ("IProgress not found") inside a Jupyter kernel without ipywidgets, so importing any
activeq module that imported it warned. Here nothing is imported until a bar is made, and the widget bar is chosen
only when we are in a Jupyter kernel *and* ipywidgets is installed; otherwise the plain text bar (which works in
notebooks too).
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def _notebook() -> bool:
    return "ipykernel" in sys.modules and importlib.util.find_spec("ipywidgets") is not None


def progress_bar(iterable: Any = None, **kwargs: Any) -> Any:
    """A tqdm bar (same arguments as ``tqdm.tqdm``): the widget in Jupyter with ipywidgets, else the text bar."""
    if _notebook():
        from tqdm.notebook import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm(iterable, **kwargs)
