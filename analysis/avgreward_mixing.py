"""Full-size mixing-time scaling: exact mixing times over family sizes and their log-log exponents.

Writes ``analysis/results/mixing_scaling.csv`` (one row per family and size), ``mixing_fits.csv`` (one row per
fit) and the figures ``mixing_walks.png`` (lazy cycle / path, TV), ``mixing_rooms_tv.png`` (random walk over the
cells of bottleneck rooms, TV, by room side and by room count) and ``mixing_rooms_return.png`` (eps-return mixing
time of the optimal policy of the task-switching rooms MDP, eps = 0.1 x optimal gain).
Run: ``.venv/bin/python analysis/avgreward_mixing.py [--quick]``.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import csv  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a minute)")
    args = parser.parse_args(argv)
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))
    from activeq.avgreward.scaling import mixing_scaling
    from activeq.plot.scaling import plot_scaling

    q = args.quick
    specs = {
        "walks": [
            ("lazy_cycle", [16, 32, 64, 128] if q else [32, 64, 128, 256, 512, 1024], {}),
            ("lazy_path", [16, 32, 64, 128] if q else [32, 64, 128, 256, 512, 1024], {}),
        ],
        "rooms_tv": [
            ("rooms_length", [2, 3, 4, 5, 6] if q else [2, 3, 4, 5, 6, 8, 10, 12], {"rooms": 4}),
            ("rooms_count", [2, 4, 9, 16] if q else [2, 4, 9, 16, 25, 36, 49], {"length": 3}),
        ],
        "rooms_return": [
            ("rooms_length", [2, 3, 4, 5] if q else [2, 3, 4, 5, 6, 8, 10], {"rooms": 4, "chain": "optimal"}),
            ("rooms_count", [2, 4, 9] if q else [2, 4, 9, 16, 25], {"length": 3, "chain": "optimal"}),
        ],
    }
    OUT.mkdir(exist_ok=True)
    all_rows, fit_rows = [], []
    for fig_name, items in specs.items():
        fits = []
        for family, sizes, kw in items:
            t0 = time.perf_counter()
            fit = mixing_scaling(family, sizes, progress=True, **kw)
            fits.append(fit)
            all_rows += fit.rows()
            fit_rows.append({"figure": fig_name, "family": fit.family, "chain": fit.chain, "method": fit.method,
                             "eps": fit.eps, "sizes": " ".join(map(str, fit.sizes)),
                             "times": " ".join(map(str, fit.times)), "exponent": round(fit.exponent, 4),
                             "prefactor": round(fit.prefactor, 4), "r_squared": round(fit.r_squared, 4),
                             "seconds": round(time.perf_counter() - t0, 1)})
            print(f"{fig_name:<13} {fit.label}  R^2={fit.r_squared:.3f}  sizes={fit.sizes.tolist()} "
                  f"times={fit.times.tolist()}", flush=True)
        titles = {"walks": "Lazy walks: TV mixing time (exponent 2 expected)",
                  "rooms_tv": "Bottleneck rooms, random walk over cells: TV mixing time",
                  "rooms_return": "Bottleneck rooms, optimal policy: 0.1-gain return mixing time"}
        fig = plot_scaling(fits, title=titles[fig_name], xlabel="size (n, room side or number of rooms)")
        fig.savefig(OUT / f"mixing_{fig_name}.png", dpi=120)
    keys = sorted({k for row in all_rows for k in row})
    with (OUT / "mixing_scaling.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(all_rows)
    with (OUT / "mixing_fits.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(fit_rows[0]))
        w.writeheader()
        w.writerows(fit_rows)
    print(f"wrote {OUT}/mixing_*.csv and mixing_*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
