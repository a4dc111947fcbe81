"""The result types of the equilibrium solvers and their certificates: regrets, NashConv, ``is_nash``.

Two result types, never mixed:

- :class:`Equilibrium`: a profile whose ``max_regret`` (recomputed here from the game, never taken on trust from the
  algorithm) is at most ``tol`` times the payoff scale ``max(1, payoff range)``: an exact equilibrium for the
  enumeration methods (regret at round-off level), an epsilon-equilibrium with ``epsilon = tol x scale`` for
  iterative methods. :func:`activeq.nash.solve` returns only these.
- :class:`Approximation`: where a method stopped when it did *not* certify (learning dynamics that cycle, a path cut
  short), labelled ``converged=False``, with its certificate, the tolerance it missed, the iterations and the seed,
  and on request the whole trajectory. :func:`activeq.nash.approximate` returns these; ``solve`` raises
  :class:`~activeq.errors.NotConvergedError` carrying them.

Comparisons use tolerances, never exact float equality. Raises :class:`~activeq.errors.SolverError` for a game that
is not a :class:`~activeq.games.NormalFormGame` or profiles of the wrong shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .._checks import check_in_range
from ..errors import NotConvergedError, SolverError
from ..games import NormalFormGame

#: Default certificate: an equilibrium's max regret is at most this times :func:`payoff_scale` (round-off level for
#: the exact methods; iterative methods default to their own, larger ``tol``).
CERTIFY_TOL = 1e-9


def payoff_scale(game: NormalFormGame) -> float:
    """``max(1, payoff range)``: tolerances on regrets are relative to it, so they do not depend on payoff units."""
    return max(1.0, float(np.ptp(game.payoffs)))


def _profile_text(strategies: Sequence[np.ndarray]) -> str:
    return "; ".join("[" + ", ".join(f"{p:.4g}" for p in s) + "]" for s in strategies)


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A mixed strategy profile with its payoffs and certificate.

    ``strategies``: one probability vector per player. ``payoffs``: expected payoff per player.
    ``max_regret``: max over players of (best deviation payoff - payoff); 0 for an exact Nash equilibrium.
    ``method``: which solver found it. ``info``: solver-specific extras (iterations, path length, lambda...).
    ``tol``: the certificate's tolerance, relative to :func:`payoff_scale`. ``converged``: ``max_regret <= tol x
    scale``; every equilibrium :func:`activeq.nash.solve` returns has ``converged=True`` (a candidate that fails is
    returned as an :class:`Approximation` instead).
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    max_regret: float
    method: str = ""
    info: dict[str, Any] = field(default_factory=dict)
    tol: float = CERTIFY_TOL
    converged: bool = True

    @property
    def supports(self) -> tuple[tuple[int, ...], ...]:
        """Indices played with probability above 1e-12, per player."""
        return tuple(tuple(int(a) for a in np.flatnonzero(s > 1e-12)) for s in self.strategies)

    @property
    def is_pure(self) -> bool:
        return all(len(s) == 1 for s in self.supports)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "equilibrium", "strategies": [s.tolist() for s in self.strategies],
                "payoffs": self.payoffs.tolist(), "max_regret": float(self.max_regret), "tol": float(self.tol),
                "converged": bool(self.converged), "method": self.method}

    def __repr__(self) -> str:
        pay = ", ".join(f"{v:.4g}" for v in self.payoffs)
        return (f"Equilibrium(strategies=({_profile_text(self.strategies)}), payoffs=({pay}), "
                f"max_regret={self.max_regret:.2g}, method={self.method!r})")


@dataclass(frozen=True, eq=False)
class Approximation:
    """Where an iterative method stopped: a profile labelled with its certificate, *not* presented as an equilibrium.

    ``strategies``, ``payoffs``, ``max_regret``: as for :class:`Equilibrium` (recomputed from the game).
    ``tol``: the target (max regret <= ``tol`` x :func:`payoff_scale`); ``converged``: whether it was met, i.e.
    whether this is an epsilon-equilibrium with ``epsilon = tol x scale``. ``method``; ``iterations`` run;
    ``seed`` used (None for deterministic methods). ``trajectory``: with ``return_trajectory=True``, one array per
    player of shape ``(iterations + 1, n_actions)``: the dynamics' state after each iteration (row 0 is the start),
    e.g. the empirical frequencies of fictitious play. ``info``: method-specific extras.
    """

    strategies: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    max_regret: float
    tol: float
    converged: bool
    method: str
    iterations: int = 0
    seed: int | None = None
    trajectory: tuple[np.ndarray, ...] | None = field(default=None, repr=False)
    info: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_equilibrium(self) -> Equilibrium:
        """The same profile as a certified :class:`Equilibrium`; :class:`NotConvergedError` when not converged."""
        if not self.converged:
            raise NotConvergedError(f"{self.method}: max regret {self.max_regret:.3g} is above tol {self.tol:g} x "
                                    "payoff scale; this approximation is not an equilibrium", (self,))
        info = dict(self.info, iterations=self.iterations) if self.iterations else dict(self.info)
        return Equilibrium(self.strategies, self.payoffs, self.max_regret, self.method, info, self.tol, True)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "approximation", "strategies": [s.tolist() for s in self.strategies],
                "payoffs": self.payoffs.tolist(), "max_regret": float(self.max_regret), "tol": float(self.tol),
                "converged": bool(self.converged), "method": self.method, "iterations": int(self.iterations),
                "seed": self.seed}

    def __repr__(self) -> str:
        pay = ", ".join(f"{v:.4g}" for v in self.payoffs)
        what = "converged" if self.converged else "NOT converged, not an equilibrium"
        return (f"Approximation(strategies=({_profile_text(self.strategies)}), payoffs=({pay}), "
                f"max_regret={self.max_regret:.2g}, tol={self.tol:g}, {what}, method={self.method!r}, "
                f"iterations={self.iterations})")


def to_approximation(eq: Equilibrium, **extra: Any) -> Approximation:
    """A candidate that failed its certificate, relabelled as what it is (``info`` kept)."""
    info = dict(eq.info)
    iterations = int(info.pop("iterations", 0) or 0)
    fields = dict(iterations=iterations) | extra
    return Approximation(eq.strategies, eq.payoffs, eq.max_regret, eq.tol, eq.converged, eq.method, info=info,
                         **fields)


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


def is_nash(game: NormalFormGame, strategies: Sequence[Any], tol: float = CERTIFY_TOL) -> bool:
    """True when no player gains more than ``tol`` x :func:`payoff_scale` by a unilateral deviation."""
    tol = check_in_range(tol, "tol", 0.0)
    return bool(regrets(game, strategies).max() <= tol * payoff_scale(game))


def make_equilibrium(game: NormalFormGame, strategies: Sequence[Any], method: str, *, tol: float = CERTIFY_TOL,
                     **info: Any) -> Equilibrium:
    """Build an :class:`Equilibrium`: normalise the profile, recompute payoffs and regret, check ``tol``.

    ``converged`` on the result says whether the certificate ``max_regret <= tol x payoff_scale(game)`` holds;
    :func:`activeq.nash.solve` returns only those that pass.
    """
    profile = tuple(np.asarray(s, dtype=np.float64) for s in strategies)
    profile = tuple(np.clip(s, 0.0, None) / np.clip(s, 0.0, None).sum() for s in profile)
    for s in profile:
        s.setflags(write=False)
    pay = game.expected_payoffs(profile)
    pay.setflags(write=False)
    reg = float(max(0.0, regrets(game, profile).max()))
    return Equilibrium(profile, pay, reg, method, dict(info), tol, reg <= tol * payoff_scale(game))


def certify(game: NormalFormGame, profiles: Sequence[Sequence[Any]], method: str,
            infos: Sequence[dict[str, Any]] | None = None, tol: float = CERTIFY_TOL) -> list[Equilibrium]:
    """:func:`make_equilibrium` for many profiles at once (vectorised for 2 players: one matrix product each).

    Each profile is clipped at 0 and normalised; payoffs and ``max_regret`` are recomputed from the game, and
    ``converged`` says whether ``max_regret <= tol x payoff_scale(game)``.
    """
    _check_game(game)
    infos = list(infos) if infos is not None else [{} for _ in profiles]
    if len(infos) != len(profiles):
        raise SolverError(f"infos must have one entry per profile ({len(profiles)}), got {len(infos)}")
    if game.num_players != 2 or len(profiles) == 0:
        return [make_equilibrium(game, p, method, tol=tol, **info) for p, info in zip(profiles, infos)]
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
    bound = tol * payoff_scale(game)
    return [Equilibrium((X[k], Y[k]), pay[k], reg[k], method, infos[k].copy(), tol, reg[k] <= bound)
            for k in range(len(X))]


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
