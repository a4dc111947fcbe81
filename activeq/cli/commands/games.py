"""``activeq games``: list the game catalog."""

from __future__ import annotations

import argparse

from ...games.catalog import catalog_dir, list_games
from ..output import add_json_flag, print_json, table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("games", help="list the games in the catalog",
                                   description="List the catalog's games (load one with `activeq show NAME`).")
    parser.add_argument("--kind", type=_kind, choices=["normal-form", "stochastic"],
                        help="only games of this kind (the spelling the table prints; normal_form works too)")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    kind = None if args.kind is None else args.kind.replace("-", "_")
    entries = [e for e in list_games() if kind is None or e.kind == kind]
    if args.json:
        print_json({"catalog": str(catalog_dir()), "games": [e.to_dict() for e in entries]})
        return 0
    rows = [[e.name, e.kind.replace("_", "-"), len(e.players), e.shape, e.title] for e in entries]
    print(table(["name", "kind", "players", "actions", "title"], rows))
    print(f"\n{len(entries)} games in {catalog_dir()}; `activeq show NAME` prints one.")
    return 0


def _kind(text: str) -> str:
    """``normal_form`` and ``normal-form`` name the same kind; the table prints the hyphenated one."""
    return text.replace("_", "-")
