"""A finite MDP with sparse transitions, for MDPs too large for the dense ``(S, A, S)`` arrays of
:class:`activeq.games.StochasticGame` (e.g. scalable bottleneck rooms with thousands of states).

Solvers live in :mod:`activeq.avgreward` (``solve_average_reward`` accepts a SparseMDP or a one-player
StochasticGame); this module only holds the validated data type so that game generators can build it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from .._checks import as_bool_mask, as_float_array
from ..errors import ArgumentError, ChainError
from .stochastic import StochasticGame

STOCHASTIC_TOL = 1e-9

__all__ = ["SparseMDP"]


@dataclass(frozen=True)
class SparseMDP:
    """A finite MDP with sparse transitions: ``rewards (S, A)``, ``transitions`` CSR ``(S * A, S)``.

    ``legal`` is an optional boolean mask ``(S, A)`` (default: every action legal). Validated on creation;
    arrays are read-only.
    """

    rewards: np.ndarray
    transitions: sp.csr_matrix
    legal: np.ndarray | None = None

    def __post_init__(self) -> None:
        R = as_float_array(self.rewards, "rewards", ndim=2, error=ChainError)
        S, A = R.shape
        if S == 0 or A == 0:
            raise ChainError(f"rewards must have at least one state and one action, got shape {R.shape}")
        if sp.issparse(self.transitions):
            T = sp.csr_matrix(self.transitions, dtype=np.float64, copy=True)
        else:
            Td = as_float_array(self.transitions, "transitions", error=ChainError)
            if Td.shape == (S, A, S):
                Td = Td.reshape(S * A, S)
            T = sp.csr_matrix(Td)
        if T.shape != (S * A, S):
            raise ChainError(f"transitions must have shape (S * A, S) = {(S * A, S)} (row s * A + a), got {T.shape}")
        T.sum_duplicates()
        if T.nnz and not np.all(np.isfinite(T.data)):
            raise ChainError("transitions must be finite")
        if T.nnz and T.data.min() < -STOCHASTIC_TOL:
            raise ChainError(f"transitions must be non-negative, got {T.data.min():.3g}")
        T.data = np.clip(T.data, 0.0, None)
        T.eliminate_zeros()
        sums = np.asarray(T.sum(axis=1)).ravel()
        bad = np.abs(sums - 1.0) > STOCHASTIC_TOL * max(1.0, np.sqrt(S))
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ChainError(f"transitions[s={k // A}, a={k % A}, :] must sum to 1, sums to {sums[k]:.12g}")
        T = sp.csr_matrix(sp.diags(1.0 / sums) @ T)
        T.sort_indices()
        if self.legal is None:
            legal = np.ones((S, A), dtype=bool)
        else:
            legal = as_bool_mask(self.legal, "legal", (S, A), error=ChainError)
            if not legal.any(axis=1).all():
                raise ChainError(f"legal leaves no action in state {int(np.flatnonzero(~legal.any(axis=1))[0])}")
            legal = legal.copy()
        R = R.copy()
        R.setflags(write=False)
        legal.setflags(write=False)
        object.__setattr__(self, "rewards", R)
        object.__setattr__(self, "transitions", T)
        object.__setattr__(self, "legal", legal)

    @property
    def num_states(self) -> int:
        return self.rewards.shape[0]

    @property
    def num_actions(self) -> int:
        return self.rewards.shape[1]

    @classmethod
    def from_game(cls, game: StochasticGame) -> "SparseMDP":
        """The sparse form of a one-player :class:`StochasticGame`."""
        if not isinstance(game, StochasticGame):
            raise ArgumentError(f"game must be a StochasticGame, got {type(game).__name__}")
        if not game.is_mdp:
            raise ArgumentError(f"game must have one player (an MDP), got {game.num_players} players")
        S, A = game.num_states, game.num_actions[0]
        return cls(game.rewards[:, 0, :], sp.csr_matrix(game.transitions.reshape(S * A, S)), game.legal_actions[0])

    def to_game(self, **kwargs: Any) -> StochasticGame:
        """The dense one-player :class:`StochasticGame` (memory ``8 S^2 A`` bytes)."""
        S, A = self.rewards.shape
        dense = self.transitions.toarray().reshape(S, A, S)
        return StochasticGame.mdp(self.rewards, dense, legal_actions=[self.legal], **kwargs)
