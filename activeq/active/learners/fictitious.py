"""Windowed fictitious play: best response to the empirical frequency of the opponent's last W actions.

Internal state = the opponent's last W actions (oldest first), so there are ``A_opp^W`` states: a finite-state
learner. The best response is taken in the current game state's stage payoffs ``R_i[s]``; ties share probability.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np
import torch

from ..._checks import as_index_array, check_in_range, check_positive_int
from ...errors import LearnerError
from ..learner import DTYPE, LearnerBase, Params, Transition, greedy_probs


class WindowedFictitiousPlay(LearnerBase):
    """Best response to the opponent's empirical action frequency over a sliding window of ``window`` steps.

    ``initial``: the window's starting content (W opponent actions, oldest first; default all 0).
    ``epsilon``: trembling probability spread uniformly (0 = pure best response). Two-player games only.
    """

    finite_states = True

    def __init__(self, window: int = 2, initial: Sequence[int] | None = None, epsilon: float = 0.0,
                 name: str = "fictitious_play"):
        super().__init__()
        self.window = check_positive_int(window, "window")
        self._initial = None if initial is None else tuple(as_index_array(initial, "initial", 2**31).tolist())
        if self._initial is not None and len(self._initial) != self.window:
            raise LearnerError(f"initial must list window={self.window} opponent actions, got {list(initial)}")
        self.epsilon = check_in_range(epsilon, "epsilon", 0.0, 1.0)
        self.name = name

    def _on_bind(self) -> None:
        game, i = self._require_bound()
        if game.num_players != 2:
            raise LearnerError(f"{self.name} needs a 2-player game, got {game.num_players} players")
        self.opponent = 1 - i
        self._a_opp = game.num_actions[self.opponent]
        if self._a_opp ** self.window > 100_000:
            raise LearnerError(f"window={self.window} gives {self._a_opp ** self.window} internal states; at most 100000")
        init = self._initial or (0,) * self.window
        if any(not 0 <= a < self._a_opp for a in init):
            raise LearnerError(f"initial entries must be opponent actions in [0, {self._a_opp}), got {list(init)}")
        self._init = torch.as_tensor(init, dtype=torch.long)
        # own stage payoffs against each opponent action, per state: (S, A_i, A_opp)
        R = game.rewards[:, i]
        if i == 1:
            R = np.swapaxes(R, 1, 2)
        self._payoff = torch.as_tensor(np.array(R), dtype=DTYPE)
        self._powers = torch.as_tensor([self._a_opp ** (self.window - 1 - k) for k in range(self.window)])

    @property
    def num_states(self) -> int:
        self._require_bound()
        return int(self._a_opp ** self.window)

    def init(self, rng: torch.Generator, batch: int) -> Params:
        self._require_bound()
        return self._init.expand(batch, -1).clone()

    def frequencies(self, params: Params) -> torch.Tensor:
        """Empirical opponent action frequencies ``(B, A_opp)`` over the window."""
        counts = torch.nn.functional.one_hot(params, self._a_opp).sum(dim=1)
        return counts.to(DTYPE) / self.window

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        self._require_bound()
        freq = self.frequencies(params)
        expected = torch.einsum("bao,bo->ba", self._payoff[state], freq)
        return greedy_probs(expected, self.epsilon, tol=1e-9)

    def update(self, params: Params, transition: Transition) -> Params:
        self._require_bound()
        opp = transition.actions[:, self.opponent]
        return torch.cat([params[:, 1:], opp[:, None]], dim=1)

    def enumerate_states(self) -> Params:
        self._require_bound()
        rows = list(itertools.product(range(self._a_opp), repeat=self.window))
        return torch.as_tensor(rows, dtype=torch.long).reshape(len(rows), self.window)

    def index(self, params: Params) -> torch.Tensor:
        return (params * self._powers).sum(dim=1)

    def state_label(self, k: int) -> str:
        game, _ = self._require_bound()
        hist = np.unravel_index(int(k), (self._a_opp,) * self.window)
        return "[" + ",".join(game.action_names[self.opponent][int(a)] for a in hist) + "]"
