"""The documentation site builds with warnings as errors (Sphinx -W), from the repository, into a temporary directory.

The API reference is recursive over ``activeq``: every public module (found here by walking the package, so a new
subpackage is covered without editing the docs) must get its own page. The notebooks are rendered without
executing them (the notebook tests execute them; ``make docs`` renders them with their outputs).
"""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import activeq

ROOT = Path(__file__).resolve().parents[2]


def public_modules() -> list[str]:
    names = ["activeq"]
    for info in pkgutil.walk_packages(activeq.__path__, prefix="activeq."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def test_docs_build_with_warnings_as_errors(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           str(ROOT / "docs"), str(out), "-d", str(tmp_path / "doctrees")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-5000:]
    pages = {p.stem for p in (out / "api" / "generated").glob("*.html")}
    missing = [m for m in public_modules() if m not in pages]
    assert not missing, f"modules without an API page: {missing}"
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert (out / "notebooks" / f"{nb.stem}.html").is_file(), nb.name
    # a module re-exported as a function of the same name (nash.components, nash.correlated) keeps its module page
    html = (out / "api" / "generated" / "activeq.nash.components.html").read_text()
    assert "extreme-equilibrium graph" in html and "NashSubset" in html and "maximal_bicliques" in html
    # every cross-reference in the hand-written pages resolves (an unresolved one renders without a link)
    for page in [out / "tutorial.html", *(out / "howto").glob("*.html"), *(out / "explain").glob("*.html")]:
        refs = re.findall(r'(<a class="reference internal"[^>]*>)?<code class="xref py[^"]*"[^>]*>(.*?)</code>',
                          page.read_text())
        dangling = [re.sub("<[^>]+>", "", text) for link, text in refs if not link]
        assert not dangling, f"{page.name}: unresolved references {dangling}"
