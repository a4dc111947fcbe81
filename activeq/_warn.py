"""Warnings that name the user's line: :func:`warn_caller` attributes a warning to the first frame outside activeq.

A fixed ``stacklevel`` names the right line only when the warning function is called directly by the user; through
a front door (``nash.solve`` -> a method, ``compare`` -> ``active_equilibrium``) it names activeq's own source.
Walking the stack to the first frame whose file is not inside the ``activeq`` package names the caller's line in
every case (Python 3.12's ``skip_file_prefixes`` does the same; we support 3.11).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

_PACKAGE = str(Path(__file__).resolve().parent) + "/"


def caller_stacklevel() -> int:
    """The ``stacklevel`` (for a ``warnings.warn`` call made by this function's caller) of the first outside frame."""
    frame = sys._getframe(1)  # the function that will call warnings.warn
    level = 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level


def warn_caller(message: str | Warning, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn(message, category)`` attributed to the first caller outside the activeq package."""
    warnings.warn(message, category, stacklevel=caller_stacklevel())
