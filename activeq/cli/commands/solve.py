"""``activeq solve GAME [--method M] [--all|--one] [--json]``: Nash equilibria with their certificates."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ...errors import SolverError
from ..output import add_json_flag, print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "solve", help="Nash equilibria of a normal-form game, with certificates",
        description="Solve a catalog game (by name) or a .toml/.nfg file for Nash equilibria. Prints each "
                    "equilibrium's strategies, payoffs and certificate (max regret: the most any player gains by "
                    "deviating). Methods: see `activeq.nash.METHODS`; 'auto' enumerates all extreme equilibria of "
                    "small 2-player games.")
    parser.add_argument("game", metavar="GAME", help="catalog name (see `activeq games`) or file path")
    parser.add_argument("--method", "-m", default="auto", help="solver method (default: auto)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", dest="all", action="store_true", default=True,
                       help="every equilibrium the method finds (default)")
    which.add_argument("--one", dest="all", action="store_false", help="only the first equilibrium")
    parser.add_argument("--label", type=int, default=None, help="lemke-howson: the label to drop")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ... import load_game
    from ...games import NormalFormGame
    from ...nash import solve

    game = load_game(args.game)
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{args.game} is a {type(game).__name__}; `activeq solve` handles normal-form games "
                          "(stochastic games: activeq.nash.stochastic)")
    options: dict[str, Any] = {}
    if args.label is not None:
        options["label"] = args.label
    equilibria = solve(game, args.method, all=args.all, **options)
    if args.json:
        print_json({"game": game.name or args.game, "method": args.method, "players": list(game.player_names),
                    "actions": [list(a) for a in game.action_names],
                    "equilibria": [eq.to_dict() for eq in equilibria]})
        return 0
    title = game.title or game.name or args.game
    print(f"{title}: {len(equilibria)} equilibri{'um' if len(equilibria) == 1 else 'a'} "
          f"(method {args.method}{'' if args.method != 'auto' or not equilibria else ' -> ' + equilibria[0].method})")
    headers = ["#"] + [f"{p} strategy" for p in game.player_names] + [f"{p} payoff" for p in game.player_names]
    headers.append("max regret")
    rows = []
    for k, eq in enumerate(equilibria, 1):
        strategies = [_strategy_text(s, names) for s, names in zip(eq.strategies, game.action_names)]
        rows.append([k] + strategies + [float(v) for v in eq.payoffs] + [_regret_text(eq.max_regret)])
    print(table(headers, rows))
    return 0


def _strategy_text(s: np.ndarray, names: tuple[str, ...]) -> str:
    """``C`` for a pure strategy, else ``C:0.667 D:0.333`` over the support."""
    support = np.flatnonzero(s > 1e-12)
    if len(support) == 1:
        return names[support[0]]
    return " ".join(f"{names[a]}:{s[a]:.4g}" for a in support)


def _regret_text(r: float) -> str:
    return "0" if r == 0 else f"{r:.1e}"
