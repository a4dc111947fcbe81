"""``activeq correlated GAME [--kind ce|cce] [--objective O] [--json|--csv]``: a (coarse) correlated equilibrium."""

from __future__ import annotations

import argparse

import numpy as np

from ..loading import load_game_as
from ..output import add_csv_flag, add_json_flag, check_one_format, print_csv, print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "correlated", help="a correlated (CE) or coarse correlated (CCE) equilibrium, by linear programming",
        description="The CE or CCE of a catalog game (by name) or a .toml/.nfg file that optimises an objective. "
                    "Prints the joint actions the distribution uses, their probabilities and payoffs, and the "
                    "certificate (max incentive: the most any player gains by a deviation the kind covers; an "
                    "exact equilibrium has <= ~1e-12 x payoff range).")
    parser.add_argument("game", metavar="GAME", help="catalog name (see `activeq games`) or file path")
    parser.add_argument("--kind", choices=["ce", "cce"], default="ce", help="correlated or coarse correlated")
    parser.add_argument("--objective", default="welfare",
                        help="welfare (default), max-min, max-entropy, or player:<i> (maximise player i's payoff)")
    add_json_flag(parser)
    add_csv_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...games import NormalFormGame
    from ...nash import correlated

    check_one_format(args)
    game = load_game_as(args.game, NormalFormGame, "correlated")
    ce = correlated(game, kind=args.kind, objective=args.objective)
    if args.json:
        print_json({"game": game.name or args.game, "players": list(game.player_names),
                    "actions": [list(a) for a in game.action_names], **ce.to_dict(), "welfare": ce.welfare})
        return 0
    if args.csv:  # every joint action, with one column per player's action index
        headers = [f"{p} action" for p in game.player_names] + ["probability"]
        print_csv(headers + [f"{p} payoff" for p in game.player_names],
                  [[game.action_names[i][a] for i, a in enumerate(idx)] + [float(ce.distribution[idx])]
                   + [float(game.payoffs[(i, *idx)]) for i in range(game.num_players)]
                   for idx in np.ndindex(*game.num_actions)])
        return 0
    headers = ["joint action", "probability"] + [f"{p} payoff" for p in game.player_names]
    rows = []
    for idx in zip(*np.nonzero(ce.distribution > 1e-12)):
        names = " / ".join(game.action_names[i][a] for i, a in enumerate(idx))
        rows.append([names, float(ce.distribution[idx])] + [float(game.payoffs[(i, *idx)])
                                                             for i in range(game.num_players)])
    title = game.title or game.name or args.game
    scale = max(1.0, float(np.ptp(game.payoffs)))
    exact = ce.max_incentive <= 1e-9 * scale
    print(f"{title}: {'coarse correlated' if ce.kind == 'cce' else 'correlated'} equilibrium maximising "
          f"{ce.objective}")
    print(table(headers, rows))
    pay = ", ".join(f"{p} {v:.4g}" for p, v in zip(game.player_names, ce.payoffs))
    print(f"\nexpected payoffs: {pay}; welfare {ce.welfare:.4g}; max incentive to deviate {ce.max_incentive:.1e} "
          f"({'certified' if exact else 'NOT certified'}: tolerance 1e-9 x payoff range)")
    return 0
