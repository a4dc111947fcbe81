"""``activeq qre GAME [--lambda L ...] [--json|--csv]``: logit quantal-response equilibria along the principal branch."""

from __future__ import annotations

import argparse

from ..loading import load_game_as
from ..output import add_csv_flag, add_json_flag, check_one_format, print_csv, print_json, strategy_text, table

DEFAULT_LAMBDAS = (0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "qre", help="logit quantal-response equilibria at several precisions lambda",
        description="Logit QRE of a catalog game (by name) or a .toml/.nfg file on the principal branch (the path "
                    "from the uniform profile at lambda = 0). One row per lambda (in the game's payoff units): each "
                    "player's strategy, payoffs and max regret (a QRE is not a Nash equilibrium; its regret shrinks "
                    "as lambda grows). Deterministic: no sampling.")
    parser.add_argument("game", metavar="GAME", help="catalog name (see `activeq games`) or file path")
    parser.add_argument("--lambda", dest="lambdas", type=float, nargs="+", metavar="L",
                        default=list(DEFAULT_LAMBDAS), help="precisions (default: %(default)s)")
    add_json_flag(parser)
    add_csv_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...games import NormalFormGame
    from ...nash import qre

    check_one_format(args)
    game = load_game_as(args.game, NormalFormGame, "qre")
    points = [qre(game, lam) for lam in sorted(args.lambdas)]
    if args.json:
        print_json({"game": game.name or args.game, "players": list(game.player_names),
                    "actions": [list(a) for a in game.action_names], "qre": [q.to_dict() for q in points]})
        return 0
    if args.csv:
        headers = ["lambda"] + [f"{p}:{a}" for p, acts in zip(game.player_names, game.action_names) for a in acts]
        headers += [f"{p} payoff" for p in game.player_names] + ["max regret", "residual"]
        print_csv(headers, [[q.lam] + [float(v) for s in q.strategies for v in s] + [float(v) for v in q.payoffs]
                            + [q.max_regret, q.residual] for q in points])
        return 0
    headers = ["lambda"] + [f"{p} strategy" for p in game.player_names] + [f"{p} payoff" for p in game.player_names]
    headers.append("max regret")
    rows = [[q.lam] + [strategy_text(s, names) for s, names in zip(q.strategies, game.action_names)]
            + [float(v) for v in q.payoffs] + [f"{q.max_regret:.2e}"] for q in points]
    print(f"{game.title or game.name or args.game}: logit QRE on the principal branch (quantal responses, not "
          f"Nash equilibria; max regret = the most a player gains by a pure deviation)")
    print(table(headers, rows))
    return 0
