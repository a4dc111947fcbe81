"""The built wheel: one `activeq` namespace, the game catalog inside it, the console script, and a real
(non-editable) install that reads the catalog from ``activeq/_catalog``. The wheel is built once per module."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("activeq-*.whl"))


def test_wheel_is_one_namespace_with_catalog_and_script(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"activeq"}, tops
    shipped = {Path(n).name for n in names if n.startswith("activeq/_catalog/") and n.endswith(".toml")}
    in_repo = {p.name for p in (ROOT / "games").glob("*.toml")}
    assert in_repo and shipped == in_repo
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "activeq = activeq.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_load_game_works_from_an_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    code = ("import activeq; from activeq.games.catalog import catalog_dir; "
            "print(activeq.__file__); print(catalog_dir()); print(len(activeq.list_games())); "
            "print(activeq.load_game('grid_game_2').num_states)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    module, catalog, count, states = proc.stdout.split()
    assert Path(module).is_relative_to(site) and Path(catalog) == site / "activeq" / "_catalog"
    assert int(count) == len(list((ROOT / "games").glob("*.toml"))) and int(states) == 81
