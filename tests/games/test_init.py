"""``activeq.games`` re-exports the interop converters under the names the README's API table uses."""

from __future__ import annotations

import re
from pathlib import Path

import activeq.games as games
from activeq.games import interop

README = Path(__file__).resolve().parents[2] / "README.md"


def test_converters_are_reachable_from_activeq_games():
    for name in interop.__all__:
        assert getattr(games, name) is getattr(interop, name), name
        assert name in games.__all__


def test_readme_api_table_names_exist():
    row = next(line for line in README.read_text().splitlines() if line.startswith("| `activeq.games`"))
    for name in re.findall(r"`((?:to|from)_\w+)`", row):
        assert hasattr(games, name), name
