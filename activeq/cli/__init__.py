"""The ``activeq`` command.

Each subcommand lives in its own module under :mod:`activeq.cli.commands` and defines
``register(subparsers) -> None``, adding a parser whose ``func(args) -> int`` does the work.
Modules are discovered automatically, so adding a command never edits this file.
Every command takes ``--json``; an :class:`activeq.errors.ActiveqError` prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from typing import Sequence

from ..errors import ActiveqError
from . import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="activeq", description="Multiagent learning and game theory.")
    parser.add_argument("--version", action="version", version=f"activeq {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ActiveqError as exc:
        print(f"activeq {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _version() -> str:
    from .. import __version__
    return __version__
