"""Cycling partner: plays a fixed sequence of actions round after round, ignoring the agent.

``cycle([0, 1, 2])`` plays rock, paper, scissors, rock, ... (state = position in the cycle). Raises ProbeError for
an empty sequence or an action the game's column player does not have.
"""

from __future__ import annotations

from collections import abc
from typing import Sequence

import numpy as np

from ..._checks import show
from ...errors import ProbeError
from ...games import NormalFormGame
from .base import FiniteAutomaton, MAX_STATES, _index, check_two_player


class Cycle:
    """Play ``sequence[t mod len(sequence)]`` in round t.

    Parameters
    ----------
    sequence : sequence of int
        Partner action indices, played in order and repeated.
    """

    def __init__(self, sequence: Sequence[int]):
        if isinstance(sequence, (str, bytes)) or not isinstance(sequence, (abc.Sequence, np.ndarray)):
            raise ProbeError(f"sequence must be a sequence of partner action indices, got {show(sequence)}")
        if len(sequence) > MAX_STATES:
            raise ProbeError(f"sequence: a cycle of length {len(sequence)}; at most {MAX_STATES}")
        seq = [_index(s, f"sequence[{k}]", MAX_STATES) for k, s in enumerate(sequence)]
        if not seq:
            raise ProbeError("sequence: a cycle needs a non-empty sequence of partner actions")
        self.sequence = seq
        self.name = "cycle:" + ",".join(str(s) for s in seq)

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        game = check_two_player(game)
        A, B = game.num_actions
        seq = [_index(s, f"sequence[{k}]", B) for k, s in enumerate(self.sequence)]
        Q = len(seq)
        policy = np.zeros((Q, B))
        policy[np.arange(Q), seq] = 1.0
        nxt = np.broadcast_to(((np.arange(Q) + 1) % Q)[:, None, None], (Q, A, B)).copy()
        return FiniteAutomaton(policy, nxt, 0, self.name, [game.action_names[1][s] for s in seq])


def cycle(sequence: Sequence[int]) -> Cycle:
    """A partner cycling through ``sequence`` (see :class:`Cycle`)."""
    return Cycle(sequence)
