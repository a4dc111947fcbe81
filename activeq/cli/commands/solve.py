"""``activeq solve GAME [--method M] [--all|--one] [--tol T] [--seed S] [--json|--csv]``: certified Nash equilibria.

Only certified equilibria (max regret <= tol x payoff scale) are printed as equilibria. A method that reaches no
certified point (learning dynamics that cycle, e.g. fictitious play in Shapley's game) prints "0 equilibria" and,
in a separate table labelled as such, the approximation it reached; ``--json`` keeps ``equilibria`` and
``approximations`` apart and says ``"converged"``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any

import numpy as np

from ...errors import SolverError
from ..loading import load_game_as
from ..output import add_json_flag, print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "solve", help="Nash equilibria of a normal-form game, with certificates",
        description="Solve a catalog game (by name) or a .toml/.nfg file for Nash equilibria. Prints each "
                    "certified equilibrium's strategies, payoffs and certificate (max regret: the most any player "
                    "gains by deviating; at most tol x max(1, payoff range)). Points a method reached without "
                    "certifying them (learning dynamics) are listed apart as approximations. Methods and their "
                    "options: `python -c 'import activeq.nash as n; help(n.solve)'`; 'auto' enumerates all "
                    "extreme equilibria of small 2-player games.")
    parser.add_argument("game", metavar="GAME", help="catalog name (see `activeq games`) or file path")
    parser.add_argument("--method", "-m", default="auto", help="solver method (default: auto)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", dest="all", action="store_true", default=True,
                       help="every equilibrium the method finds (default)")
    which.add_argument("--one", dest="all", action="store_false", help="only the first equilibrium")
    parser.add_argument("--label", type=int, default=None, help="lemke-howson: the label to drop")
    parser.add_argument("--tol", type=float, default=None,
                        help="certificate: max regret <= TOL x payoff scale (default: the method's)")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of a sampling method (fictitious-play, replicator, regret-matching, gnm with a "
                             "random ray); default: the method's fixed default seed")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print the table as CSV")
    add_json_flag(fmt)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...errors import NotConvergedError
    from ...games import NormalFormGame
    from ...nash import METHODS, solve

    game = load_game_as(args.game, NormalFormGame, "solve", "stochastic games: activeq.nash.stochastic")
    options: dict[str, Any] = {}
    if args.label is not None:
        options["label"] = args.label
    if args.seed is not None:
        if args.method not in METHODS or "seed" not in METHODS[args.method].options():
            raise SolverError(f"--seed applies to the sampling methods "
                              f"({', '.join(k for k, m in METHODS.items() if 'seed' in m.options())}); "
                              f"method {args.method!r} does not sample")
        options["seed"] = args.seed
    try:
        result = solve(game, args.method, all=args.all, tol=args.tol, **options)
        equilibria, approximations = list(result), list(result.approximations)
        method, tol = result.method, result.tol
    except NotConvergedError as exc:
        equilibria, approximations = [], list(exc.approximations)
        method, tol = approximations[0].method, approximations[0].tol
    title = game.title or game.name or args.game
    if args.json:
        print_json({"game": game.name or args.game, "method": method, "tol": tol,
                    "converged": bool(equilibria), "players": list(game.player_names),
                    "actions": [list(a) for a in game.action_names],
                    "equilibria": [eq.to_dict() for eq in equilibria],
                    "approximations": [a.to_dict() for a in approximations]})
        return 0
    headers, rows = _rows(game, equilibria, approximations)
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return 0
    n = len(equilibria)
    via = f"method {args.method}" + ("" if args.method != "auto" else f" -> {method}")
    print(f"{title}: {n} equilibri{'um' if n == 1 else 'a'} ({via}; certified: max regret <= {tol:g} x payoff "
          f"scale)")
    if equilibria:
        print(table(headers, [r for r in rows if r[1] == "equilibrium"]))
    if approximations:
        k = len(approximations)
        print(f"\n{k} approximation{'' if k == 1 else 's'} reached by {method}: NOT equilibria (max regret above "
              f"the certificate; see `converged`)")
        print(table(headers, [r for r in rows if r[1] == "approximation"]))
    return 0


def _rows(game: Any, equilibria: list[Any], approximations: list[Any]) -> tuple[list[str], list[list[Any]]]:
    headers = ["#", "kind"] + [f"{p} strategy" for p in game.player_names] + [f"{p} payoff" for p in game.player_names]
    headers += ["max regret", "converged"]
    rows = []
    for k, item in enumerate(equilibria + approximations, 1):
        kind = "equilibrium" if k <= len(equilibria) else "approximation"
        strategies = [_strategy_text(s, names) for s, names in zip(item.strategies, game.action_names)]
        rows.append([k, kind] + strategies + [float(v) for v in item.payoffs]
                    + [_regret_text(item.max_regret), "yes" if item.converged else "no"])
    return headers, rows


def _strategy_text(s: np.ndarray, names: tuple[str, ...]) -> str:
    """``C`` for a pure strategy, else ``C:0.667 D:0.333`` over the support."""
    support = np.flatnonzero(s > 1e-12)
    if len(support) == 1:
        return names[support[0]]
    return " ".join(f"{names[a]}:{s[a]:.4g}" for a in support)


def _regret_text(r: float) -> str:
    return "0" if r == 0 else f"{r:.1e}"
