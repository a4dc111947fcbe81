"""Reactive finite-state learners: tit-for-tat and win-stay-lose-shift."""

from __future__ import annotations

import numpy as np
import torch

from ..._checks import check_in_range, check_positive_int
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition


def _noisy_onehot(action: torch.Tensor, k: int, epsilon: float) -> torch.Tensor:
    return (1.0 - epsilon) * torch.nn.functional.one_hot(action, k).to(DTYPE) + epsilon / k


class _ActionStateLearner(LearnerBase):
    """A reactive learner whose internal state is the action it plays next (one of ``self._k``), played with an
    ``epsilon`` tremble; subclasses set ``initial``, ``epsilon``, ``_k`` (on bind) and define ``update``."""

    finite_states = True
    initial: int
    epsilon: float
    _k: int

    @property
    def num_states(self) -> int:
        self._require_bound()
        return self._k

    def init(self, rng: torch.Generator, batch: int) -> Params:
        self._require_bound()
        return torch.full((batch,), self.initial, dtype=torch.long)

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return _noisy_onehot(params, self._k, self.epsilon)

    def enumerate_states(self) -> Params:
        self._require_bound()
        return torch.arange(self._k, dtype=torch.long)

    def index(self, params: Params) -> torch.Tensor:
        return params


class TitForTat(_ActionStateLearner):
    """Plays the action the ``target`` agent played last (``initial`` first). Internal state = that action.

    ``target`` defaults to the other player in a 2-player game; own and target action counts must match.
    ``epsilon`` is a trembling-hand probability spread uniformly.
    """

    def __init__(self, initial: int = 0, target: int | None = None, epsilon: float = 0.0, name: str = "tit_for_tat"):
        super().__init__()
        self.initial = check_positive_int(initial, "initial", minimum=0)
        self.target = None if target is None else check_positive_int(target, "target", minimum=0)
        self.epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
        self.name = name

    def _on_bind(self) -> None:
        game, i = self._require_bound()
        if self.target is None:
            if game.num_players != 2:
                raise LearnerError(f"{self.name}: give target= (the agent to copy) in a {game.num_players}-player game")
            self.target = 1 - i
        if not 0 <= int(self.target) < game.num_players or int(self.target) == i:
            raise LearnerError(f"{self.name}: target must be another agent's index, got {self.target}")
        self._k = game.num_actions[i]
        if game.num_actions[self.target] != self._k:
            raise LearnerError(f"{self.name}: agent {i} has {self._k} actions but target {self.target} has "
                               f"{game.num_actions[self.target]}; tit-for-tat needs matching action sets")
        if not 0 <= self.initial < self._k:
            raise LearnerError(f"initial must be an action in [0, {self._k}), got {self.initial}")

    def update(self, params: Params, transition: Transition) -> Params:
        return transition.actions[:, self.target].clone()

    def state_label(self, k: int) -> str:
        game, _ = self._require_bound()
        return f"copy {game.action_names[self.target][int(k)]}"


class WinStayLoseShift(_ActionStateLearner):
    """Repeat the last action after a reward >= ``aspiration``, else shift to the next action (cyclically).

    Internal state = the action to play next (``initial`` first). ``aspiration`` defaults to the midpoint of the
    agent's reward range in the game (for the prisoner's dilemma T,R,P,S = 5,3,1,0: 2.5, so R and T are wins).
    """

    def __init__(self, initial: int = 0, aspiration: float | None = None, epsilon: float = 0.0,
                 name: str = "win_stay_lose_shift"):
        super().__init__()
        self.initial = check_positive_int(initial, "initial", minimum=0)
        self.aspiration = None if aspiration is None else check_in_range(aspiration, "aspiration")
        self.epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
        self.name = name

    def _on_bind(self) -> None:
        game, i = self._require_bound()
        self._k = game.num_actions[i]
        if not 0 <= self.initial < self._k:
            raise LearnerError(f"initial must be an action in [0, {self._k}), got {self.initial}")
        R = game.rewards[:, i]
        self._aspiration = (float(np.max(R)) + float(np.min(R))) / 2 if self.aspiration is None else self.aspiration

    def update(self, params: Params, transition: Transition) -> Params:
        _, i = self._require_bound()
        own = transition.actions[:, i]
        win = transition.rewards[:, i] >= self._aspiration - 1e-12
        return torch.where(win, own, (own + 1) % self._k)

    def state_label(self, k: int) -> str:
        game, i = self._require_bound()
        return f"play {game.action_names[i][int(k)]}"
