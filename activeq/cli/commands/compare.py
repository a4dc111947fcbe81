"""``activeq compare GAME``: Nash equilibria of the stage game vs active best responses, equilibria and learning.

One table per game (see :func:`activeq.active.compare`); ``--out DIR`` also writes the JSON and, for 2x2 games, the
policy-trajectories figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from ..output import add_json_flag, print_json


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="active best responses / equilibria vs Nash equilibria for a 2-player game")
    p.add_argument("game", help="catalog name or path of a 2-player game (iterated with memory 1)")
    p.add_argument("--opponents", default="q_persona,naive,fictitious_play,tit_for_tat",
                   help="comma-separated opponent learners (q_persona, naive, naive_sampled, lola, fictitious_play, "
                        "tit_for_tat, win_stay_lose_shift, uniform)")
    p.add_argument("--baselines", default="naive", help="comma-separated learners seated against each opponent")
    p.add_argument("--steps", type=int, default=1000, help="simulation steps for learning processes")
    p.add_argument("--chains", type=int, default=8, help="independent chains per simulation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="directory for compare.json (+ trajectories.png for 2x2 games)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print the table as CSV (one row per table row)")
    add_json_flag(fmt)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...active.compare import compare, trajectories_figure

    result = compare(args.game, _names(args.opponents), baselines=_names(args.baselines), steps=args.steps,
                     chains=args.chains, seed=args.seed, progress=not (args.quiet or args.json))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "compare.json").write_text(json.dumps(result.to_dict(), indent=1))
        stage = result.nash and len(result.nash[0].strategies) == 2 and all(len(s) == 2 for s in result.nash[0].strategies)
        if stage:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt

            # the active agent is the best response this comparison computed (naive's if there is one): no new search
            opp = "naive" if "naive" in result.active else next(iter(result.active), None)
            pairs = [("naive vs naive", "naive", "naive")] + ([(f"active BR vs {opp}", "active_br", opp)] if opp else [])
            fig = trajectories_figure([args.game], pairs=pairs + [("naive vs Q persona", "naive", "q_persona")],
                                      seed=args.seed,
                                      active={(result.game, o): amg for o, amg in result.active.items()})
            fig.savefig(out / "trajectories.png", dpi=110)
            plt.close(fig)
    if args.json:
        print_json(result.to_dict())
    elif args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        headers = ["game", "kind", "computed", "opponent"] + [f"{p} plays" for p in result.players]
        headers += [f"payoff[{p}]" for p in result.players] + [f"stderr[{p}]" for p in result.players]
        writer.writerow(headers + ["converged", "method", "note"])
        for r in result.rows:
            writer.writerow([result.game, r.kind, r.label, r.opponent, *r.agents, *r.payoffs, *r.stderr, r.status,
                             r.method, r.note])
    else:
        print(result.table())
    return 0
