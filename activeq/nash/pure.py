"""Pure-strategy Nash equilibria of n-player games, by one vectorised best-response test over the payoff tensor."""

from __future__ import annotations

import numpy as np

from ..games import NormalFormGame
from .equilibrium import Equilibrium, make_equilibrium
from .registry import register


def pure_equilibria_mask(game: NormalFormGame, tol: float = 1e-12) -> np.ndarray:
    """Boolean tensor over joint actions: True where every player's action is a best response.

    ``a`` is an equilibrium iff ``u_i(a) >= max_{b_i} u_i(b_i, a_{-i}) - tol * scale`` for every player i.
    """
    pay = game.payoffs
    scale = max(1.0, float(np.ptp(pay)))
    mask = np.ones(game.num_actions, dtype=bool)
    for i in range(game.num_players):
        best = pay[i].max(axis=i, keepdims=True)
        mask &= pay[i] >= best - tol * scale
    return mask


@register("pure", players="n", complete=True, summary="all pure-strategy equilibria (any number of players)")
def pure_equilibria(game: NormalFormGame, tol: float = 1e-12) -> list[Equilibrium]:
    """Every pure-strategy Nash equilibrium of ``game`` (possibly none)."""
    out = []
    for idx in np.argwhere(pure_equilibria_mask(game, tol)):
        strategies = [np.eye(k)[a] for k, a in zip(game.num_actions, idx)]
        out.append(make_equilibrium(game, strategies, "pure", actions=tuple(int(a) for a in idx)))
    return out
