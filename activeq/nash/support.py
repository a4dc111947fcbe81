"""Support enumeration for bimatrix games: every pair of equal-size supports, by batched linear solves.

For supports ``I`` (rows) and ``J`` (columns) of size k, the column player's mix ``y`` makes the rows in ``I``
indifferent (``A[I, J] y_J = u 1``, ``1^T y_J = 1``) and the row player's ``x`` makes the columns in ``J``
indifferent (``B[I, J]^T x_I = v 1``, ``1^T x_I = 1``). A pair is an equilibrium when both mixes are
non-negative and no action outside the supports does better. Every test uses a tolerance (never ``>= 0`` on
floats), so round-off does not reject valid supports. Finds every equilibrium of a nondegenerate game;
in degenerate games use ``"vertex"``.

Source: support enumeration as in Nisan et al., *Algorithmic Game Theory* (2007), Section 3.3, and Porter, Nudelman
and Shoham (2008); the indifference systems are their equations for equal-size supports. Raises
:class:`~activeq.errors.ArgumentError` for a bad ``tol``.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from .._checks import check_in_range
from ..games import NormalFormGame
from .equilibrium import Equilibrium, _check_game, certify
from .registry import register

_CHUNK = 20000  # support pairs per batched solve


def _indifference(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``[M, -1; 1^T, 0] [z; u] = [0; 1]`` for a stack of k x k blocks ``M``; returns (z, regular mask)."""
    P, k, _ = M.shape
    S = np.zeros((P, k + 1, k + 1))
    S[:, :k, :k] = M
    S[:, :k, k] = -1.0
    S[:, k, :k] = 1.0
    det = np.linalg.det(S)
    scale = np.prod(np.linalg.norm(S, axis=2), axis=1)
    regular = np.abs(det) > 1e-12 * scale
    S[~regular] = np.eye(k + 1)
    rhs = np.zeros((P, k + 1, 1))
    rhs[:, k] = 1.0
    return np.linalg.solve(S, rhs)[:, :k, 0], regular


def support_pairs(A: np.ndarray, B: np.ndarray, tol: float = 1e-9) -> list[tuple[np.ndarray, np.ndarray]]:
    """All equilibria with equal-size supports whose indifference systems are regular."""
    m, n = A.shape
    scale = max(1.0, float(np.ptp(A)), float(np.ptp(B)))
    out = []
    for k in range(1, min(m, n) + 1):
        rows = np.array(list(combinations(range(m), k)), dtype=np.intp)
        cols = np.array(list(combinations(range(n), k)), dtype=np.intp)
        total = len(rows) * len(cols)
        for start in range(0, total, _CHUNK):
            flat = np.arange(start, min(total, start + _CHUNK))
            I, J = rows[flat // len(cols)], cols[flat % len(cols)]
            yJ, ok_y = _indifference(A[I[:, :, None], J[:, None, :]])
            xI, ok_x = _indifference(np.swapaxes(B[I[:, :, None], J[:, None, :]], 1, 2))
            ok = ok_x & ok_y & (yJ.min(axis=1) >= -tol) & (xI.min(axis=1) >= -tol)
            if not ok.any():
                continue
            I, J, xI, yJ = I[ok], J[ok], xI[ok], yJ[ok]
            x = np.zeros((len(I), m))
            y = np.zeros((len(I), n))
            np.put_along_axis(x, I, np.clip(xI, 0, None), axis=1)
            np.put_along_axis(y, J, np.clip(yJ, 0, None), axis=1)
            row_pay = y @ A.T  # (P, m): payoff of each row against y
            col_pay = x @ B  # (P, n)
            u = np.take_along_axis(row_pay, I, axis=1).max(axis=1)
            v = np.take_along_axis(col_pay, J, axis=1).max(axis=1)
            best = (row_pay.max(axis=1) <= u + tol * scale) & (col_pay.max(axis=1) <= v + tol * scale)
            out += [(xx / xx.sum(), yy / yy.sum()) for xx, yy in zip(x[best], y[best])]
    return out


def support_pair_count(m: int, n: int) -> int:
    """How many support pairs :func:`support_pairs` examines: sum_k C(m, k) C(n, k) = C(m + n, m) - 1."""
    return sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))


@register("support", players="2", summary="all equal-size support pairs (complete for nondegenerate games)")
def _support_profiles(game: NormalFormGame, tol: float = 1e-9) -> list[tuple[np.ndarray, np.ndarray]]:
    """The registered method: raw profiles, certified once by :func:`activeq.nash.solve`.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game.
    tol : float
        Round-off allowance on probabilities and best-response tests (relative to the payoff range), in (0, 1).

    Returns
    -------
    list of (numpy.ndarray, numpy.ndarray)
        The equilibria with equal-size supports whose indifference systems are regular.
    """
    _check_game(game)
    tol = check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True)
    A, B = game.payoffs
    return support_pairs(A, B, tol)


def support_equilibria(game: NormalFormGame, tol: float = 1e-9) -> list[Equilibrium]:
    """Equilibria of a 2-player game by support enumeration (round-off tolerant)."""
    return certify(game, _support_profiles(game, tol), "support")
