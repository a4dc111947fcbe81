"""``activeq results NAME --store PATH``: one record per trial of an experiment (params, seed, status, result).

Text table by default; ``--csv`` prints the flat table as CSV, ``--json`` every record in full (with tracebacks of
failed trials).
"""

from __future__ import annotations

import argparse
import sys

from ..output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("results", help="the stored trials of an experiment (table, CSV or JSON)",
                       description="Print the stored trials of experiment NAME: params, seed, status, result.")
    p.add_argument("name", help="experiment name")
    p.add_argument("--store", required=True, help="results store directory")
    p.add_argument("--status", choices=["done", "failed", "running", "pending"], default=None,
                   help="only trials with this status")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    add_json_flag(fmt)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...experiments import results

    res = results(args.store, args.name, status=args.status)
    if args.json:
        print_json({"experiment": args.name, "store": args.store, "trials": res.to_dicts()})
    elif args.csv:
        sys.stdout.write(res.to_csv())
    else:
        print(res.table())
        counts = {s: sum(r.status == s for r in res) for s in ("done", "failed", "running", "pending")}
        print(f"\n{len(res)} trials of {args.name}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
        for r in res.failed[:3]:
            print(f"\nfailed: seed {r.seed} {r.params}\n{(r.error or '').rstrip()}")
    return 0
