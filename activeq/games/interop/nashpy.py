"""nashpy interop: ``nashpy.Game(A, B)`` <-> two-player :class:`NormalFormGame`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import InteropError
from ..normal_form import NormalFormGame


def to_nashpy(game: NormalFormGame) -> Any:
    """A ``nashpy.Game`` with the row player's matrix ``A`` and the column player's ``B`` (two players only)."""
    import nashpy

    if not isinstance(game, NormalFormGame):
        raise InteropError(f"game must be a NormalFormGame, got {type(game).__name__}")
    if game.num_players != 2:
        raise InteropError(f"nashpy handles two-player games only; game has {game.num_players} players")
    return nashpy.Game(np.array(game.payoffs[0]), np.array(game.payoffs[1]))


def from_nashpy(g: Any, **kwargs: Any) -> NormalFormGame:
    """A :class:`NormalFormGame` from a ``nashpy.Game`` (keyword arguments go to the constructor, e.g. names)."""
    matrices = getattr(g, "payoff_matrices", None)
    if matrices is None or len(matrices) != 2:
        raise InteropError(f"g must be a nashpy.Game with two payoff matrices, got {type(g).__name__}")
    return NormalFormGame.bimatrix(np.asarray(matrices[0], dtype=float), np.asarray(matrices[1], dtype=float), **kwargs)
