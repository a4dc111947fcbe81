"""The agent protocol of a probe: per seed, ``agent.start(episode)`` gives a player that decides each round.

A :class:`Decision` carries the action, the agent's prediction of the partner's action (literal ToM; None when the
agent does not predict) and the bookkeeping the metrics report: whether parsing failed and a fallback was applied,
retries, tokens and latency. Scripted agents that read the partner's true state (the oracle, "predicts well") are
*privileged* by construction and say so in their docstrings; the probe passes that state to every player, honest
agents ignore it.

Raises nothing itself; players raise :class:`activeq.errors.BackendError` when their model fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Hashable, Protocol, Sequence, runtime_checkable

import numpy as np

from ...games import NormalFormGame
from ..partners.base import BoundPartner


@dataclass(frozen=True)
class Episode:
    """What a player may know at the start of one seed: the game, the bound partner, horizon, seed and oracle."""

    game: NormalFormGame
    partner: BoundPartner
    horizon: int
    seed: int
    oracle: Any


@dataclass(frozen=True)
class Decision:
    """One round's decision (see the module docstring). ``failed``: the action could not be parsed even after the
    corrective retry and the agent's declared fallback was applied; ``prediction_failed`` likewise for the
    prediction (no fallback: the round counts as a wrong prediction)."""

    action: int
    prediction: int | None = None
    failed: bool = False
    prediction_failed: bool = False
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0
    cached: bool = False
    text: str = ""


@runtime_checkable
class Player(Protocol):
    """One seed's agent state."""

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision: ...

    def observe(self, t: int, action: int, partner_action: int) -> None: ...


@runtime_checkable
class Agent(Protocol):
    """An agent specification: ``name`` (table label), ``style`` and ``model`` labels, ``start(episode)``."""

    name: str

    def start(self, episode: Episode) -> Player: ...


def round_rng(seed: int, t: int, stream: int) -> np.random.Generator:
    """The generator for round ``t`` of seed ``seed`` (independent streams, so a resumed run replays exactly)."""
    return np.random.default_rng([int(seed), int(t), int(stream)])


def stage_best_response(game: NormalFormGame, prediction: int) -> int:
    """The agent's stage best response to partner action ``prediction`` (lowest index within 1e-9)."""
    col = np.asarray(game.payoff_matrix(0))[:, prediction]
    return int(np.flatnonzero(col >= col.max() - 1e-9)[0])


class _Stateless:
    def observe(self, t: int, action: int, partner_action: int) -> None:
        return None
