"""Repeated normal-form games with memory-k observations, as stochastic games.

The state is the last ``memory`` joint actions; histories shorter than ``memory`` (including the empty start
history) are states too, so memory 1 on a 2x2 game has 1 + 4 = 5 states. Transitions are deterministic, so they are
held sparse (one entry per state and joint action): memory 7 on a 2x2 game (21,845 states) takes about 3 MB
instead of a 14 GiB dense tensor. State 0 is the start state; then come
histories of length 1, 2, ..., memory, each block in lexicographic (row-major) order of its joint actions.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from .._checks import check_nbytes, check_optional_str, check_positive_int, show
from ..errors import GameError
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

JointAction = tuple[int, ...]

#: Default cap on the number of states (histories): tabular learners hold several arrays of this length.
MAX_STATES = 200_000


def _check_memory(memory: Any, m: int, max_states: int) -> int:
    """``memory`` as an int whose state count sum_{j<=k} m^j is at most ``max_states``, checked with small numbers
    only (a huge ``memory`` must fail at once, not after a big-integer power)."""
    check_positive_int(memory, "memory")
    shown = show(memory)
    total, power = 1, 1
    for j in range(1, min(int(memory), max_states) + 1):  # m >= 2 stops within ~log2(max_states) steps
        power *= m
        total += power
        if total > max_states:
            break
    if total > max_states or memory > max_states:
        raise GameError(f"memory={shown} gives more than {max_states} states (histories) for {m} joint actions; "
                        f"at most {max_states} are supported (max_states=...)")
    return int(memory)


class IteratedGame(StochasticGame):
    """The stage game repeated forever; state = the last ``memory`` joint actions (plus shorter start histories)."""

    def __init__(self, stage: NormalFormGame, memory: int = 1, *, discount: float | None = None,
                 name: str | None = None, max_states: int = MAX_STATES, max_bytes: int | None = None):
        if not isinstance(stage, NormalFormGame):
            raise GameError(f"stage must be a NormalFormGame, got {type(stage).__name__}")
        m = int(np.prod(stage.num_actions))
        k = _check_memory(memory, m, check_positive_int(max_states, "max_states"))
        S = sum(m ** j for j in range(k + 1))  # small now: k was checked against max_states without big integers
        n = stage.num_players
        # rewards (S, n, M) dense, transitions sparse: one entry per (state, joint action)
        check_nbytes(8 * S * n * m + 3 * 8 * S * m, f"IteratedGame(memory={k}) with {S} states and {m} joint actions",
                     max_bytes, error=GameError)
        self.stage = stage
        self.memory = k
        self._num_joint = m
        self._offsets = np.cumsum([0] + [m ** j for j in range(k + 1)])  # start index of length-j histories
        R = np.broadcast_to(stage.payoffs, (S, *stage.payoffs.shape)).copy()
        initial = np.zeros(S)
        initial[0] = 1.0
        names = ["start"] + [self._label(self.history_of(s)) for s in range(1, S)]
        super().__init__(R, self._transitions(), discount=discount, initial=initial, state_names=names,
                         action_names=stage.action_names, player_names=stage.player_names,
                         name=check_optional_str(name, "name", error=GameError) or (
                             f"iterated_{stage.name}" if stage.name else None),
                         title=f"iterated {stage.title or stage.name or 'game'} (memory {k})")

    def _transitions(self) -> sp.csr_matrix:
        """Deterministic successor of every (state, joint action), as a sparse ``(S * M, S)`` 0/1 matrix.

        A length-j history with code c followed by joint action a becomes length min(j + 1, k) with code
        ``(c M + a) mod M^min(j+1, k)`` (the oldest action drops out once the memory is full).
        """
        m, k, off = self._num_joint, self.memory, self._offsets
        S = int(off[-1])
        state = np.arange(S)
        length = np.searchsorted(off, state, side="right") - 1  # history length of each state
        code = state - off[length]
        new_len = np.minimum(length + 1, k)
        nxt = off[new_len][:, None] + (code[:, None] * m + np.arange(m)[None, :]) % (m ** new_len)[:, None]
        return sp.csr_matrix((np.ones(S * m), nxt.ravel(), np.arange(S * m + 1)), shape=(S * m, S))

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
