"""Loading the GAME argument of a CLI command: a catalog name or a file, of the kind the command handles."""

from __future__ import annotations

from typing import TypeVar

from ..errors import SolverError

G = TypeVar("G")


def load_game_as(name: str, kind: type[G], command: str, hint: str = "") -> G:
    """``load_game(name)``, or SolverError (one line, exit 2) when it is not a ``kind`` that ``command`` handles."""
    from .. import load_game

    game = load_game(name)
    if not isinstance(game, kind):
        words = "normal-form games" if kind.__name__ == "NormalFormGame" else "stochastic games"
        raise SolverError(f"{name} is a {type(game).__name__}; `activeq {command}` handles {words}"
                          + (f" ({hint})" if hint else ""))
    return game
