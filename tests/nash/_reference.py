"""Independent reference answers for the nash tests: Gambit's exact enumeration and brute force."""

from __future__ import annotations

import itertools

import numpy as np


def gambit_extreme(A, B, rational: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gambit's ``enummixed_solve`` equilibria of (A, B), duplicates removed (Gambit repeats degenerate vertices)."""
    import pygambit as gbt

    if rational:
        A, B = np.asarray(A).astype(int), np.asarray(B).astype(int)
    game = gbt.Game.from_arrays(A, B)
    res = gbt.nash.enummixed_solve(game, rational=rational)
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for eq in res.equilibria:
        x, y = (np.array([float(v) for _, v in eq[p]]) for p in game.players)
        if not any(np.allclose(x, a, atol=1e-9) and np.allclose(y, b, atol=1e-9) for a, b in out):
            out.append((x, y))
    return out


def same_set(ours, ref, atol: float = 1e-7) -> bool:
    """Two lists of strategy pairs are equal as sets (up to ``atol``)."""
    def contains(pool, pair):
        return any(all(np.allclose(p, q, atol=atol) for p, q in zip(pair, other)) for other in pool)
    return len(ours) == len(ref) and all(contains(ref, p) for p in ours) and all(contains(ours, p) for p in ref)


def brute_force_pure(payoffs: np.ndarray) -> set[tuple[int, ...]]:
    """Pure equilibria by checking every joint action and every unilateral deviation, one at a time."""
    n = payoffs.shape[0]
    shape = payoffs.shape[1:]
    found = set()
    for a in itertools.product(*(range(k) for k in shape)):
        stable = True
        for i in range(n):
            for b in range(shape[i]):
                dev = list(a)
                dev[i] = b
                if payoffs[(i, *dev)] > payoffs[(i, *a)] + 1e-12:
                    stable = False
        if stable:
            found.add(tuple(a))
    return found
