"""Small games shared by the active tests (catalog games plus a one-state repeated game)."""

import numpy as np

from activeq.games import IteratedGame, StochasticGame, load_game


def iterated(name: str) -> IteratedGame:
    return IteratedGame(load_game(name), memory=1)


def repeated(name: str) -> StochasticGame:
    """The stage game repeated with no observation: a 1-state stochastic game."""
    stage = load_game(name)
    R = stage.payoffs[None]
    T = np.ones((1, *stage.num_actions, 1))
    return StochasticGame(R, T, action_names=stage.action_names, name=f"repeated_{name}")
