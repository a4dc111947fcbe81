"""``activeq regret``: regret of average-reward learners on bottleneck rooms (or another registered environment).

Regret is ``sum_t (g* - r_t)`` against the exact optimal gain; one row per learner and report step (mean and
standard error over seeds). ``--out DIR`` keeps per-run results (a rerun resumes) and writes ``summary.csv``.
"""

from __future__ import annotations

import argparse
import json

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
    p.add_argument("--out", default=None, help="directory for per-run JSON and summary.csv (resumable)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...avgreward.experiments import EnvSpec, LearnerSpec, regret_sweep
    from ...errors import ExperimentError

    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        raise ExperimentError(f"--params must be a JSON object: {exc}") from None
    if not isinstance(params, dict):
        raise ExperimentError(f"--params must be a JSON object, got {args.params!r}")
    learners = [LearnerSpec(n.strip(), n.strip()) for n in args.learners.split(",") if n.strip()]
    res = regret_sweep([EnvSpec(args.env, args.env, params)], learners, seeds=range(args.seeds), steps=args.steps,
                       out_dir=args.out, workers=args.workers, progress=not (args.quiet or args.json))
    if args.json:
        print_json({"environment": args.env, "params": params, "steps": args.steps, "summary": res.summary()})
    else:
        print(res.table())
    return 0
