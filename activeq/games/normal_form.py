"""Normal-form (strategic) games with any number of players.

The payoff tensor has shape ``(n_players, *n_actions)``: ``payoffs[i, a_1, ..., a_n]`` is player i's
payoff when the joint pure action is ``(a_1, ..., a_n)``. A mixed profile is one probability vector per player.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._checks import (as_float_array, check_names, check_optional_str, check_probability_vector,
                       check_tolerance)
from ..errors import GameError

Profile = Sequence[np.ndarray]


def _names(given: Sequence[Any] | None, count: int, default: str, field: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"{default}{k}" for k in range(count))
    return check_names(given, count, field, error=GameError)


def _action_names(given: Any, counts: Sequence[int]) -> tuple[tuple[str, ...], ...]:
    """Per-player action labels (default ``"0", "1", ...``), validated against the action counts."""
    if given is None:
        return tuple(tuple(str(a) for a in range(k)) for k in counts)
    if isinstance(given, (str, bytes)) or not isinstance(given, (list, tuple, np.ndarray)):
        raise GameError(f"action_names must be one list of names per player ({len(counts)}), "
                        f"got {type(given).__name__}")
    if len(given) != len(counts):
        raise GameError(f"action_names must have one list per player ({len(counts)}), got {len(given)}")
    return tuple(_names(a, k, "", f"action_names[{i}]") for i, (a, k) in enumerate(zip(given, counts)))


def _labels(owner: Any, name: Any, title: Any, description: Any) -> None:
    owner.name = check_optional_str(name, "name", error=GameError)
    owner.title = check_optional_str(title, "title", error=GameError)
    owner.description = check_optional_str(description, "description", error=GameError)


class NormalFormGame:
    """An n-player normal-form game with payoff tensor ``(n_players, *n_actions)``.

    Construct directly from the tensor, or with :meth:`bimatrix`, :meth:`zero_sum`, :meth:`symmetric`.
    The payoff array is stored read-only; games are immutable value objects.
    """

    def __init__(self, payoffs: Any, *, action_names: Sequence[Sequence[str]] | None = None,
                 player_names: Sequence[str] | None = None, name: str | None = None,
                 title: str | None = None, description: str | None = None):
        arr = as_float_array(payoffs, "payoffs", error=GameError)
        if arr.ndim < 2:
            raise GameError(f"payoffs must have shape (n_players, *n_actions) with n_players >= 1, got shape {arr.shape}")
        n = arr.shape[0]
        if arr.ndim != n + 1:
            raise GameError(
                f"payoffs must have shape (n_players, *n_actions) = 1 + n_players axes; got shape {arr.shape}: "
                f"{n} players but {arr.ndim - 1} action axes")
        if any(k == 0 for k in arr.shape[1:]):
            raise GameError(f"payoffs must give every player at least one action, got action counts {arr.shape[1:]}")
        arr = np.array(arr, dtype=np.float64, copy=True)
        arr.setflags(write=False)
        self._payoffs = arr
        self.player_names = _names(player_names, n, "P", "player_names")
        self.action_names = _action_names(action_names, arr.shape[1:])
        _labels(self, name, title, description)

    # --- constructors -------------------------------------------------------------------------
    @classmethod
    def bimatrix(cls, A: Any, B: Any, **kwargs: Any) -> "NormalFormGame":
        """Two-player game: row player's payoffs ``A`` and column player's ``B`` (both ``m x n``)."""
        A = as_float_array(A, "A", ndim=2, error=GameError)
        B = as_float_array(B, "B", ndim=2, error=GameError)
        if A.shape != B.shape:
            raise GameError(f"A and B must have the same shape, got {A.shape} and {B.shape}")
        return cls(np.stack([A, B]), **kwargs)

    @classmethod
    def zero_sum(cls, A: Any, **kwargs: Any) -> "NormalFormGame":
        """Two-player zero-sum game: the row player gets ``A``, the column player ``-A``."""
        A = as_float_array(A, "A", ndim=2, error=GameError)
        return cls.bimatrix(A, -A, **kwargs)

    @classmethod
    def symmetric(cls, A: Any, **kwargs: Any) -> "NormalFormGame":
        """Two-player symmetric game: row gets ``A``, column gets ``A.T`` (square ``A``)."""
        A = as_float_array(A, "A", ndim=2, error=GameError)
        if A.shape[0] != A.shape[1]:
            raise GameError(f"A must be square for a symmetric game, got shape {A.shape}")
        return cls.bimatrix(A, A.T, **kwargs)

    # --- shape --------------------------------------------------------------------------------
    @property
    def payoffs(self) -> np.ndarray:
        """The read-only payoff tensor ``(n_players, *n_actions)``."""
        return self._payoffs

    @property
    def num_players(self) -> int:
        return self._payoffs.shape[0]

    @property
    def num_actions(self) -> tuple[int, ...]:
        return tuple(self._payoffs.shape[1:])

    def payoff_matrix(self, player: int) -> np.ndarray:
        """Player ``player``'s payoff tensor over joint actions (for 2 players: the familiar matrix A or B)."""
        return self._payoffs[self._check_player(player)]

    @property
    def is_zero_sum(self) -> bool:
        """Payoffs sum to zero at every joint action (to 1e-12 relative)."""
        total = self._payoffs.sum(axis=0)
        return bool(np.allclose(total, 0.0, atol=1e-12 * max(1.0, np.abs(self._payoffs).max())))

    @property
    def is_constant_sum(self) -> bool:
        total = self._payoffs.sum(axis=0)
        return bool(np.allclose(total, total.flat[0], atol=1e-12 * max(1.0, np.abs(self._payoffs).max())))

    @property
    def is_symmetric(self) -> bool:
        """Invariant under every permutation of players (equal action counts; u_i(a) = u_pi(i)(a∘pi))."""
        n, shape = self.num_players, self.num_actions
        if len(set(shape)) != 1:
            return False
        if n == 1:
            return True
        # Transpositions (0 k) generate the symmetric group.
        for k in range(1, n):
            perm = list(range(n))
            perm[0], perm[k] = perm[k], perm[0]
            swapped = np.transpose(self._payoffs, [0] + [p + 1 for p in perm])[perm]
            if not np.allclose(swapped, self._payoffs):
                return False
        return True

    # --- payoffs of mixed profiles ------------------------------------------------------------
    def check_profile(self, profile: Profile, name: str = "profile", tol: float = 1e-9) -> tuple[np.ndarray, ...]:
        """Validate a mixed profile: one probability vector per player of the right length."""
        tol = check_tolerance(tol, error=GameError)
        if isinstance(profile, np.ndarray) and profile.ndim == 1:
            profile = [profile]
        try:
            items = list(profile)
        except TypeError:
            raise GameError(f"{name} must be a sequence of {self.num_players} probability vectors") from None
        if len(items) != self.num_players:
            raise GameError(f"{name} must have one strategy per player ({self.num_players}), got {len(items)}")
        return tuple(check_probability_vector(s, f"{name}[{i}]", k, tol=tol, error=GameError)
                     for i, (s, k) in enumerate(zip(items, self.num_actions)))

    def expected_payoffs(self, profile: Profile) -> np.ndarray:
        """Each player's expected payoff under the mixed profile: ``u_i(x) = sum_a prod_j x_j(a_j) u_i(a)``."""
        strategies = self.check_profile(profile)
        value = self._payoffs
        for s in reversed(strategies):  # contract the last action axis each time
            value = value @ s
        return np.asarray(value, dtype=np.float64)

    def deviation_payoffs(self, profile: Profile, player: int) -> np.ndarray:
        """Payoff of each pure action of ``player`` against the others' mixtures: ``u_i(a_i, x_{-i})``."""
        i = self._check_player(player)
        strategies = self.check_profile(profile)
        return self._contract_except(i, strategies)

    def _contract_except(self, i: int, strategies: Sequence[np.ndarray]) -> np.ndarray:
        value = self._payoffs[i]
        # contract trailing players after i, then leading players before i
        for j in reversed(range(i + 1, self.num_players)):
            value = value @ strategies[j]
        for j in range(i):
            value = np.tensordot(strategies[j], value, axes=(0, 0))
        return np.asarray(value, dtype=np.float64)

    def best_responses(self, profile: Profile, player: int, tol: float = 1e-9) -> np.ndarray:
        """Indices of ``player``'s pure best responses to ``profile`` (within ``tol`` of the best payoff)."""
        tol = check_tolerance(tol, error=GameError)
        dev = self.deviation_payoffs(profile, player)
        return np.flatnonzero(dev >= dev.max() - tol)

    def _check_player(self, player: int) -> int:
        if not isinstance(player, (int, np.integer)) or isinstance(player, bool) or not 0 <= player < self.num_players:
            raise GameError(f"player must be an int in [0, {self.num_players}), got {player!r}")
        return int(player)

    # --- comparison and display ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NormalFormGame):
            return NotImplemented
        return self._payoffs.shape == other._payoffs.shape and bool(np.array_equal(self._payoffs, other._payoffs))

    def __hash__(self) -> int:
        return hash((self._payoffs.shape, self._payoffs.tobytes()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (payoffs as nested lists)."""
        return {"name": self.name, "title": self.title, "players": list(self.player_names),
                "actions": [list(a) for a in self.action_names], "payoffs": self._payoffs.tolist()}

    def table(self) -> str:
        """Payoff table: a matrix of payoff tuples for 2 players, one line per joint action otherwise."""
        fmt = lambda v: f"{v:g}"  # noqa: E731
        if self.num_players == 2:
            rows, cols = self.action_names
            cells = [[", ".join(fmt(v) for v in self._payoffs[:, r, c]) for c in range(len(cols))]
                     for r in range(len(rows))]
            width = max(max(len(x) for row in cells for x in row), max(len(c) for c in cols))
            head_w = max(len(r) for r in rows)
            lines = [" " * head_w + " | " + " | ".join(c.center(width) for c in cols)]
            lines.append("-" * len(lines[0]))
            lines += [r.ljust(head_w) + " | " + " | ".join(x.center(width) for x in row) for r, row in zip(rows, cells)]
            return "\n".join(lines)
        lines = [" ".join(self.player_names) + " -> payoffs"]
        for idx in np.ndindex(*self.num_actions):
            acts = " ".join(self.action_names[i][a] for i, a in enumerate(idx))
            lines.append(f"{acts}: " + ", ".join(fmt(v) for v in self._payoffs[(slice(None),) + idx]))
        return "\n".join(lines)

    def __repr__(self) -> str:
        label = self.name or "NormalFormGame"
        shape = "x".join(map(str, self.num_actions))
        return f"<{label}: {self.num_players}-player {shape} normal-form game>\n{self.table()}"
