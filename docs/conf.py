"""Sphinx configuration of the activeq documentation site (``make docs``; built with -W in the test suite).

Why Sphinx: the docstrings are reStructuredText with numpydoc sections (the project's convention), which Sphinx's
autodoc + napoleon render natively, autosummary walks the package recursively (new subpackages appear without
editing the docs), and MyST-NB renders the notebooks and the Markdown pages in the same build.

Notebooks: copied from ``notebooks/`` into ``docs/notebooks/`` at build time. The suite builds with
``nb_execution_mode = "off"`` (the notebook tests already execute every notebook; the site then shows their code
and text); ``make docs`` passes ``-D nb_execution_mode=cache`` so the local site shows their outputs, executed once
and cached by jupyter-cache until a notebook changes, and ``-t full`` to add highlighted source pages (viewcode).
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import sys
from pathlib import Path

import sphinx.ext.autosummary

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import activeq  # noqa: E402

project = "activeq"
author = "the activeq developers"
copyright = "2026, the activeq developers"
release = version = activeq.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "myst_nb",
]
if tags.has("full"):  # noqa: F821 (Sphinx provides `tags`): `make docs` adds highlighted source pages;
    extensions.append("sphinx.ext.viewcode")  # the suite's build leaves them out (a third of its CPU time)
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints", "api/generated/*.md"]

# --- API reference: recursive autosummary over activeq ---------------------------------------------------------------
# autosummary writes its stubs into the source tree; stubs of a module that was since removed or renamed would break
# the next -W build, so every build starts from none
shutil.rmtree(DOCS / "api" / "generated", ignore_errors=True)
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "ignore-module-all": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_mock_imports: list[str] = []
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

# --- MyST / notebooks ------------------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

html_theme = "furo"
html_title = f"activeq {release}"
html_static_path: list[str] = []


def _import_by_name_modules_first(name: str, grouped_exception: bool = True):
    """Autosummary resolves ``activeq.nash.components`` as the function ``components`` that ``activeq.nash``
    re-exports under its module's name (likewise ``correlated``), and would document the function in the module's
    place, losing the module page. Names of activeq modules resolve to the module."""
    if name.startswith("activeq.") and _is_module(name):
        return importlib.import_module(name), None, name
    return _original_import_by_name(name, grouped_exception=grouped_exception)


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_original_import_by_name = sphinx.ext.autosummary._import_by_name
sphinx.ext.autosummary._import_by_name = _import_by_name_modules_first


def _copy_notebooks() -> None:
    """The repository's notebooks/ into docs/notebooks/ (mtimes kept, so unchanged notebooks are not re-read)."""
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    wanted = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    for stale in target.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for src in sorted((ROOT / "notebooks").glob("*.ipynb")):
        dst = target / src.name
        if not dst.exists() or dst.stat().st_mtime != src.stat().st_mtime or dst.stat().st_size != src.stat().st_size:
            shutil.copy2(src, dst)


_copy_notebooks()
