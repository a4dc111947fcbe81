"""Scripted reference agents: the oracle, best response to one's own predictions, and "predicts well, acts at
random".

- :class:`Oracle` plays the exact best response (:mod:`activeq.tom.oracle`) at the partner's true state
  (privileged): its functional regret is 0 against every partner.
- :class:`BestResponder` predicts the partner's next action from the history (its last action, or its most frequent
  one) and plays the stage best response to that prediction: consistency 1 by construction.
- :class:`PredictsWell` is the dissociation of DESIGN.md's "Functional vs literal theory of mind": it predicts the
  partner's most likely action in its true state with probability ``accuracy`` (privileged), else another action
  uniformly, and *acts uniformly at random*. Against a single-action RPS partner: accuracy ~0.99, Delta_ToM/T ~0.015,
  Delta_F/T ~1.

Raises ArgumentError for an unknown predictor or an accuracy outside [0, 1].
"""

from __future__ import annotations

from typing import Hashable, Sequence

import numpy as np

from ..._checks import check_choice, check_in_range
from .base import Decision, Episode, _Stateless, round_rng, stage_best_response


class _OraclePlayer(_Stateless):
    def __init__(self, ep: Episode):
        self.ep = ep

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision:
        pi = self.ep.partner.policy(partner_state)
        return Decision(self.ep.oracle.best_action(t, partner_state), int(np.argmax(pi)))


class Oracle:
    """The exact best response to the partner's actual policy (privileged: reads the partner's state)."""

    name = "oracle_agent"
    style = "scripted"
    model = "oracle"

    def start(self, episode: Episode) -> _OraclePlayer:
        return _OraclePlayer(episode)


class _BRPlayer(_Stateless):
    def __init__(self, ep: Episode, predictor: str):
        self.ep, self.predictor = ep, predictor

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision:
        if not history:
            pred = 0
        elif self.predictor == "last":
            pred = history[-1][1]
        else:
            counts = np.bincount([b for _, b in history], minlength=self.ep.partner.num_actions)
            pred = int(np.argmax(counts))
        return Decision(stage_best_response(self.ep.game, pred), pred)


class BestResponder:
    """Predict the partner's next action from the history, then play the stage best response to it.

    Parameters
    ----------
    predictor : {"last", "frequency"}
        Predict the partner's last action, or its most frequent one so far (action 0 before any history).
    """

    style = "scripted"
    model = "best_responder"

    def __init__(self, predictor: str = "last"):
        self.predictor = check_choice(predictor, "predictor", ("last", "frequency"))
        self.name = f"best_responder:{self.predictor}"

    def start(self, episode: Episode) -> _BRPlayer:
        return _BRPlayer(episode, self.predictor)


class _PWPlayer(_Stateless):
    def __init__(self, ep: Episode, accuracy: float):
        self.ep, self.accuracy = ep, accuracy

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision:
        rng = round_rng(self.ep.seed, t, 7)
        B = self.ep.partner.num_actions
        likely = int(np.argmax(self.ep.partner.policy(partner_state)))
        if rng.random() < self.accuracy or B == 1:
            pred = likely
        else:
            others = [b for b in range(B) if b != likely]
            pred = int(others[rng.integers(len(others))])
        A = self.ep.game.num_actions[0]
        return Decision(int(rng.integers(A)), pred)


class PredictsWell:
    """Predict the partner's likely action with probability ``accuracy`` (privileged), act uniformly at random.

    Parameters
    ----------
    accuracy : float
        Probability that the prediction is the partner's most likely action in its true state.
    """

    style = "scripted"
    model = "predicts_well"

    def __init__(self, accuracy: float = 0.99):
        self.accuracy = check_in_range(accuracy, "accuracy", 0.0, 1.0)
        self.name = f"predicts_well_acts_random:{self.accuracy:g}"

    def start(self, episode: Episode) -> _PWPlayer:
        return _PWPlayer(episode, self.accuracy)
