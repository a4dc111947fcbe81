"""Regret of the model-based gain learners vs the baselines on bottleneck rooms (issue 4, full scale).

Environments: ``rooms`` regions of ``length x length`` cells with switching goals, the task in the state
(:func:`activeq.games.generators.scalable.rooms_mdp`), cycles and random switching. Regret is
``sum_t (g* - r_t)`` with g* the exact optimal gain from ``solve_average_reward``. Results go to ``--out``
(default ``analysis/results/``): ``regret_<env>.png`` (mean cumulative regret with standard-error bands over seeds,
log x axis), ``regret_table_<layouts>_<steps>.md`` and ``regret_summary_<layouts>_<steps>.csv``. Every run is a
trial of :func:`activeq.avgreward.trials.regret_trial` in the results store ``<out>/store`` (experiment
``regret``), so an interrupted script resumes when rerun with the same command, a long run from its checkpoint;
``--executor ray`` runs the trials on Ray.

Run: ``.venv/bin/python analysis/avgreward_regret.py [--steps 100000] [--seeds 10] [--quick]``. The step count is a
flag: the table's header states what was actually run.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from activeq import experiments  # noqa: E402
from activeq.avgreward.learners import LEARNERS  # noqa: E402
from activeq.avgreward.trials import RegretRuns, regret_spec  # noqa: E402
from activeq.plot.curves import plot_regret_curves  # noqa: E402

RESULTS = ROOT / "analysis" / "results"


def exploration_floor(rooms: int, length: int, switching: str, epsilon: float = 0.05) -> tuple[float, float]:
    """``(g*, g_eps)``: the exact optimal gain and the exact gain of the optimal policy played epsilon-greedily (the
    default exploration of every learner here). A learner that has found the optimal policy still pays
    ``g* - g_eps`` per step, so ``T (g* - g_eps)`` separates the exploration tax from learning regret."""
    import numpy as np

    from activeq.avgreward import gain_bias, policy_chain, solve_average_reward
    from activeq.games.generators.scalable import rooms_mdp

    mdp = rooms_mdp(rooms, length, switching)
    sol = solve_average_reward(mdp)
    pol = np.full((mdp.num_states, mdp.num_actions), epsilon / mdp.num_actions)
    pol[np.arange(mdp.num_states), sol.policy] += 1.0 - epsilon
    return float(np.mean(sol.gain)), float(gain_bias(*policy_chain(mdp, pol)).scalar_gain)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=100_000, help="steps per run (regret reported at 1e4, 1e5, 1e6 <= steps)")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--layouts", nargs="+", default=["4x3", "16x2"], help="ROOMSxLENGTH layouts (task in state: "
                   "rooms^2 * length^2 states)")
    p.add_argument("--switching", nargs="+", default=["cycles", "random"])
    p.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=list(LEARNERS))
    p.add_argument("--workers", type=int, default=1, help="processes (local executor) or CPUs of a local Ray")
    p.add_argument("--executor", choices=["local", "ray"], default="local")
    p.add_argument("--address", default=None, help="ray: address of an existing cluster")
    p.add_argument("--quick", action="store_true", help="smoke-sized: 2000 steps, 2 seeds, 4x3 only")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    if args.quick:
        args.steps, args.seeds, args.layouts = 2000, 2, ["4x3"]
    report = [t for t in (10_000, 100_000, 1_000_000) if t < args.steps] + [args.steps]
    envs = []
    for lay in args.layouts:
        rooms, length = (int(v) for v in lay.split("x"))
        for sw in args.switching:
            envs.append({"rooms": rooms, "length": length, "switching": sw})
    args.out.mkdir(parents=True, exist_ok=True)
    all_runs = []
    for env in envs:   # one environment at a time so finished environments are plotted even if a later one is cut
        spec = experiments.Experiment.from_dict(regret_spec("regret", [("rooms", env)], args.learners,
                                                            seeds=args.seeds, steps=args.steps, report_steps=report))
        res = experiments.run(spec, args.out / "store", executor=args.executor, workers=args.workers,
                              address=args.address, progress=True)
        if res.failed:
            print(f"{len(res.failed)} trials failed; `activeq results regret --store {args.out / 'store'} "
                  "--status failed` shows why", file=sys.stderr)
            return 1
        runs = RegretRuns.from_records(res)
        all_runs.extend(runs.runs)
        label = runs.environments[0]
        steps, curves = runs.curves(label)
        fig = plot_regret_curves(curves, x=steps, logx=True, title=f"{label}: regret vs exact optimal gain")
        fig.savefig(args.out / f"regret_{label}.png", dpi=120, bbox_inches="tight")
        print(runs.table(), flush=True)
    total = RegretRuns(tuple(all_runs))
    tag = "_".join(args.layouts) + f"_{args.steps}"
    total.to_csv(args.out / f"regret_summary_{tag}.csv")
    floors = []
    for lay in args.layouts:
        rooms, length = (int(v) for v in lay.split("x"))
        for sw in args.switching:
            g, ge = exploration_floor(rooms, length, sw)
            floors.append(f"| rooms{rooms}x{length}_{sw} | {g:.4f} | {ge:.4f} | "
                          + " | ".join(f"{t * (g - ge):.0f}" for t in report) + " |")
    head = (f"# Regret on bottleneck rooms\n\n{args.steps} steps per run, seeds 0..{args.seeds - 1}, regret = "
            f"sum_t (g* - r_t) with the exact optimal gain g*; mean and standard error over seeds.\n\n"
            "Exploration floor: the exact gain g_eps of the optimal policy played 5%-epsilon-greedily (every "
            "learner's default exploration). A learner that has found the optimal policy still accrues T (g* - g_eps):\n\n"
            "| environment | g* | g_eps | " + " | ".join(f"floor at {t}" for t in report) + " |\n"
            "|---|---|---|" + "---|" * len(report) + "\n" + "\n".join(floors) + "\n")
    (args.out / f"regret_table_{tag}.md").write_text(head + "\n```\n" + total.table() + "\n```\n")
    print(f"wrote {args.out / f'regret_table_{tag}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
