"""Pure-strategy Nash equilibria of n-player games, by one vectorised best-response test over the payoff tensor.

A joint action is an equilibrium when each player's payoff is the maximum of its payoff tensor along its own axis
(Nash 1951's condition restricted to pure profiles). Raises :class:`~activeq.errors.ArgumentError` for a bad ``tol``.
"""

from __future__ import annotations

import numpy as np

from .._checks import check_in_range
from ..games import NormalFormGame
from .equilibrium import Equilibrium, _check_game, make_equilibrium
from .registry import register


def pure_equilibria_mask(game: NormalFormGame, tol: float = 1e-12) -> np.ndarray:
    """Boolean tensor over joint actions: True where every player's action is a best response.

    ``a`` is an equilibrium iff ``u_i(a) >= max_{b_i} u_i(b_i, a_{-i}) - tol * scale`` for every player i.
    """
    _check_game(game)
    tol = check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True)
    pay = game.payoffs
    scale = max(1.0, float(np.ptp(pay)))
    mask = np.ones(game.num_actions, dtype=bool)
    for i in range(game.num_players):
        best = pay[i].max(axis=i, keepdims=True)
        mask &= pay[i] >= best - tol * scale
    return mask


@register("pure", players="n", complete=True, summary="all pure-strategy equilibria (any number of players)")
def pure_equilibria(game: NormalFormGame, tol: float = 1e-12) -> list[Equilibrium]:
    """Every pure-strategy Nash equilibrium of ``game`` (possibly none).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    tol : float
        A joint action counts when no player gains more than ``tol`` x max(1, payoff range) by deviating; in (0, 1).

    Returns
    -------
    list of Equilibrium
        One per pure equilibrium, ``info["actions"]`` its joint action.
    """
    out = []
    for idx in np.argwhere(pure_equilibria_mask(game, tol)):
        strategies = [np.eye(k)[a] for k, a in zip(game.num_actions, idx)]
        out.append(make_equilibrium(game, strategies, "pure", actions=tuple(int(a) for a in idx)))
    return out
