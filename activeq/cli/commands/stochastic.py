"""``activeq stochastic GAME [--method auto|shapley|stationary] [--seed N] [--json|--csv]``: stochastic-game solvers."""

from __future__ import annotations

import argparse

from ..loading import load_game_as
from ..output import add_csv_flag, add_json_flag, check_one_format, print_csv, print_json, strategy_text, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stochastic", help="equilibria of discounted stochastic games (Shapley iteration, logit homotopy)",
        description="Solve a discounted stochastic game from the catalog (by name) or a .toml file. 'shapley': "
                    "values and optimal stationary strategies of a two-player zero-sum game (Shapley 1953). "
                    "'stationary': a stationary (Markov perfect) equilibrium of a general-sum game by the logit "
                    "homotopy; its certificate is the largest one-shot deviation gain. 'auto' (default) picks shapley "
                    "for two-player zero-sum games, else stationary. One row per state.")
    parser.add_argument("game", metavar="GAME", help="catalog name (see `activeq games --kind stochastic`) or path")
    parser.add_argument("--method", "-m", choices=["auto", "shapley", "stationary"], default="auto")
    parser.add_argument("--seed", type=int, default=0,
                        help="stationary: seed of the tiny reward perturbation that makes ties generic (default 0)")
    add_json_flag(parser)
    add_csv_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ...games import StochasticGame
    from ...nash import stochastic

    check_one_format(args)
    game = load_game_as(args.game, StochasticGame, "stochastic", "normal-form games: `activeq solve`")
    method = args.method
    if method == "auto":
        method = "shapley" if game.num_players == 2 and game.is_zero_sum else "stationary"
    if method == "shapley":
        res = stochastic.shapley(game)
        values = res.player_values
        certificate, cert_name = res.exploitability, "exploitability"
        data = {"values": values.tolist(), "strategies": [s.tolist() for s in res.strategies],
                "iterations": res.iterations, "error_bound": res.error_bound, "converged": res.converged,
                "exploitability": res.exploitability}
    else:
        res = stochastic.stationary(game, seed=args.seed)
        values = res.values
        certificate, cert_name = res.certificate, "certificate (max one-shot deviation gain)"
        data = res.to_dict()
        data["homotopy"] = data.pop("method")  # "method" below is the command's: shapley or stationary
    if args.json:
        print_json({"game": game.name or args.game, "method": method, "seed": args.seed if method == "stationary"
                    else None, "players": list(game.player_names), "states": list(game.state_names),
                    "actions": [list(a) for a in game.action_names], "discount": game.discount, **data})
        return 0
    headers = ["state"] + [f"{p} strategy" for p in game.player_names] + [f"{p} value" for p in game.player_names]
    values = values + 0.0  # no "-0" in the tables
    if args.csv:  # one probability column per (player, action)
        headers = ["state"] + [f"{p}:{a}" for p, acts in zip(game.player_names, game.action_names) for a in acts]
        headers += [f"{p} value" for p in game.player_names]
        print_csv(headers, [[name] + [float(v) for s in res.strategies for v in s[k]] + [float(v) for v in values[k]]
                            for k, name in enumerate(game.state_names)])
        return 0
    rows = [[name] + [strategy_text(s[k], acts) for s, acts in zip(res.strategies, game.action_names)]
            + [float(v) for v in values[k]] for k, name in enumerate(game.state_names)]
    title = game.title or game.name or args.game
    print(f"{title}: {method} (discount {game.discount}); {'converged' if res.converged else 'NOT converged'}, "
          f"{cert_name} {certificate:.1e}")
    print(table(headers, rows))
    return 0
