"""Tabular stochastic (Markov) games; a one-player stochastic game is an MDP.

Shapes: ``rewards[s, i, a_1, ..., a_n]`` is player i's expected reward in state s under joint action a;
``transitions[s, a_1, ..., a_n, s']`` is the probability of moving to s'. A stationary policy of player i is an
array ``(S, A_i)`` of per-state action distributions; a policy profile is one such array per player.

Transitions may also be given sparse: a ``scipy.sparse`` matrix ``(S * prod(A), S)`` whose row ``s * M + a`` (``a``
the row-major flat joint action) is the next-state distribution. Games with deterministic or local dynamics (an
iterated game's, a grid's) then cost ``O(S M)`` memory instead of ``O(S^2 M)``. :attr:`StochasticGame.transitions`
is always the dense ``(S, *A, S)`` array, built on first use after checking its size against
:data:`activeq.limits.MAX_BYTES`; :attr:`StochasticGame.transitions_sparse` is always the CSR form.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from .._checks import as_bool_mask, as_float_array, check_in_range, check_nbytes, check_probability_vector, show
from ..errors import ArgumentError, ArgumentTypeError, GameError
from .normal_form import NormalFormGame, _action_names, _labels, _names

TRANSITION_TOL = 1e-9


class StochasticGame:
    """A finite n-player stochastic game: rewards ``(S, n, *A)``, transitions ``(S, *A, S)``.

    ``discount`` is None for average-reward (continuing) use, else in [0, 1). ``initial`` is the start-state
    distribution (default: uniform). ``legal_actions`` optionally gives, per player, a boolean mask ``(S, A_i)``;
    illegal actions keep their (ignored) entries in the arrays so every state has the same action axes.
    """

    def __init__(self, rewards: Any, transitions: Any, *, discount: float | None = None, initial: Any = None,
                 state_names: Sequence[str] | None = None, action_names: Sequence[Sequence[str]] | None = None,
                 player_names: Sequence[str] | None = None, legal_actions: Sequence[Any] | None = None,
                 name: str | None = None, title: str | None = None, description: str | None = None):
        R = as_float_array(rewards, "rewards", error=GameError)
        if R.ndim < 3:
            raise GameError(f"rewards must have shape (S, n_players, *n_actions), got shape {R.shape}")
        S, n = R.shape[0], R.shape[1]
        A = R.shape[2:]
        if len(A) != n:
            raise GameError(f"rewards must have shape (S, n_players, *n_actions): {n} players but {len(A)} action axes "
                            f"in shape {R.shape}")
        if S == 0 or any(k == 0 for k in A):
            raise GameError(f"need at least one state and one action per player, got rewards shape {R.shape}")
        self._sparse = sp.issparse(transitions)
        if self._sparse:
            self._T, self._Tsp = None, _check_sparse(transitions, S, A)
        else:
            self._T, self._Tsp = _check_dense(as_float_array(transitions, "transitions", error=GameError), S, A), None
        self._R = np.array(R, copy=True)
        self._R.setflags(write=False)
        try:
            self.discount = None if discount is None else check_in_range(discount, "discount", 0.0, 1.0, high_open=True)
        except (ArgumentError, ArgumentTypeError) as exc:  # a malformed game, as the other fields report it
            raise GameError(str(exc)) from None
        if initial is None:
            init = np.full(S, 1.0 / S)
        else:
            init = check_probability_vector(initial, "initial", S, error=GameError)
        init.setflags(write=False)
        self.initial = init
        self.state_names = _names(state_names, S, "s", "state_names")
        self.player_names = _names(player_names, n, "P", "player_names")
        self.action_names = _action_names(action_names, A)
        self.legal_actions = self._check_legal(legal_actions, S, A)
        _labels(self, name, title, description)

    @staticmethod
    def _check_legal(legal: Sequence[Any] | None, S: int, A: tuple[int, ...]) -> tuple[np.ndarray, ...]:
        if legal is None:
            masks = tuple(np.ones((S, k), dtype=bool) for k in A)
        else:
            if not isinstance(legal, (list, tuple)) or len(legal) != len(A):
                raise GameError(f"legal_actions must be a list of one (S, A_i) mask per player ({len(A)}), "
                                f"got {show(legal)}")
            masks = []
            for i, (m, k) in enumerate(zip(legal, A)):
                arr = as_bool_mask(m, f"legal_actions[{i}]", (S, k), error=GameError)
                if not arr.any(axis=1).all():
                    s = int(np.flatnonzero(~arr.any(axis=1))[0])
                    raise GameError(f"legal_actions[{i}] leaves player {i} no legal action in state {s}")
                masks.append(arr)
            masks = tuple(masks)
        for m in masks:
            m.setflags(write=False)
        return masks

    @classmethod
    def mdp(cls, rewards: Any, transitions: Any, **kwargs: Any) -> "StochasticGame":
        """A Markov decision process as a one-player stochastic game: rewards ``(S, A)``, transitions ``(S, A, S)``."""
        R = as_float_array(rewards, "rewards", ndim=2, error=GameError)
        return cls(R[:, None, :], transitions, **kwargs)

    # --- shape --------------------------------------------------------------------------------
    @property
    def rewards(self) -> np.ndarray:
        return self._R

    @property
    def transitions(self) -> np.ndarray:
        """Dense transition tensor ``(S, *A, S)`` (built once from the sparse form when the game was given one).

        Raises :class:`~activeq.errors.GameError` when the dense form would exceed
        :data:`activeq.limits.MAX_BYTES`; use :attr:`transitions_sparse` then.
        """
        if self._T is None:
            S, A = self.num_states, self.num_actions
            try:
                check_nbytes(8 * S * S * math.prod(A), f"the dense transitions (S, *A, S) = {(S, *A, S)} of "
                             f"{self.name or 'this game'}", error=GameError)
            except GameError as exc:
                raise GameError(f"{exc}; algorithms that accept sparse transitions read game.transitions_sparse") \
                    from None
            T = self._Tsp.toarray().reshape(S, *A, S)
            T.setflags(write=False)
            self._T = T
        return self._T

    @property
    def transitions_sparse(self) -> sp.csr_matrix:
        """Transitions as a CSR matrix ``(S * M, S)``, row ``s * M + a`` for flat joint action ``a`` (M = prod A)."""
        if self._Tsp is None:
            S = self.num_states
            self._Tsp = sp.csr_matrix(self._T.reshape(-1, S))
        return self._Tsp

    @property
    def is_sparse(self) -> bool:
        """Whether the game was built from sparse transitions (the dense form is then made only on request)."""
        return self._sparse

    @property
    def num_states(self) -> int:
        return self._R.shape[0]

    @property
    def num_players(self) -> int:
        return self._R.shape[1]

    @property
    def num_actions(self) -> tuple[int, ...]:
        return tuple(self._R.shape[2:])

    @property
    def is_mdp(self) -> bool:
        return self.num_players == 1

    @property
    def is_zero_sum(self) -> bool:
        return bool(np.allclose(self._R.sum(axis=1), 0.0, atol=1e-12 * max(1.0, np.abs(self._R).max())))

    def stage_game(self, state: int) -> NormalFormGame:
        """The normal-form game of immediate rewards in ``state``."""
        s = self._check_state(state)
        return NormalFormGame(self._R[s], action_names=self.action_names, player_names=self.player_names,
                              name=f"{self.name or 'stage'}[{self.state_names[s]}]")

    # --- policies -----------------------------------------------------------------------------
    def check_policies(self, policies: Sequence[Any], name: str = "policies", tol: float = 1e-9) -> tuple[np.ndarray, ...]:
        """Validate a stationary policy profile: per player an ``(S, A_i)`` array of distributions."""
        try:
            items = list(policies)
        except TypeError:
            raise GameError(f"{name} must be a sequence of {self.num_players} arrays of shape (S, A_i)") from None
        if len(items) != self.num_players:
            raise GameError(f"{name} must have one policy per player ({self.num_players}), got {len(items)}")
        out = []
        for i, (pi, k) in enumerate(zip(items, self.num_actions)):
            arr = as_float_array(pi, f"{name}[{i}]", error=GameError)
            if arr.shape != (self.num_states, k):
                raise GameError(f"{name}[{i}] must have shape {(self.num_states, k)}, got {arr.shape}")
            if arr.min() < -tol or np.any(np.abs(arr.sum(axis=1) - 1) > tol * k):
                s = int(np.argmax(np.abs(arr.sum(axis=1) - 1) + (arr.min(axis=1) < -tol)))
                raise GameError(f"{name}[{i}][{s}] must be a probability vector, got {arr[s].tolist()}")
            arr = np.clip(arr, 0.0, None)
            out.append(arr / arr.sum(axis=1, keepdims=True))
        return tuple(out)

    def _joint(self, policies: Sequence[np.ndarray]) -> np.ndarray:
        """Per-state joint action distribution ``(S, *A)`` = outer product of the players' policies."""
        joint = policies[0]
        for pi in policies[1:]:
            joint = joint[..., None] * pi.reshape(pi.shape[0], *([1] * (joint.ndim - 1)), pi.shape[1])
        return joint

    def transition_matrix(self, policies: Sequence[Any]) -> np.ndarray | sp.csr_matrix:
        """The state chain ``P[s, s'] = sum_a pi(a|s) T[s, a, s']`` induced by a stationary profile.

        Dense ``(S, S)``, or CSR when the game holds only sparse transitions (e.g. a long-memory iterated game).
        """
        joint = self._joint(self.check_policies(policies))
        S = self.num_states
        if self._sparse:  # sparse game: P = W @ T with W the (S, S * M) block-diagonal of joint probabilities
            M = joint[0].size
            W = sp.csr_matrix((joint.ravel(), np.arange(S * M), np.arange(0, S * M + 1, M)), shape=(S, S * M))
            return (W @ self._Tsp).tocsr()
        return np.einsum("sa,sat->st", joint.reshape(S, -1), self._T.reshape(S, -1, S))

    def expected_rewards(self, policies: Sequence[Any]) -> np.ndarray:
        """Per-state expected rewards ``r[s, i] = sum_a pi(a|s) R[s, i, a]`` (shape ``(S, n)``)."""
        joint = self._joint(self.check_policies(policies))
        S, n = self.num_states, self.num_players
        return np.einsum("sa,sia->si", joint.reshape(S, -1), self._R.reshape(S, n, -1))

    def uniform_policies(self) -> tuple[np.ndarray, ...]:
        """Each player uniform over its legal actions in every state."""
        return tuple(m / m.sum(axis=1, keepdims=True) for m in (mask.astype(float) for mask in self.legal_actions))

    def _check_state(self, state: int) -> int:
        if not isinstance(state, (int, np.integer)) or isinstance(state, bool) or not 0 <= state < self.num_states:
            raise GameError(f"state must be an int in [0, {self.num_states}), got {state!r}")
        return int(state)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "players": list(self.player_names),
                "states": list(self.state_names), "actions": [list(a) for a in self.action_names],
                "discount": self.discount, "rewards": self._R.tolist(), "transitions": self.transitions.tolist(),
                "initial": self.initial.tolist()}

    def __repr__(self) -> str:
        label = self.name or "StochasticGame"
        kind = "MDP" if self.is_mdp else f"{self.num_players}-player stochastic game"
        disc = "average reward" if self.discount is None else f"discount {self.discount:g}"
        return (f"<{label}: {kind}, {self.num_states} states, actions {'x'.join(map(str, self.num_actions))}, {disc}>")


