"""Stochastic partners: a fixed mixed strategy, and a noisy version of any finite partner.

``mixed(p)`` plays ``p`` independently every round (one state). ``noisy(partner, epsilon)`` follows a finite
partner but, in every state, plays uniformly at random with probability ``epsilon`` (the automaton's transitions
are kept; the randomness is in the action only). The oracle scores both by expected value over the partner's
randomness. Raises ProbeError for a vector that is not a probability vector over the game's column actions, or
``epsilon`` outside [0, 1].
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..._checks import check_in_range, check_probability_vector
from ...errors import ProbeError
from ...games import NormalFormGame
from .base import FiniteAutomaton, bind_partner, check_two_player


class Mixed:
    """Play the mixed strategy ``probabilities`` i.i.d. every round.

    Parameters
    ----------
    probabilities : sequence of float
        One probability per partner action (checked against the game at bind time).
    """

    def __init__(self, probabilities: Sequence[float]):
        self.probabilities = check_probability_vector(probabilities, "probabilities", error=ProbeError)
        self.name = "mixed:" + ",".join(f"{p:.3g}" for p in self.probabilities)

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        game = check_two_player(game)
        A, B = game.num_actions
        if self.probabilities.size != B:
            raise ProbeError(f"mixed partner has {self.probabilities.size} probabilities but the game's column "
                             f"player has {B} actions {list(game.action_names[1])}")
        return FiniteAutomaton(self.probabilities[None, :], np.zeros((1, A, B), dtype=np.int64), 0, self.name)


class Noisy:
    """``partner`` with probability ``epsilon`` of a uniformly random action in every round.

    Parameters
    ----------
    partner : Partner
        A finite partner (automaton, tit-for-tat, cycle, ...).
    epsilon : float
        Trembling probability in [0, 1].
    """

    def __init__(self, partner: Any, epsilon: float = 0.1):
        self.partner = partner
        self.epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
        self.name = f"noisy({getattr(partner, 'name', 'partner')},{self.epsilon:g})"

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        base = bind_partner(self.partner, game)
        if not base.finite:
            raise ProbeError(f"noisy() needs a finite partner, got {base.name!r}")
        auto = base.as_automaton()
        B = auto.num_actions
        policy = (1.0 - self.epsilon) * auto.policy_matrix + self.epsilon / B
        return FiniteAutomaton(policy, auto.next, auto.start, self.name, auto.state_labels)


def mixed(probabilities: Sequence[float]) -> Mixed:
    """A partner playing a fixed mixed strategy (see :class:`Mixed`)."""
    return Mixed(probabilities)


def noisy(partner: Any, epsilon: float = 0.1) -> Noisy:
    """A finite partner that trembles with probability ``epsilon`` (see :class:`Noisy`)."""
    return Noisy(partner, epsilon)
