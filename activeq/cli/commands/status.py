"""``activeq status --store PATH``: done, running, pending and failed trials per experiment in a results store."""

from __future__ import annotations

import argparse
import time

from ..output import add_json_flag, print_json, table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="trial counts per experiment in a results store",
                       description="Done, running, pending and failed trials per experiment in a results store.")
    p.add_argument("--store", required=True, help="results store directory")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...experiments import status

    rows = status(args.store)
    if args.json:
        print_json({"store": args.store, "experiments": rows})
        return 0
    body = [[r["experiment"], r["trials"], r["done"], r["running"], r["pending"], r["failed"],
             "-" if r["last_ended"] is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["last_ended"]))]
            for r in rows]
    print(table(["experiment", "trials", "done", "running", "pending", "failed", "last trial ended"], body))
    print(f"\n{len(rows)} experiment{'s' if len(rows) != 1 else ''} in {args.store}")
    return 0
