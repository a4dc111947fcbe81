"""Shared n-player test games: seeded random games, Jordan's game, the McKelvey-McLennan 2x2x2 game, and helpers
that read pygambit results as flat profiles."""

from __future__ import annotations

import itertools

import numpy as np

from activeq.games import NormalFormGame


def random_game(seed: int, shape: tuple[int, ...]) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame(rng.standard_normal((len(shape),) + shape))


def integer_game(seed: int, shape: tuple[int, ...], low: int = -2, high: int = 2) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    return NormalFormGame(rng.integers(low, high + 1, (len(shape),) + shape).astype(float))


def jordan_game() -> NormalFormGame:
    """Three-player matching pennies: 1 matches 2, 2 matches 3, 3 mismatches 1; unique equilibrium all 1/2."""
    a = np.indices((2, 2, 2))
    return NormalFormGame(np.stack([np.where(a[0] == a[1], 1.0, -1.0), np.where(a[1] == a[2], 1.0, -1.0),
                                    np.where(a[2] != a[0], 1.0, -1.0)]))


def from_gambit_list(shape: tuple[int, ...], rows: list[tuple[float, ...]]) -> NormalFormGame:
    """A game from payoff rows in Gambit's .nfg order (the first player's strategy changes fastest)."""
    n = len(shape)
    pay = np.zeros((n,) + shape)
    profiles = [tuple(reversed(p)) for p in itertools.product(*(range(k) for k in reversed(shape)))]
    for prof, row in zip(profiles, rows):
        pay[(slice(None),) + prof] = row
    return NormalFormGame(pay)


def mckelvey_mclennan() -> NormalFormGame:
    """Gambit's contrib/games/2x2x2.nfg: "2x2x2 Example from McKelvey-McLennan, with 9 Nash equilibria"."""
    return from_gambit_list((2, 2, 2), [(9, 8, 12), (0, 0, 0), (0, 0, 0), (9, 8, 2), (0, 0, 0), (3, 4, 6),
                                        (3, 4, 6), (0, 0, 0)])


def gambit_profiles(result, gg) -> list[np.ndarray]:
    return [np.concatenate([[float(v) for _, v in eq[p]] for p in gg.players]) for eq in result.equilibria]


def flat(eq) -> np.ndarray:
    return np.concatenate(eq.strategies)
