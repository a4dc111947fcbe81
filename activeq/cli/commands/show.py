"""``activeq show NAME_OR_PATH``: a game's payoff tables (per player; per state for stochastic games)."""

from __future__ import annotations

import argparse
import itertools
from typing import Any

import numpy as np

from ...errors import ArgumentError
from ...games.catalog import CatalogEntry, catalog_entry, load_game
from ...games.normal_form import NormalFormGame
from ...games.stochastic import StochasticGame
from ..output import add_json_flag, print_json, table


MAX_DEFAULT_STATES = 12


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("show", help="print a game's payoff tables",
                                   description="Print a catalog game (by name) or a .toml/.nfg file: description, "
                                               "reference and payoff tables per player (per state for stochastic "
                                               "games).")
    parser.add_argument("game", metavar="NAME_OR_PATH", help="catalog name (see `activeq games`) or file path")
    parser.add_argument("--state", action="append", default=None, metavar="STATE",
                        help="stochastic games: only this state (name or index; repeatable)")
    parser.add_argument("--all-states", action="store_true",
                        help=f"stochastic games with more than {MAX_DEFAULT_STATES} states: print every state "
                             "(default: the start states only)")
    parser.add_argument("--transitions", action="store_true",
                        help="stochastic games: also list each joint action's next-state distribution")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    game = load_game(args.game)
    entry = _entry(args.game)
    states = _select_states(game, args.state, args.all_states) if isinstance(game, StochasticGame) else None
    if args.json:
        data: dict[str, Any] = {"kind": "normal_form" if isinstance(game, NormalFormGame) else "stochastic"}
        if entry is not None:
            data["reference"] = entry.reference
            data["description"] = entry.description
        data.update(game.to_dict())
        print_json(data)
        return 0
    print(f"{game.title or game.name or args.game}" + (f"  [{game.name}]" if game.name else ""))
    if entry is not None:
        print(f"reference: {entry.reference}")
        print(entry.description)
    elif getattr(game, "description", None):
        print(game.description)
    print()
    if isinstance(game, NormalFormGame):
        print(_normal_form_text(game))
    else:
        print(_stochastic_text(game, states, args.transitions))
    return 0


def _entry(arg: str) -> CatalogEntry | None:
    if arg.lower().endswith(".nfg"):
        return None
    return catalog_entry(arg)


def _matrix_table(values: np.ndarray, rows: tuple[str, ...], cols: tuple[str, ...], corner: str) -> str:
    return table([corner, *cols], [[r, *[float(v) for v in values[k]]] for k, r in enumerate(rows)], floatfmt="g")


def _player_tables(payoffs: np.ndarray, players: tuple[str, ...], actions: tuple[tuple[str, ...], ...]) -> str:
    """One matrix per player (rows: player 1's actions, columns: player 2's), sliced by the others' actions."""
    n = payoffs.shape[0]
    blocks = []
    if n == 1:
        blocks.append(table(["action", f"{players[0]}'s payoff"],
                            [[a, float(v)] for a, v in zip(actions[0], payoffs[0])], floatfmt="g"))
        return "\n\n".join(blocks)
    corner = f"{players[0]} \\ {players[1]}"
    for i in range(n):
        for rest in itertools.product(*[range(len(a)) for a in actions[2:]]):
            label = f"{players[i]}'s payoffs"
            if rest:
                label += " when " + ", ".join(f"{players[j + 2]} plays {actions[j + 2][k]}" for j, k in enumerate(rest))
            blocks.append(label + ":\n" + _matrix_table(payoffs[(i, slice(None), slice(None)) + rest],
                                                        actions[0], actions[1], corner))
    return "\n\n".join(blocks)


def _normal_form_text(game: NormalFormGame) -> str:
    parts = [f"{game.num_players} players ({', '.join(game.player_names)}), actions "
             f"{'x'.join(map(str, game.num_actions))}"
             + (", zero-sum" if game.is_zero_sum else "") + (", symmetric" if game.is_symmetric else "")]
    if game.num_players == 2:
        parts.append("payoffs (row, column):\n" + game.table())
    parts.append(_player_tables(game.payoffs, game.player_names, game.action_names))
    return "\n\n".join(parts)


def _select_states(game: StochasticGame, wanted: list[str] | None, every: bool = False) -> list[int]:
    if not wanted:
        if every or game.num_states <= MAX_DEFAULT_STATES:
            return list(range(game.num_states))
        return [int(s) for s in np.flatnonzero(game.initial > 0)[:MAX_DEFAULT_STATES]]
    out = []
    for w in wanted:
        if w in game.state_names:
            out.append(game.state_names.index(w))
        elif w.isdigit() and int(w) < game.num_states:
            out.append(int(w))
        else:
            shown = ", ".join(game.state_names[:8]) + (" ..." if game.num_states > 8 else "")
            raise ArgumentError(f"--state must be a state name or an index in [0, {game.num_states}), got {w!r} "
                                f"(states: {shown})")
    return out


def _stochastic_text(game: StochasticGame, states: list[int], transitions: bool) -> str:
    disc = "average reward (no discount)" if game.discount is None else f"discount {game.discount:g}"
    start = np.flatnonzero(game.initial > 0)
    start_txt = ", ".join(f"{game.state_names[s]} ({game.initial[s]:g})" for s in start[:6])
    parts = [f"{game.num_players} players ({', '.join(game.player_names)}), {game.num_states} states, actions "
             f"{'x'.join(map(str, game.num_actions))}, {disc}" + (", zero-sum" if game.is_zero_sum else "")
             + f"; start: {start_txt}" + (" ..." if len(start) > 6 else "")]
    if len(states) < game.num_states and len(states) == int(np.count_nonzero(game.initial > 0)):
        parts.append(f"(showing the start state{'s' if len(states) > 1 else ''}; "
                     f"--state NAME_OR_INDEX or --all-states for the others)")
    for s in states:
        block = [f"== state {s}: {game.state_names[s]} =="]
        if game.num_players == 2:
            block.append(game.stage_game(s).table())
        else:
            block.append(_player_tables(game.rewards[s], game.player_names, game.action_names))
        if transitions:
            lines = []
            for joint in np.ndindex(*game.num_actions):
                row = game.transitions[(s,) + joint]
                nz = np.flatnonzero(row > 0)
                acts = ",".join(game.action_names[i][a] for i, a in enumerate(joint))
                lines.append(f"  ({acts}) -> " + ", ".join(f"{game.state_names[t]}: {row[t]:g}" for t in nz))
            block.append("next states:\n" + "\n".join(lines))
        parts.append("\n".join(block))
    return "\n\n".join(parts)
