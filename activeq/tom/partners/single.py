"""The partner that always plays one action: ``single_action(a)`` (one state).

The reference partner of the functional-ToM setup (DESIGN.md, "Functional vs literal theory of mind"): the best
response is the stage best response to ``a`` in every round. Raises ProbeError when ``a`` is not a partner action of
the game it is bound to, ArgumentTypeError when ``a`` is not an int.
"""

from __future__ import annotations

import numbers

import numpy as np

from ...errors import ArgumentTypeError, ArgumentError
from ...games import NormalFormGame
from .base import FiniteAutomaton, check_two_player


class SingleAction:
    """Always play partner action ``action``.

    Parameters
    ----------
    action : int
        The partner (column player) action index.
    """

    def __init__(self, action: int):
        if isinstance(action, (bool, np.bool_)) or not isinstance(action, numbers.Integral):
            raise ArgumentTypeError(f"action must be an int (a partner action index), got {type(action).__name__}")
        if int(action) < 0:
            raise ArgumentError(f"action must be >= 0, got {action}")
        self.action = int(action)
        self.name = f"single:{self.action}"

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        from ...errors import ProbeError

        game = check_two_player(game)
        A, B = game.num_actions
        if self.action >= B:
            raise ProbeError(f"single_action({self.action}): the game's column player has {B} actions "
                             f"{list(game.action_names[1])}")
        policy = np.zeros((1, B))
        policy[0, self.action] = 1.0
        return FiniteAutomaton(policy, np.zeros((1, A, B), dtype=np.int64), 0, self.name,
                               [game.action_names[1][self.action]])


def single_action(action: int) -> SingleAction:
    """A partner that always plays ``action`` (see :class:`SingleAction`)."""
    return SingleAction(action)
