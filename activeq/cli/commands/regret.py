"""``activeq regret``: regret of average-reward learners on bottleneck rooms (or another registered environment).

Regret is ``sum_t (g* - r_t)`` against the exact optimal gain; one row per learner and report step: mean and
standard error over seeds, and the mean reward and optimal gain averaged over the steps up to that row's step. The
trials run through :mod:`activeq.experiments` (:func:`activeq.avgreward.trials.regret_trial`): ``--store PATH``
keeps them in a results store, so a rerun (after a crash too) resumes, and a changed ``--steps`` or ``--params`` is
a new trial rather than a conflict; without it they run in a temporary store.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile

from ..output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("regret", help="regret of average-reward learners (model-based gain learners vs baselines)")
    p.add_argument("--env", default="rooms", help="environment builder: rooms, rooms_cells, cycle_tasks, random_mdp")
    p.add_argument("--params", default='{"rooms": 4, "length": 3, "switching": "cycles"}',
                   help="JSON object of builder parameters")
    p.add_argument("--learners", default="rho_on,rho_iter,q_learning,differential_q",
                   help="comma-separated learner names (see activeq.avgreward.learners.LEARNERS)")
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    p.add_argument("--store", default=None, help="results store directory (resumable); default: a temporary one")
    p.add_argument("--name", default="regret", help="experiment name in the store")
    p.add_argument("--executor", choices=["local", "ray"], default="local")
    p.add_argument("--workers", type=int, default=None, help="processes (local) or CPUs (a local Ray)")
    p.add_argument("--address", default=None, help="ray: address of an existing cluster")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--csv", action="store_true", help="print the summary as CSV")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...avgreward.trials import RegretRuns, regret_spec
    from ...errors import ExperimentError
    from ...experiments import Experiment
    from ...experiments import run as run_experiment

    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        raise ExperimentError(f"--params must be a JSON object: {exc}") from None
    if not isinstance(params, dict):
        raise ExperimentError(f"--params must be a JSON object, got {args.params!r}")
    learners = [n.strip() for n in args.learners.split(",") if n.strip()]
    if args.seeds < 1:
        raise ExperimentError(f"--seeds must be >= 1, got {args.seeds}")
    spec = Experiment.from_dict(regret_spec(args.name, [(args.env, params)], learners, seeds=args.seeds,
                                            steps=args.steps), source="activeq regret")
    with tempfile.TemporaryDirectory(prefix="activeq-regret-") as tmp:
        res = run_experiment(spec, args.store or tmp, executor=args.executor, workers=args.workers,
                             address=args.address, progress=not (args.quiet or args.json or args.csv))
        failed = res.failed
        if failed:
            raise ExperimentError(f"{len(failed)} regret trials failed; first: seed {failed[0].seed} "
                                  f"{failed[0].params['learner']}: "
                                  + ((failed[0].error or "").strip().splitlines() or ["?"])[-1])
        runs = RegretRuns.from_records(res)
    if args.json:
        print_json({"environment": args.env, "params": params, "steps": args.steps, "store": args.store,
                    "summary": runs.summary()})
    elif args.csv:
        rows = runs.summary()
        import csv

        w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        print(runs.table())
        print(f"\nregret = sum_t (g* - r_t) vs the exact optimal gain; mean +- standard error over {args.seeds} "
              "seeds; mean reward and optimal gain are averages over the steps up to each row's step")
    return 0
