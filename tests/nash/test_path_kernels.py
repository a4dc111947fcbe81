"""The compiled path kernels: deviation payoffs and Jacobian against the numpy reference in ``_multilinear`` (and
pygambit's payoffs), the LU solver against numpy, and the property they exist for: the n-player solvers give the
same equilibria, bit for bit, under different OpenBLAS kernels and thread counts (run in subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pygambit as gbt
import pytest

from activeq.nash import _path_kernels as pk
from activeq.nash._multilinear import Multilinear

from ._npayer_games import integer_game, random_game


@pytest.mark.parametrize("shape", [(2, 3), (3, 2, 4), (2, 2, 2, 2), (3, 1, 2)])
def test_values_and_jacobian_match_the_numpy_reference(shape):
    rng = np.random.default_rng(len(shape))
    ml = Multilinear(rng.standard_normal((len(shape),) + shape))
    sig = np.concatenate([rng.dirichlet(np.ones(k)) for k in shape])
    V, D = np.empty(ml.N), np.empty((ml.N, ml.N))
    pk.values_jac(ml.flat_u, ml.sizes_arr, ml.offsets, sig, V, D, True)
    V_ref, D_ref = ml.values_and_jacobian(sig)
    np.testing.assert_allclose(V, V_ref, atol=1e-13)
    np.testing.assert_allclose(D, D_ref, atol=1e-13)
    assert pk.max_regret(ml.flat_u, ml.sizes_arr, ml.offsets, sig) == pytest.approx(ml.max_regret(sig), abs=1e-13)


def test_values_match_gambit_payoffs_at_a_mixed_profile():
    game = random_game(5, (2, 3, 2))
    gg = gbt.Game.from_arrays(*game.payoffs)
    prof = gg.mixed_strategy_profile(rational=False)
    rng = np.random.default_rng(0)
    sig = [rng.dirichlet(np.ones(k)) for k in game.num_actions]
    for player, s in zip(gg.players, sig):
        for strategy, v in zip(player.strategies, s):
            prof[strategy] = float(v)
    ml = Multilinear(game.payoffs)
    V = np.empty(ml.N)
    pk.values_jac(ml.flat_u, ml.sizes_arr, ml.offsets, np.concatenate(sig), V, np.empty((1, 1)), False)
    ref = [prof.strategy_value(s) for p in gg.players for s in p.strategies]
    np.testing.assert_allclose(V, ref, atol=1e-12)


def test_lu_solve_and_determinant_sign_match_numpy():
    rng = np.random.default_rng(1)
    for m in (1, 3, 8):
        A = rng.standard_normal((m, m))
        b = rng.standard_normal(m)
        ok, x = pk.solve(A, b)
        assert ok
        np.testing.assert_allclose(x, np.linalg.solve(A, b), atol=1e-10)
        LU, piv = A.copy(), np.empty(m, np.int64)
        assert pk.lu_factor(LU, piv) == np.sign(np.linalg.det(A))
    ok, _ = pk.solve(np.ones((3, 3)), np.ones(3))
    assert not ok


_PROBE = r"""
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from activeq.games import NormalFormGame
from activeq.nash.global_newton import gnm_solve
from activeq.nash.logit import logit_solve
from tests.nash._npayer_games import integer_game, jordan_game, mckelvey_mclennan, random_game
games = [jordan_game(), mckelvey_mclennan(), integer_game(30, (3, 2, 2, 2)), random_game(200, (3, 3, 3)),
         random_game(201, (2, 2, 2, 2))] + [integer_game(s, (3, 3, 3)) for s in range(6)]
for k in (91, 143):  # 4-player integer games whose paths need the perturbed rays (once split by a BLAS dot)
    rng = np.random.default_rng(k)
    shape = tuple(int(a) for a in rng.integers(2, 5, 4))
    games.append(NormalFormGame(rng.integers(-2, 3, (4,) + shape).astype(float)))
out = []
for g in games:
    for f in (gnm_solve, logit_solve):
        out.append([np.concatenate(e.strategies).tolist() for e in f(g)])
print(json.dumps(out))
"""


def test_same_equilibria_under_two_blas_kernels_and_thread_counts():
    # The paths are BLAS-free (same route, bit for bit); only the least-squares fallback of the support polish on
    # exactly singular supports calls LAPACK, which can move the last bit: compare profiles to 1e-13.
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from activeq.nash.global_newton import gnm_solve
    from activeq.nash.logit import logit_solve

    gnm_solve(integer_game(0, (2, 2, 2)))  # compile (and cache) the kernels once here, not in every child
    logit_solve(integer_game(0, (2, 2, 2)))
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                              "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    settings = [{"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "1"},
                {"OPENBLAS_NUM_THREADS": "1"},
                {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "2"},
                {"OPENBLAS_NUM_THREADS": "2"}]
    procs = [subprocess.Popen([sys.executable, "-c", _PROBE, root], env={**base, **extra}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for extra in settings]
    results = []
    for p, extra in zip(procs, settings):
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, (extra, err[-2000:])
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(len(r) == 26 for r in results)
    assert all(r for r in results[0])  # every game has an equilibrium from both methods
    for extra, r in zip(settings[1:], results[1:]):
        assert [len(eqs) for eqs in r] == [len(eqs) for eqs in results[0]], extra
        for eqs, ref in zip(r, results[0]):
            assert all(np.abs(np.subtract(a, b)).max() <= 1e-13 for a, b in zip(eqs, ref)), extra
