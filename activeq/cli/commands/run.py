"""``activeq run SPEC.toml --store PATH``: run an experiment spec's trials that the store does not hold yet.

Resumable: run the same command again after a crash or Ctrl-C and only the missing trials run. Exit status 0 when
every trial is done, 1 when some are recorded as failed (``activeq results NAME --store PATH --status failed``
prints their tracebacks), 2 on a bad spec, store or executor.
"""

from __future__ import annotations

import argparse

from ..output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run an experiment spec (TOML) into a results store; resumable",
                       description="Run the trials of SPEC not yet in the store (local processes or Ray).")
    p.add_argument("spec", help="the experiment spec, a TOML file")
    p.add_argument("--store", required=True, help="results store directory (created if missing)")
    p.add_argument("--executor", choices=["local", "ray"], default="local")
    p.add_argument("--workers", type=int, default=None,
                   help="local: worker processes (default: one per core); ray: CPUs of a Ray started for this run")
    p.add_argument("--address", default=None, help="ray: address of an existing cluster (host:port)")
    p.add_argument("--no-rerun-failed", action="store_true", help="leave trials stored as failed alone")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...experiments import run as run_experiment

    res = run_experiment(args.spec, args.store, executor=args.executor, workers=args.workers, address=args.address,
                         progress=not (args.quiet or args.json), rerun_failed=not args.no_rerun_failed)
    rep = res.report
    failed = [r for r in res if r.status == "failed"]
    if args.json:
        print_json({**rep.to_dict(), "failures": [{"key": r.key, "seed": r.seed, "params": r.params,
                                                   "error": (r.error or "").strip().splitlines()[-1:]}
                                                  for r in failed]})
    else:
        print(f"experiment {rep.experiment}: {rep.trials} trials, store {rep.store} ({rep.executor})")
        print(f"  done     {rep.done:>6}   ({rep.already_done} already stored, {rep.ran} run now"
              + (f", {rep.interrupted} re-run after an interrupted driver" if rep.interrupted else "") + ")")
        print(f"  failed   {rep.failed:>6}" + (f"   activeq results {rep.experiment} --store {rep.store} "
                                              "--status failed" if failed else ""))
        for r in failed[:5]:
            last = (r.error or "").strip().splitlines()[-1:] or ["?"]
            print(f"    seed {r.seed} {r.params}: {last[0]}")
        print(f"  wall     {rep.seconds:>8.1f} s")
    return 1 if failed else 0
