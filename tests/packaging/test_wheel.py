"""The built wheel is a single `activeq` namespace that carries the game catalog and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_catalog_and_single_namespace(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("activeq-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"activeq"}, tops
    shipped = {Path(n).name for n in names if n.startswith("activeq/_catalog/") and n.endswith(".toml")}
    in_repo = {p.name for p in (ROOT / "games").glob("*.toml")}
    assert in_repo and shipped == in_repo
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "activeq = activeq.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
