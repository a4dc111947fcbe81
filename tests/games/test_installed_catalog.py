"""From a real (non-editable) wheel install the catalog is read from ``activeq/_catalog`` inside the package."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_game_works_from_an_installed_wheel(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("activeq-*.whl"))
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
