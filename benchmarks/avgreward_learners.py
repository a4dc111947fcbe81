"""Step cost of the model-based average-reward learners: rank-one ("fast") vs straightforward ("dense") solvers.

The straightforward learner re-solves a dense |S| x |S| stationary system for every candidate action at every step
(O(A S^3) per step; the reference implementation of the polynomial-mixing-times paper does this). The fast one keeps
``C^{-1}`` (C = I - P_pi with a column of ones) under Sherman-Morrison rank-one row updates, so all candidate gains
at a state cost O(A S); committing a row is O(S^2) in one ``dger`` below 300 states, and above that sparse row
changes plus a low-rank buffer folded in by one matrix product every 32 commits. Both run in one process on the same
environment and seed; the benchmark checks that their learning curves (per-step rewards) are identical over the
steps both ran.

Environments with |S| = 400 learner states: 4 rooms of 5x5 with the task in the state (4 tasks x 100 cells), and
16 bottleneck rooms of 5x5 observed by cell (the task is hidden; built without the optimal gain, which a speed
measurement does not use); and, for scaling, 16 rooms of 2x2 with the task in the state (1024 states, on-policy rho
only, a tenth of the dense steps). CPU time (``time.process_time``)
of single-threaded BLAS is measured, median over repeats, so other load on the machine distorts it less than wall
time. Run: ``.venv/bin/python benchmarks/avgreward_learners.py [--quick]``; writes
``benchmarks/results/avgreward_learners.md`` (``avgreward_learners_quick.md`` with ``--quick``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _steps_per_second(make, env, steps: int, seed: int, repeat: int) -> tuple[float, np.ndarray]:
    from activeq.avgreward.learners import run

    rates, rewards = [], None
    for _ in range(repeat):
        learner = make()
        t0 = time.process_time()
        res = run(learner, env, steps, seed, progress=False)
        rates.append(steps / max(time.process_time() - t0, 1e-9))
        rewards = res.rewards
    return statistics.median(rates), rewards


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: fewer steps, on-policy rho only")
    parser.add_argument("--dense-steps", type=int, default=None, help="steps timed for the dense reference")
    parser.add_argument("--fast-steps", type=int, default=None, help="steps timed for the fast solver")
    args = parser.parse_args(argv)
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from activeq.avgreward.environments import ENVIRONMENTS
    from activeq.avgreward.learners import make_learner

    dense_steps = args.dense_steps or (30 if args.quick else 100)
    fast_steps = args.fast_steps or (1000 if args.quick else 5000)
    repeat = 1 if args.quick else 3
    envs = [ENVIRONMENTS["rooms"](rooms=4, length=5)]
    if not args.quick:
        # speed only: per-task optimal gains are not needed here (exact_gains=False)
        envs.append(ENVIRONMENTS["rooms_cells"](rooms=16, length=5, exact_gains=False))
        envs.append(ENVIRONMENTS["rooms"](rooms=16, length=2))
    learners = [("rho_on", {})] if args.quick else [("rho_on", {}), ("rho_off", {}), ("rho_pg", {})]
    rows = []
    full_dense_steps = dense_steps
    for env in envs:
        S, A = env.num_states, env.num_actions
        big = S > 500          # the dense reference costs ~1 s per step here
        dense_steps = max(10, full_dense_steps // 10) if big else full_dense_steps
        for name, kw in (learners[:1] if big else learners):
            fast_rate, fast_rewards = _steps_per_second(lambda: make_learner(name, S, A, solver="fast", **kw),
                                                         env, fast_steps, 0, repeat)
            dense_rate, dense_rewards = _steps_per_second(lambda: make_learner(name, S, A, solver="dense", **kw),
                                                           env, dense_steps, 0, repeat)
            # the fast run over the dense run's steps, for the identical-curve check
            from activeq.avgreward.learners import run
            short = run(make_learner(name, S, A, solver="fast", **kw), env, dense_steps, 0, progress=False)
            same = bool(np.array_equal(short.rewards, dense_rewards)) and \
                bool(np.array_equal(fast_rewards[:dense_steps], dense_rewards))
            rows.append((env.name, S, name, dense_rate, fast_rate, fast_rate / dense_rate, same))
            print(f"  {env.name} {name}: dense {dense_rate:.1f} steps/s, fast {fast_rate:.1f} steps/s", flush=True)
    head = ("environment", "|S|", "learner", "dense steps/s", "fast steps/s", "speed-up", "identical curves")
    body = [(e, str(s), n, f"{d:.1f}", f"{f:.0f}", f"{r:.0f}x", "yes" if same else "NO") for e, s, n, d, f, r, same in rows]
    widths = [max(len(h), *(len(b[k]) for b in body)) for k, h in enumerate(head)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    table = "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(b) for b in body])
    info = (f"dense: {full_dense_steps} steps ({max(10, full_dense_steps // 10)} above 500 states), fast: {fast_steps} "
            f"steps, median of {repeat} (CPU time, 1 BLAS thread); "
            f"identical = same per-step rewards over the steps the dense run took, seed 0. "
            f"numpy {np.__version__}, Python {platform.python_version()}, {platform.machine()}.")
    print(table)
    print(info)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("avgreward_learners_quick.md" if args.quick else "avgreward_learners.md")
    out.write_text("# Model-based average-reward learners: step cost, fast vs dense\n\n" + table + "\n\n" + info + "\n")
    print(f"wrote {out}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
