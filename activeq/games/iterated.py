"""Repeated normal-form games with memory-k observations, as stochastic games.

The state is the last ``memory`` joint actions; histories shorter than ``memory`` (including the empty start
history) are states too, so memory 1 on a 2x2 game has 1 + 4 = 5 states. State 0 is the start state; then come
histories of length 1, 2, ..., memory, each block in lexicographic (row-major) order of its joint actions.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._checks import check_positive_int
from ..errors import GameError
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

JointAction = tuple[int, ...]


class IteratedGame(StochasticGame):
    """The stage game repeated forever; state = the last ``memory`` joint actions (plus shorter start histories)."""

    def __init__(self, stage: NormalFormGame, memory: int = 1, *, discount: float | None = None,
                 name: str | None = None):
        if not isinstance(stage, NormalFormGame):
            raise GameError(f"stage must be a NormalFormGame, got {type(stage).__name__}")
        k = check_positive_int(memory, "memory")
        m = int(np.prod(stage.num_actions))
        num_states = sum(m ** j for j in range(k + 1))
        if num_states > 200_000:
            raise GameError(f"memory={k} gives {num_states} states for {m} joint actions; at most 200000 are supported")
        self.stage = stage
        self.memory = k
        self._num_joint = m
        self._offsets = np.cumsum([0] + [m ** j for j in range(k + 1)])  # start index of length-j histories
        S = num_states
        R = np.broadcast_to(stage.payoffs, (S, *stage.payoffs.shape)).copy()
        T = np.zeros((S, m, S))
        for s in range(S):
            hist = self.history_of(s)
            for a in range(m):
                T[s, a, self._index((hist + (a,))[-k:])] = 1.0
        T = T.reshape((S, *stage.num_actions, S))
        initial = np.zeros(S)
        initial[0] = 1.0
        names = ["start"] + [self._label(self.history_of(s)) for s in range(1, S)]
        super().__init__(R, T, discount=discount, initial=initial, state_names=names,
                         action_names=stage.action_names, player_names=stage.player_names,
                         name=name or (f"iterated_{stage.name}" if stage.name else None),
                         title=f"iterated {stage.title or stage.name or 'game'} (memory {k})")

    def _index(self, hist: Sequence[int]) -> int:
        j = len(hist)
        code = 0
        for a in hist:
            code = code * self._num_joint + a
        return int(self._offsets[j] + code)

    def history_of(self, state: int) -> tuple[int, ...]:
        """The joint-action history (flat joint-action indices, oldest first) that ``state`` stands for."""
        if not isinstance(state, (int, np.integer)) or isinstance(state, bool) or not 0 <= state < self._offsets[-1]:
            raise GameError(f"state must be an int in [0, {int(self._offsets[-1])}), got {state!r}")
        s = int(state)
        j = int(np.searchsorted(self._offsets, s, side="right") - 1)
        code = s - int(self._offsets[j])
        hist = []
        for _ in range(j):
            code, a = divmod(code, self._num_joint)
            hist.append(a)
        return tuple(reversed(hist))

    def state_of(self, history: Sequence[Any]) -> int:
        """State index of a history of joint actions, each a flat index or a tuple of per-player actions."""
        flat = [self.joint_index(h) if isinstance(h, (tuple, list)) else int(h) for h in history]
        if any(not 0 <= a < self._num_joint for a in flat):
            raise GameError(f"history entries must be joint actions in [0, {self._num_joint}), got {list(history)}")
        return self._index(flat[-self.memory:] if flat else [])

    def joint_index(self, actions: Sequence[int]) -> int:
        """Flat index of a joint action ``(a_1, ..., a_n)`` (row-major over the stage game's action counts)."""
        if len(actions) != self.stage.num_players:
            raise GameError(f"a joint action needs {self.stage.num_players} entries, got {tuple(actions)}")
        return int(np.ravel_multi_index(tuple(int(a) for a in actions), self.stage.num_actions))

    def _label(self, hist: tuple[int, ...]) -> str:
        parts = []
        for a in hist:
            acts = np.unravel_index(a, self.stage.num_actions)
            parts.append(",".join(self.stage.action_names[i][int(x)] for i, x in enumerate(acts)))
        return "|".join(f"({p})" for p in parts)
