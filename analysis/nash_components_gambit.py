"""Equilibrium components on Gambit's own game files: activeq's extreme equilibria and maximal Nash subsets vs
pygambit's ``enummixed_solve(rational=True)`` on every 2-player ``.nfg`` file under a directory.

Gambit's files are not shipped with activeq (GPL); point the script at a Gambit checkout::

    .venv/bin/python analysis/nash_components_gambit.py /path/to/gambit --out analysis/results

For each file: Gambit's profile count (with its repeats), its distinct profiles, ours, whether the two sets are
equal (max-abs tolerance 1e-7), our maximal Nash subsets, connected components, and the largest subset's
dimension. Writes ``nash_components_gambit.csv`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "nash"))
from _reference import same_set  # noqa: E402

from activeq import nash  # noqa: E402
from activeq.games.interop import read_nfg  # noqa: E402


def gambit_enummixed(path: Path) -> tuple[int, list[tuple[np.ndarray, np.ndarray]]]:
    """Gambit's own reading of the file (exact rationals), enummixed in rational arithmetic: (listed, distinct)."""
    import pygambit as gbt

    game = gbt.read_nfg(str(path))
    listed = gbt.nash.enummixed_solve(game, rational=True).equilibria
    distinct: list[tuple[np.ndarray, np.ndarray]] = []
    for eq in listed:
        x, y = (np.array([float(v) for _, v in eq[p]]) for p in game.players)
        if not any(np.allclose(x, a, atol=1e-9) and np.allclose(y, b, atol=1e-9) for a, b in distinct):
            distinct.append((x, y))
    return len(listed), distinct


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", type=Path, help="directory searched recursively for .nfg files")
    parser.add_argument("--out", type=Path, default=Path("analysis/results"))
    args = parser.parse_args(argv)
    rows = []
    for path in sorted(args.root.rglob("*.nfg")):
        game = read_nfg(path)
        if game.num_players != 2:
            continue
        rel = str(path.relative_to(args.root))
        comp = nash.components(game)
        listed, ref = gambit_enummixed(path)
        ours = [eq.strategies for eq in comp.extreme]
        dims = max((sum(s.dimension) for s in comp.subsets), default=0)
        rows.append([rel, "x".join(map(str, game.num_actions)), listed, len(ref), len(ours),
                     same_set(ours, ref), len(comp.subsets), len(comp.connected), dims])
    head = ["file", "actions", "gambit listed", "gambit distinct", "activeq extreme", "same set",
            "maximal subsets", "connected", "max subset dim"]
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "nash_components_gambit.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([head] + rows)
    checked = rows
    lines = ["# Equilibrium components on Gambit's own 2-player .nfg files", "",
             f"{len(checked)} files compared; same extreme-equilibrium set as Gambit's enummixed (rational) on "
             f"{sum(r[5] for r in checked)}; Gambit repeats a profile on "
             f"{sum(r[2] != r[3] for r in checked)}; a continuum of equilibria (a subset of dimension > 0) on "
             f"{sum(r[8] > 0 for r in checked)}.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    (args.out / "nash_components_gambit.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:3]))
    return 0 if all(r[5] for r in checked) else 1


if __name__ == "__main__":
    raise SystemExit(main())
