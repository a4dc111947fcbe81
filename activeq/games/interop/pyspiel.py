"""OpenSpiel interop: matrix / tensor (normal-form) games.

``to_pyspiel`` builds ``pyspiel.create_matrix_game`` for two players and ``pyspiel.create_tensor_game`` otherwise.
``from_pyspiel`` reads ``pyspiel.MatrixGame`` / ``pyspiel.TensorGame`` through their payoff API and any other
one-shot simultaneous-move deterministic game (e.g. ``pyspiel.load_game("blotto")``) by playing every joint action
from the initial state. Sequential games can be converted first with ``pyspiel.extensive_to_tensor_game``.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ...errors import InteropError
from ..normal_form import NormalFormGame

MAX_JOINT_ACTIONS = 1_000_000


def to_pyspiel(game: NormalFormGame, short_name: str | None = None) -> Any:
    """An OpenSpiel ``MatrixGame`` (2 players) or ``TensorGame`` (any number) with the same payoffs and names."""
    import pyspiel

    if not isinstance(game, NormalFormGame):
        raise InteropError(f"game must be a NormalFormGame, got {type(game).__name__}")
    short = short_name or game.name or "activeq_game"
    long = game.title or short
    if game.num_players == 2:
        return pyspiel.create_matrix_game(short, long, list(game.action_names[0]), list(game.action_names[1]),
                                          game.payoffs[0].tolist(), game.payoffs[1].tolist())
    utils = [game.payoffs[i].reshape(-1).tolist() for i in range(game.num_players)]
    return pyspiel.create_tensor_game(short, long, [list(a) for a in game.action_names], utils)


def from_pyspiel(g: Any, **kwargs: Any) -> NormalFormGame:
    """A :class:`NormalFormGame` from an OpenSpiel normal-form game (matrix, tensor or one-shot simultaneous)."""
    import pyspiel

    if not isinstance(g, pyspiel.Game):
        raise InteropError(f"g must be a pyspiel.Game, got {type(g).__name__}")
    gtype = g.get_type()
    name = kwargs.pop("name", gtype.short_name)
    title = kwargs.pop("title", gtype.long_name)
    n = g.num_players()
    if isinstance(g, pyspiel.MatrixGame):
        payoffs = np.stack([np.asarray(g.row_utilities()), np.asarray(g.col_utilities())])
        names = [[g.row_action_name(a) for a in range(g.num_rows())],
                 [g.col_action_name(a) for a in range(g.num_cols())]]
    elif isinstance(g, pyspiel.TensorGame):
        payoffs = np.stack([np.asarray(g.player_utilities(p)) for p in range(n)])
        names = [[g.action_name(p, a) for a in range(payoffs.shape[p + 1])] for p in range(n)]
    else:
        payoffs, names = _enumerate_one_shot(g, pyspiel)
    names = _dedupe(names)
    return NormalFormGame(payoffs, action_names=kwargs.pop("action_names", names), name=name, title=title, **kwargs)


def _enumerate_one_shot(g: Any, pyspiel: Any) -> tuple[np.ndarray, list[list[str]]]:
    gtype = g.get_type()
    if gtype.dynamics != pyspiel.GameType.Dynamics.SIMULTANEOUS:
        raise InteropError(f"{gtype.short_name} is a sequential game; convert it with "
                           f"pyspiel.extensive_to_tensor_game(game) first")
    if gtype.chance_mode != pyspiel.GameType.ChanceMode.DETERMINISTIC:
        raise InteropError(f"{gtype.short_name} has chance nodes; only deterministic one-shot games convert")
    root = g.new_initial_state()
    if not root.is_simultaneous_node():
        raise InteropError(f"{gtype.short_name}'s initial state is not a simultaneous-move node")
    n = g.num_players()
    legal = [list(root.legal_actions(p)) for p in range(n)]
    count = int(np.prod([len(a) for a in legal]))
    if count > MAX_JOINT_ACTIONS:
        raise InteropError(f"{gtype.short_name} has {count} joint actions; at most {MAX_JOINT_ACTIONS} convert")
    payoffs = np.zeros((n, *[len(a) for a in legal]))
    for idx in itertools.product(*[range(len(a)) for a in legal]):
        state = root.clone()
        state.apply_actions([legal[p][k] for p, k in enumerate(idx)])
        if not state.is_terminal():
            raise InteropError(f"{gtype.short_name} is not one-shot: the state after one joint action "
                               f"is not terminal")
        payoffs[(slice(None),) + idx] = state.returns()
    names = [[root.action_to_string(p, a) for a in legal[p]] for p in range(n)]
    return payoffs, names


def _dedupe(names: list[list[str]]) -> list[list[str]]:
    """Make action names distinct per player (OpenSpiel does not require it; activeq does)."""
    out = []
    for acts in names:
        if len(set(acts)) == len(acts):
            out.append(list(acts))
        else:
            out.append([f"{a}#{k}" for k, a in enumerate(acts)])
    return out
