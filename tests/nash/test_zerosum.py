"""The zero-sum LP engines beyond test_two_player.py's cross-checks: the answer does not depend on the BLAS thread
count, the restricted (warm-started) HiGHS re-solve makes rank-deficient games exact, rectangular games use the
smaller side. References: scipy's HiGHS on the full LP (independent code)."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import activeq.nash.zerosum as zs
from activeq.games import NormalFormGame
from activeq.nash import is_nash, solve


def test_same_answer_whatever_the_blas_thread_count():
    A = np.random.default_rng(3).normal(size=(120, 90))
    with threadpool_limits(limits=1, user_api="blas"):
        one = zs.solve_matrix_game(A, "ipm")
    with threadpool_limits(limits=2, user_api="blas"):
        two = zs.solve_matrix_game(A, "ipm")
    assert one.value == two.value
    np.testing.assert_array_equal(one.row, two.row)
    np.testing.assert_array_equal(one.column, two.column)


@pytest.mark.parametrize("shape,rank", [((150, 150), 4), ((120, 60), 3), ((60, 120), 3)])
def test_rank_deficient_games_are_solved_exactly_by_the_restricted_resolve(shape, rank, monkeypatch):
    """Low rank: the exact support re-solve cannot be verified, so HiGHS solves the game restricted to the IPM's
    candidate supports (here most strategies: the optimal face is large); the answer must be optimal in the whole
    game without falling back to the cold HiGHS solve."""
    rng = np.random.default_rng(shape[0] + rank)
    A = rng.normal(size=(shape[0], rank)) @ rng.normal(size=(rank, shape[1]))
    full_calls = []
    highs = zs._highs
    monkeypatch.setattr(zs, "_highs", lambda M, lo, span, shifted=False: (
        full_calls.append(M.shape) if not shifted else None) or highs(M, lo, span, shifted))
    sol = zs.solve_matrix_game(A, "ipm")
    assert not full_calls  # the restricted LP sufficed
    ref = highs(A, A.min(), np.ptp(A)).value
    assert sol.value == pytest.approx(ref, abs=1e-9)
    assert is_nash(NormalFormGame.zero_sum(A), (sol.row, sol.column), tol=1e-10)


def test_solve_lp_certifies_and_reports_the_value():
    A = np.random.default_rng(9).normal(size=(80, 80))
    res = solve(NormalFormGame.zero_sum(A), "lp")
    (eq,) = res
    assert eq.converged and eq.max_regret <= 1e-12 * np.ptp(A)
    assert eq.info["value"] == pytest.approx(zs.solve_matrix_game(A, "highs").value, abs=1e-10)
