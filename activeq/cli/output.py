"""Shared output helpers for CLI commands: JSON printing and aligned text tables."""

from __future__ import annotations

import argparse
import json
from typing import Any, Sequence

import numpy as np


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of tables")


def _default(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=_default))


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], floatfmt: str = ".4g") -> str:
    """A plain-text table whose columns line up (numbers right-aligned, text left-aligned)."""
    def cell(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return format(float(v), floatfmt)
        return str(v)

    cells = [[cell(v) for v in row] for row in rows]
    numeric = [all(isinstance(r[k], (int, float, np.number)) and not isinstance(r[k], bool) for r in rows) if rows else False
               for k in range(len(headers))]
    widths = [max([len(h)] + [len(r[k]) for r in cells]) for k, h in enumerate(headers)]
    def fmt(row: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(row, widths, numeric)).rstrip()
    lines = [fmt(list(headers)), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells]
    return "\n".join(lines)


def add_csv_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", action="store_true", help="print the table as CSV (one header row) instead of text")


def print_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """The table as CSV on stdout: numbers at full precision (``repr`` of the float), text as is."""
    import csv
    import sys

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(list(headers))
    for row in rows:
        writer.writerow([float(v) if isinstance(v, (float, np.floating)) else v for v in row])


def check_one_format(args: argparse.Namespace) -> None:
    """``--json`` and ``--csv`` exclude each other (an ArgumentError, printed as one line with exit 2)."""
    if getattr(args, "json", False) and getattr(args, "csv", False):
        from ..errors import ArgumentError

        raise ArgumentError("choose one of --json and --csv")


def strategy_text(s: np.ndarray, names: Sequence[str]) -> str:
    """``C`` for a pure strategy, else ``C:0.667 D:0.333`` over the support."""
    support = np.flatnonzero(np.asarray(s) > 1e-12)
    if len(support) == 1:
        return str(names[support[0]])
    return " ".join(f"{names[a]}:{s[a]:.4g}" for a in support)
