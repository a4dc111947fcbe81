"""Run every benchmark script in this folder: ``.venv/bin/python benchmarks/run_all.py [--quick] [--only NAME]``.

Scripts are discovered (every ``benchmarks/*.py`` except this file and ``_private.py`` helpers) and each one's
``main(argv)`` is called with ``["--quick"]`` or ``[]``; adding a benchmark never edits this file. A failing
script is reported and the others still run; the exit code is the number of failures.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import traceback
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent


def discover() -> list[Path]:
    """Benchmark scripts in this folder, sorted by name."""
    return sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_"))


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark (CI-sized)")
    parser.add_argument("--only", action="append", default=None, metavar="NAME",
                        help="run only this script (stem, e.g. nash; repeatable)")
    args = parser.parse_args(argv)
    root = str(HERE.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    scripts = [p for p in discover() if args.only is None or p.stem in args.only]
    if args.only and len(scripts) != len(set(args.only)):
        known = ", ".join(p.stem for p in discover())
        parser.error(f"unknown benchmark in {args.only}; available: {known}")
    summary = []
    for path in scripts:
        print(f"=== {path.name} {'--quick' if args.quick else ''}", flush=True)
        t0 = time.perf_counter()
        try:
            module = _load(path)
            if not hasattr(module, "main"):
                raise AttributeError(f"{path.name} has no main(argv)")
            code = int(module.main(["--quick"] if args.quick else []) or 0)
        except Exception:  # keep going: one broken benchmark must not hide the others
            traceback.print_exc()
            code = 1
        summary.append((path.stem, code, time.perf_counter() - t0))
    print("\n=== summary")
    width = max([len(s) for s, _, _ in summary] + [9])
    for stem, code, secs in summary:
        print(f"{stem.ljust(width)}  {'ok' if code == 0 else f'FAILED ({code})':>10}  {secs:8.1f} s")
    return sum(1 for _, code, _ in summary if code != 0)


if __name__ == "__main__":
    raise SystemExit(main())
