"""Two-player zero-sum stochastic games whose values are known in closed form.

**The Big Match** (Gillette 1957; Blackwell & Ferguson 1968), discounted.
D. Gillette, "Stochastic games with zero stop probabilities", Contributions to the Theory of Games III,
Annals of Mathematics Studies 39 (1957); D. Blackwell and T. S. Ferguson, "The Big Match",
Annals of Mathematical Statistics 39(1):159-163 (1968). The discounted value 1/2 is classical
(e.g. Mertens, Sorin & Zamir, *Repeated Games*, 2015, and Solan & Vieille's surveys).

States: ``play`` (0), ``won`` (1: player 1 gets 1 per step forever), ``lost`` (2: 0 per step forever).
In ``play`` player 1 chooses ``top`` (ends the game, freezing the current payoff forever) or ``bottom``
(continue); player 2 chooses ``left`` or ``right``. Stage payoffs to player 1 (player 2 gets the negative)::

              left          right
    top       1, -> won     0, -> lost
    bottom    0, stay       1, stay

Closed form (discount ``g``): the normalised value ``(1-g) V`` is 1/2 for every ``g``; un-normalised
``V(play) = 1 / (2 (1-g))``, ``V(won) = 1/(1-g)``, ``V(lost) = 0``. Player 1's unique optimal stationary strategy in
``play`` puts probability ``(1-g)/(2-g)`` on ``top``; player 2's puts 1/2 on ``left``. (Solve the 2x2 matrix game
``[[1, 0], [g/2, 1-g/2]]`` of normalised continuation values: its value is 1/2.)
Actions in the absorbing states do nothing.
"""

from __future__ import annotations

import numpy as np

from ..stochastic import StochasticGame
from . import register_generator


@register_generator("big_match", kind="stochastic")
def big_match(discount: float = 0.9) -> StochasticGame:
    """The discounted Big Match (3 states, 2x2 actions); value of ``play`` is ``1/(2(1-discount))``."""
    R = np.zeros((3, 2, 2, 2))
    T = np.zeros((3, 2, 2, 3))
    # state 0 (play): rows top/bottom, columns left/right
    R[0, 0] = [[1.0, 0.0], [0.0, 1.0]]
    T[0, 0, 0, 1] = 1.0  # top-left: absorbed with 1 forever
    T[0, 0, 1, 2] = 1.0  # top-right: absorbed with 0 forever
    T[0, 1, :, 0] = 1.0  # bottom: play on
    R[1, 0] = 1.0
    T[1, :, :, 1] = 1.0
    T[2, :, :, 2] = 1.0
    R[:, 1] = 0.0 - R[:, 0]  # (0.0 - x avoids printing -0)
    return StochasticGame(R, T, discount=discount, initial=[1.0, 0.0, 0.0], state_names=["play", "won", "lost"],
                          action_names=[["top", "bottom"], ["left", "right"]], player_names=["P1", "P2"],
                          name="big_match", title="The Big Match (discounted)")


def big_match_solution(discount: float) -> dict[str, object]:
    """Closed-form solution of :func:`big_match`: per-state values of player 1 and the optimal strategies in ``play``."""
    g = float(discount)
    return {"values": np.array([1.0 / (2.0 * (1.0 - g)), 1.0 / (1.0 - g), 0.0]),
            "normalised_value": 0.5,
            "p1_play": np.array([(1.0 - g) / (2.0 - g), 1.0 / (2.0 - g)]),
            "p2_play": np.array([0.5, 0.5])}