def _check_dense(T: np.ndarray, S: int, A: tuple[int, ...]) -> np.ndarray:
    """Validate dense transitions ``(S, *A, S)``: non-negative rows summing to 1; clipped, renormalised, read-only."""
    if T.shape != (S, *A, S):
        raise GameError(f"transitions must have shape (S, *n_actions, S) = {(S, *A, S)}, got {T.shape}")
    if T.min() < -TRANSITION_TOL:
        idx = tuple(int(v) for v in np.unravel_index(np.argmin(T), T.shape))
        raise GameError(f"transitions must be non-negative, got {T.min():.3g} at {idx}")
    sums = T.sum(axis=-1)
    bad = np.abs(sums - 1.0) > TRANSITION_TOL * S
    if bad.any():
        idx = tuple(int(v) for v in np.argwhere(bad)[0])
        raise GameError(f"transitions[s, a, :] must sum to 1 (tolerance {TRANSITION_TOL}); "
                        f"at (state, *actions) = {idx} the row sums to {sums[idx]:.12g}")
    T = np.clip(T, 0.0, None)
    T = T / T.sum(axis=-1, keepdims=True)
    T.setflags(write=False)
    return T


def _check_sparse(T: Any, S: int, A: tuple[int, ...]) -> sp.csr_matrix:
    """Validate sparse transitions ``(S * M, S)`` the same way as dense ones; returns a canonical CSR copy."""
    M = math.prod(A)
    if T.shape != (S * M, S):
        raise GameError(f"sparse transitions must have shape (S * prod(n_actions), S) = {(S * M, S)} "
                        f"(row s * M + joint action), got {T.shape}")
    if T.dtype.kind not in "biuf":
        raise GameError(f"sparse transitions must hold real numbers, got dtype {T.dtype}")
    T = sp.csr_matrix(T, dtype=np.float64, copy=True)
    T.sum_duplicates()
    if T.nnz and not np.all(np.isfinite(T.data)):
        raise GameError("transitions must be finite")
    if T.nnz and T.data.min() < -TRANSITION_TOL:
        raise GameError(f"transitions must be non-negative, got {T.data.min():.3g}")
    T.data = np.clip(T.data, 0.0, None)
    T.eliminate_zeros()
    sums = np.asarray(T.sum(axis=1)).ravel()
    bad = np.abs(sums - 1.0) > TRANSITION_TOL * S
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        s, a = divmod(row, M)
        idx = (s, *(int(v) for v in np.unravel_index(a, A)))
        raise GameError(f"transitions[s, a, :] must sum to 1 (tolerance {TRANSITION_TOL}); "
                        f"at (state, *actions) = {idx} the row sums to {sums[row]:.12g}")
    T = sp.csr_matrix(sp.diags(1.0 / sums) @ T)
    return T
