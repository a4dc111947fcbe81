"""The equilibrium result type and its certificates: regrets, NashConv, ``is_nash``.

Every solver returns :class:`Equilibrium` objects whose ``max_regret`` is recomputed here from the game, never
taken on trust from the algorithm. Comparisons use tolerances, never exact float equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import SolverError
from ..games import NormalFormGame


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A mixed strategy profile with its payoffs and certificate.

    ``strategies``: one probability vector per player. ``payoffs``: expected payoff per player.
    ``max_regret``: max over players of (best deviation payoff - payoff); 0 for an exact Nash equilibrium.
    ``method``: which solver found it. ``info``: solver-specific extras (iterations, path length, lambda...).
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    max_regret: float
    method: str = ""
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def supports(self) -> tuple[tuple[int, ...], ...]:
        """Indices played with probability above 1e-12, per player."""
        return tuple(tuple(int(a) for a in np.flatnonzero(s > 1e-12)) for s in self.strategies)

    @property
    def is_pure(self) -> bool:
        return all(len(s) == 1 for s in self.supports)

    def to_dict(self) -> dict[str, Any]:
        return {"strategies": [s.tolist() for s in self.strategies], "payoffs": self.payoffs.tolist(),
                "max_regret": float(self.max_regret), "method": self.method}

    def __repr__(self) -> str:
        strat = "; ".join("[" + ", ".join(f"{p:.4g}" for p in s) + "]" for s in self.strategies)
        pay = ", ".join(f"{v:.4g}" for v in self.payoffs)
        return f"Equilibrium(strategies=({strat}), payoffs=({pay}), max_regret={self.max_regret:.2g}, method={self.method!r})"


def regrets(game: NormalFormGame, strategies: Sequence[Any]) -> np.ndarray:
    """Per player: best pure deviation payoff minus current expected payoff (>= 0 up to round-off)."""
    _check_game(game)
    profile = game.check_profile(strategies, "strategies", tol=1e-7)
    out = np.empty(game.num_players)
    for i in range(game.num_players):
        dev = game.deviation_payoffs(profile, i)
        out[i] = dev.max() - float(dev @ profile[i])
    return out


def nash_conv(game: NormalFormGame, strategies: Sequence[Any]) -> float:
    """Sum of the players' regrets (OpenSpiel's NashConv); 0 exactly at a Nash equilibrium."""
    return float(np.sum(np.maximum(regrets(game, strategies), 0.0)))


def is_nash(game: NormalFormGame, strategies: Sequence[Any], tol: float = 1e-9) -> bool:
    """True when no player gains more than ``tol`` (scaled by the payoff range) by a unilateral deviation."""
    scale = max(1.0, float(np.ptp(game.payoffs)))
    return bool(regrets(game, strategies).max() <= tol * scale)


def make_equilibrium(game: NormalFormGame, strategies: Sequence[Any], method: str, **info: Any) -> Equilibrium:
    """Build a certified :class:`Equilibrium`: normalise the profile and recompute payoffs and regret."""
    profile = tuple(np.asarray(s, dtype=np.float64) for s in strategies)
    profile = tuple(np.clip(s, 0.0, None) / np.clip(s, 0.0, None).sum() for s in profile)
    for s in profile:
        s.setflags(write=False)
    pay = game.expected_payoffs(profile)
    pay.setflags(write=False)
    reg = float(max(0.0, regrets(game, profile).max()))
    return Equilibrium(profile, pay, reg, method, dict(info))


def certify(game: NormalFormGame, profiles: Sequence[Sequence[Any]], method: str,
            infos: Sequence[dict[str, Any]] | None = None) -> list[Equilibrium]:
    """:func:`make_equilibrium` for many profiles at once (vectorised for 2 players: one matrix product each).

    Each profile is clipped at 0 and normalised; payoffs and ``max_regret`` are recomputed from the game.
    """
    _check_game(game)
    infos = list(infos) if infos is not None else [{} for _ in profiles]
    if len(infos) != len(profiles):
        raise SolverError(f"infos must have one entry per profile ({len(profiles)}), got {len(infos)}")
    if game.num_players != 2 or len(profiles) == 0:
        return [make_equilibrium(game, p, method, **info) for p, info in zip(profiles, infos)]
    m, n = game.num_actions
    try:
        X = np.array([p[0] for p in profiles], dtype=np.float64).reshape(len(profiles), m)
        Y = np.array([p[1] for p in profiles], dtype=np.float64).reshape(len(profiles), n)
    except (ValueError, IndexError, TypeError):
        raise SolverError(f"each profile must hold a length-{m} and a length-{n} strategy") from None
    np.maximum(X, 0.0, out=X)
    np.maximum(Y, 0.0, out=Y)
    X /= X.sum(axis=1)[:, None]
    Y /= Y.sum(axis=1)[:, None]
    if not np.isfinite(X.sum() + Y.sum()):
        raise SolverError("profiles must be finite, non-negative and not all zero")
    A, B = game.payoffs
    row_dev = Y @ A.T  # (E, m): u_0(i, y)
    col_dev = X @ B  # (E, n): u_1(x, j)
    pay = np.empty((len(X), 2))
    pay[:, 0] = (X * row_dev).sum(axis=1)
    pay[:, 1] = (Y * col_dev).sum(axis=1)
    reg = np.maximum(row_dev.max(axis=1) - pay[:, 0], col_dev.max(axis=1) - pay[:, 1]).clip(0.0).tolist()
    for arr in (X, Y, pay):
        arr.setflags(write=False)
    return [Equilibrium((X[k], Y[k]), pay[k], reg[k], method, infos[k].copy()) for k in range(len(X))]


def deduplicate(equilibria: Sequence[Equilibrium], tol: float = 1e-7) -> list[Equilibrium]:
    """Drop profiles within ``tol`` (max abs difference) of an earlier one; sort deterministically.

    Sort key: lexicographic on the concatenated strategy vectors, descending (pure first action first).
    """
    if len(equilibria) == 0:
        return []
    flats = [np.concatenate(eq.strategies) for eq in equilibria]
    if len({f.shape for f in flats}) > 1:
        raise SolverError("deduplicate needs equilibria of one game (strategy lengths differ)")
    F = np.array(flats)
    close = np.abs(F[:, None, :] - F[None, :, :]).max(axis=2) <= tol  # (E, E)
    first = np.argmax(close, axis=1)  # index of the earliest profile each one is close to
    keep = np.flatnonzero(first == np.arange(len(F)))
    order = np.lexsort(np.round(-F[keep], 9).T[::-1])
    return [equilibria[k] for k in keep[order]]


def _check_game(game: Any) -> None:
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"game must be an activeq NormalFormGame, got {type(game).__name__}")
