"""Tit-for-tat partners, one rule per game (Axelrod 1984 for the prisoner's dilemma).

State = the agent's last action (the first round uses ``first``). Two rules:

- ``"copy"``: play the agent's last action (prisoner's dilemma, Bach or Stravinsky; needs equal action sets);
- ``"beat"``: play the partner's stage best response to the agent's last action (rock-paper-scissors: what beats
  your last move). Ties go to the lowest index within 1e-9.

``rule=None`` picks ``"beat"`` for zero-sum games and ``"copy"`` otherwise. Raises ProbeError when ``"copy"`` is
asked of a game whose players have different action counts, or for an unknown rule.
"""

from __future__ import annotations

import numpy as np

from ..._checks import check_choice
from ...errors import ProbeError
from ...games import NormalFormGame
from .base import FiniteAutomaton, _index, check_two_player

RULES = ("copy", "beat")


class TitForTat:
    """Reactive partner: responds to the agent's previous action (see the module docstring).

    Parameters
    ----------
    rule : {"copy", "beat"} or None
        None chooses per game: ``"beat"`` if zero-sum, else ``"copy"``.
    first : int
        The partner's action in round 1.
    """

    def __init__(self, rule: str | None = None, first: int = 0):
        self.rule = None if rule is None else check_choice(rule, "rule", RULES)
        self.first = first
        self.name = "tit_for_tat"

    def bind(self, game: NormalFormGame) -> FiniteAutomaton:
        game = check_two_player(game)
        A, B = game.num_actions
        first = _index(self.first, "first", B)
        rule = self.rule or ("beat" if game.is_zero_sum else "copy")
        if rule == "copy":
            if A != B:
                raise ProbeError(f"tit_for_tat(rule='copy') needs equal action sets, the game has {A} x {B}")
            response = np.arange(A)
        else:
            U = game.payoff_matrix(1)  # partner payoffs (A, B)
            response = np.array([int(np.flatnonzero(U[a] >= U[a].max() - 1e-9)[0]) for a in range(A)])
        # states 0..A-1: "agent last played a"; state A: the first round
        Q = A + 1
        policy = np.zeros((Q, B))
        policy[np.arange(A), response] = 1.0
        policy[A, first] = 1.0
        nxt = np.broadcast_to(np.arange(A)[None, :, None], (Q, A, B)).copy()
        labels = [f"after {n}" for n in game.action_names[0]] + ["start"]
        return FiniteAutomaton(policy, nxt, A, f"tit_for_tat({rule})", labels)


def tit_for_tat(game: NormalFormGame | None = None, rule: str | None = None, first: int = 0) -> TitForTat:
    """Tit-for-tat for ``game`` (the rule is chosen per game when ``rule`` is None; ``game`` is optional).

    Parameters
    ----------
    game : NormalFormGame, optional
        When given, the rule is fixed now (``"beat"`` for zero-sum games, else ``"copy"``) and checked.
    rule : {"copy", "beat"}, optional
        Overrides the per-game choice.
    first : int
        The partner's first action.

    Returns
    -------
    TitForTat
    """
    tft = TitForTat(rule, first)
    if game is not None:
        tft.rule = tft.bind(game).name.split("(")[1].rstrip(")")
    return tft
