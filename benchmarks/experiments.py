"""Overhead of ``activeq.experiments``: per-trial cost of a trivial trial, a 10,000-trial sweep, resume planning.

Measured in one run, wall-clock (``time.perf_counter``), on the trial ``activeq.experiments.examples:noop`` (returns
``{"seed": seed}`` at once), so everything timed is the layer's own cost:

* **local, per trial**: ``run`` of ``--trials`` noop trials with 1 and 2 worker processes (pool start, one SQLite
  commit per trial as it ends, the progress bookkeeping), wall / trials; beside it the floor of the same work
  without a store: ``concurrent.futures.ProcessPoolExecutor`` (fork) submitting one future per trial. Target
  <= 5 ms.
* **Ray, per trial**: the same on a local Ray with 2 CPUs (started before timing), against plain Ray tasks
  (``ray.get([noop.remote(s) for s in seeds])``). Target <= 50 ms.
* **10,000-trial sweep**: wall time and the store's size on disk (database and files).
* **resume**: a 10,000-trial spec whose store holds the first 5,000 done; the time ``run`` takes to work out what
  is left (expand the spec, hash 10,000 keys, take the lock, register, read the statuses) before the first trial is
  submitted (``RunReport.planning_seconds``). Target <= 1 s.

Run: ``.venv/bin/python benchmarks/experiments.py [--quick]``; writes ``benchmarks/results/experiments.md``
(``experiments_quick.md`` with ``--quick``: 1,000 instead of 10,000 trials, fewer for the per-trial rows). The
machine's load average is printed beside the numbers: the cores are shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Sequence

RESULTS = Path(__file__).resolve().parent / "results"
NOOP = "activeq.experiments.examples:noop"


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _local(n: int, workers: int, tmp: Path, repeat: int) -> float:
    from activeq.experiments import Experiment, run

    times = []
    for k in range(repeat):
        store = tmp / f"local{workers}_{k}"
        res = run(Experiment("noop", NOOP, seeds=n), store, workers=workers, progress=False)
        assert res.report.done == n
        times.append(res.report.seconds)
        shutil.rmtree(store)
    return statistics.median(times) / n


def _pool_floor(n: int, workers: int, repeat: int) -> float:
    import multiprocessing

    from activeq.experiments.examples import noop

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(noop, s) for s in range(n)]
            assert sum(f.result()["seed"] for f in futures) == n * (n - 1) // 2
        times.append(time.perf_counter() - t0)
    return statistics.median(times) / n


def _ray(n: int, tmp: Path, repeat: int) -> tuple[float, float, float]:
    import ray

    from activeq.experiments import Experiment, run
    from activeq.experiments.examples import noop
    from activeq.experiments.executors.ray import ray_init_options

    t0 = time.perf_counter()
    ray_tmp = tempfile.mkdtemp(prefix="aqbench", dir="/tmp")
    ray.init(**ray_init_options(num_cpus=2, object_store_memory=100 * 2**20, _temp_dir=ray_tmp))
    start = time.perf_counter() - t0
    try:
        remote = ray.remote(noop)
        ray.get([remote.remote(s) for s in range(20)])    # warm the workers for both rows
        ours, plain = [], []
        for k in range(repeat):
            res = run(Experiment("noop", NOOP, seeds=n), tmp / f"ray_{k}", executor="ray", progress=False)
            assert res.report.done == n
            ours.append(res.report.seconds)
            t0 = time.perf_counter()
            assert sum(r["seed"] for r in ray.get([remote.remote(s) for s in range(n)])) == n * (n - 1) // 2
            plain.append(time.perf_counter() - t0)
    finally:
        ray.shutdown()
        shutil.rmtree(ray_tmp, ignore_errors=True)
    return statistics.median(ours) / n, statistics.median(plain) / n, start


def _sweep_and_resume(n: int, workers: int, tmp: Path) -> tuple[float, int, float, float]:
    from activeq.experiments import Experiment, run

    store = tmp / "sweep"
    res = run(Experiment("sweep", NOOP, seeds=n), store, workers=workers, progress=False)
    assert res.report.done == n
    wall, size = res.report.seconds, _du(store)
    half = tmp / "half"
    run(Experiment("sweep", NOOP, seeds=n // 2), half, workers=workers, progress=False)
    resumed = run(Experiment("sweep", NOOP, seeds=n), half, workers=workers, progress=False)
    assert resumed.report.already_done == n // 2 and resumed.report.ran == n - n // 2
    return wall, size, resumed.report.planning_seconds, resumed.report.seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: 1,000-trial sweep, 200 trials per row")
    parser.add_argument("--trials", type=int, default=None, help="trials per per-trial row (default 1000)")
    parser.add_argument("--repeat", type=int, default=None, help="repeats of the per-trial rows (median)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray rows")
    args = parser.parse_args(argv)
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    n = args.trials or (200 if args.quick else 1000)
    repeat = args.repeat or (1 if args.quick else 3)
    big = 1000 if args.quick else 10_000
    load = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="aqbench") as tmpdir:
        tmp = Path(tmpdir)
        for w in (1, 2):
            ours = _local(n, w, tmp, repeat)
            floor = _pool_floor(n, w, repeat)
            rows.append((f"local, {w} worker{'s' if w > 1 else ''}", f"{n} noop trials", f"{ours * 1e3:.2f} ms/trial",
                         "<= 5 ms", "yes" if ours <= 5e-3 else "NO",
                         f"bare ProcessPoolExecutor {floor * 1e3:.2f} ms/trial (ratio {ours / floor:.1f}x)"))
        if not args.no_ray:
            ours, plain, start = _ray(n, tmp, repeat)
            rows.append(("ray, local 2 CPUs", f"{n} noop trials", f"{ours * 1e3:.2f} ms/trial", "<= 50 ms",
                         "yes" if ours <= 50e-3 else "NO",
                         f"plain Ray tasks {plain * 1e3:.2f} ms/trial (ratio {ours / plain:.1f}x); ray.init "
                         f"{start:.1f} s, not counted"))
        wall, size, plan, total = _sweep_and_resume(big, 2, tmp)
        rows.append((f"{big:,}-trial sweep, local 2 workers", f"{big} noop trials", f"{wall:.1f} s wall", "-", "-",
                     f"store {size / 1e6:.2f} MB ({size / big:.0f} bytes/trial)"))
        rows.append((f"resume, {big:,}-trial store half done", f"{big // 2} left", f"{plan:.3f} s to plan",
                     "<= 1 s", "yes" if plan <= 1.0 else "NO", f"then {total:.1f} s to run the rest"))
    load_after = os.getloadavg()
    head = ["what", "size", "measured", "target", "met", "note"]
    lines = [f"# experiments benchmark{' (quick)' if args.quick else ''}", "",
             f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores; wall-clock, "
             f"median of {repeat} for the per-trial rows; load average {load[0]:.1f} before, {load_after[0]:.1f} "
             "after (shared machine)", "",
             "| " + " | ".join(head) + " |", "|---|---|---:|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"experiments{'_quick' if args.quick else ''}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
