"""Mixing times: closed forms, brute-force matrix powers, spectral bounds, empirical estimators' coverage."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from activeq.avgreward.mixing import (estimate_mixing_time, mixing_time, sample_trajectories, spectral_gap,
                                      tv_distances)
from activeq.errors import ArgumentError, ChainError, ConvergenceWarning


def lazy_cycle(n):
    i = np.arange(n)
    return sp.csr_matrix((np.r_[np.full(n, .5), np.full(n, .25), np.full(n, .25)],
                          (np.r_[i, i, i], np.r_[i, (i + 1) % n, (i - 1) % n])), shape=(n, n))


def brute_tv_mixing(P, eps):
    """First t with max_s TV(P^t(s,.), pi) <= eps by explicit matrix powers."""
    w, v = np.linalg.eig(P.T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    pi /= pi.sum()
    Pt = np.eye(P.shape[0])
    for t in range(100000):
        if 0.5 * np.abs(Pt - pi).sum(axis=1).max() <= eps:
            return t
        Pt = Pt @ P


@pytest.mark.parametrize("a, b, eps", [(0.3, 0.1, 0.25), (0.05, 0.02, 0.1), (0.9, 0.8, 0.01)])
def test_two_state_closed_form(a, b, eps):
    P = np.array([[1 - a, a], [b, 1 - b]])
    # d(t) = max(a, b) / (a + b) * |1 - a - b|^t
    t = math.ceil(math.log(eps * (a + b) / max(a, b)) / math.log(abs(1 - a - b)))
    assert mixing_time(P, eps).t == max(t, 0)
    assert mixing_time(P, eps, dense_limit=1).t == max(t, 0)


@pytest.mark.parametrize("seed", range(4))
def test_dense_sparse_and_brute_force_agree(seed):
    rng = np.random.default_rng(seed)
    n = 15
    P = rng.random((n, n)) ** 6
    P += np.eye(n) * 0.2
    P /= P.sum(1, keepdims=True)
    eps = [0.25, 0.05, 0.001][seed % 3]
    t = brute_tv_mixing(P, eps)
    dense = mixing_time(P, eps)
    sparse = mixing_time(sp.csr_matrix(P), eps, dense_limit=1, block=4)
    assert dense.t == sparse.t == t and dense.all_starts and sparse.all_starts
    assert tv_distances(P, t, [dense.worst_start])[0] <= eps < tv_distances(P, t - 1, [dense.worst_start])[0]


def test_complete_graph_mixes_in_one_step():
    for n in (5, 50, 400):
        P = (np.ones((n, n)) - np.eye(n)) / (n - 1)
        assert mixing_time(P).t == 1  # d(1) = 1/n
        assert mixing_time(np.full((n, n), 1 / n)).t == 1


def test_lazy_cycle_quadratic_and_within_spectral_bounds():
    ts = {n: mixing_time(lazy_cycle(n)).t for n in (16, 32, 64)}
    slope = np.polyfit(np.log(list(ts)), np.log(list(ts.values())), 1)[0]
    assert abs(slope - 2) < 0.1
    gap = spectral_gap(lazy_cycle(32))
    # lazy walk on the n-cycle: lambda_2 = (1 + cos(2 pi / n)) / 2
    assert gap.second_eigenvalue.real == pytest.approx((1 + math.cos(2 * math.pi / 32)) / 2, abs=1e-12)
    assert gap.reversible
    lo, hi = gap.tv_bounds(0.25)
    assert lo <= ts[32] <= hi
    # vertex-transitive: one start is exact, and the sparse path matches
    assert mixing_time(lazy_cycle(64), starts=[5], dense_limit=1).t == ts[64]
    big = spectral_gap(lazy_cycle(3000))  # ARPACK path
    assert big.second_eigenvalue.real == pytest.approx((1 + math.cos(2 * math.pi / 3000)) / 2, abs=1e-9)


def test_return_mixing_time_matches_running_averages():
    rng = np.random.default_rng(3)
    n = 6
    P = rng.random((n, n)) ** 3
    P /= P.sum(1, keepdims=True)
    r = rng.random(n)
    eps = 0.01
    res = mixing_time(P, eps, "return", r)
    # brute force: running averages (1/T) sum_{t<T} P^t r, scanned far beyond the answer
    g = np.linalg.matrix_power(P, 5000)[0] @ r
    acc, Pt, bad = np.zeros(n), np.eye(n), 0
    for T in range(1, 5 * res.t + 200):
        acc += Pt @ r
        Pt = Pt @ P
        if np.abs(acc / T - g).max() > eps:
            bad = T
    assert res.t == bad + 1 and res.converged


def test_return_mixing_periodic_and_multichain():
    P = np.array([[0, 1.0], [1.0, 0]])  # period 2: TV mixing is infinite, return mixing is not
    with pytest.raises(ChainError, match="period 2"):
        mixing_time(P)
    # averages of r=(1,0) from state 0: 1, 1/2, 2/3, 1/2, 3/5 ... deviation 1/(2T) for odd T
    assert mixing_time(P, 0.1, "return", [1.0, 0.0]).t == 4  # T=3 deviates by 1/6 > eps, T=5 by exactly 0.1
    multi = np.array([[1.0, 0, 0], [0, 1, 0], [0.5, 0.5, 0]])
    with pytest.raises(ChainError, match="closed recurrent classes"):
        mixing_time(multi)
    assert mixing_time(multi, 0.2, "return", [1.0, 0.0, 0.0]).t >= 1


def test_sample_trajectories_follow_P():
    rng = np.random.default_rng(0)
    P = rng.random((4, 4))
    P /= P.sum(1, keepdims=True)
    tr = sample_trajectories(sp.csr_matrix(P), np.zeros(4000, dtype=int), 50, seed=1)
    counts = np.zeros((4, 4))
    np.add.at(counts, (tr[:, :-1].ravel(), tr[:, 1:].ravel()), 1)
    freq = counts / counts.sum(1, keepdims=True)
    np.testing.assert_allclose(freq, P, atol=0.01)
    np.testing.assert_array_equal(tr, sample_trajectories(P, np.zeros(4000, dtype=int), 50, seed=1))


def test_empirical_estimates_cover_the_exact_value():
    P = lazy_cycle(12)
    exact_tv = mixing_time(P, 0.25).t
    r = (np.arange(12) == 0).astype(float)
    exact_ret = mixing_time(P, 0.05, "return", r).t
    for seed in range(3):
        est = estimate_mixing_time(P, 0.25, starts=[0], n_trajectories=3000, horizon=60, seed=seed)
        assert est.low <= exact_tv <= est.high
        assert abs(est.t - exact_tv) <= 3
        ret = estimate_mixing_time(P, 0.05, "return", r, starts=[0, 6], n_trajectories=1000,
                                   horizon=4 * exact_ret, seed=seed)
        assert ret.low <= exact_ret <= ret.high


def test_bad_input():
    P = lazy_cycle(5)
    for eps in (0, 1, 1.5, -0.1):
        with pytest.raises(ArgumentError, match="eps"):
            mixing_time(P, eps)
    with pytest.raises(ArgumentError, match="needs r"):
        mixing_time(P, 0.1, "return")
    with pytest.raises(ArgumentError, match=r"shape \(5,\)"):
        mixing_time(P, 0.1, "return", np.ones(4))
    with pytest.raises(ArgumentError, match="method"):
        mixing_time(P, method="spectral")
    with pytest.raises(ArgumentError, match="starts"):
        mixing_time(P, starts=[7])
    with pytest.raises(ChainError, match="row-stochastic"):
        mixing_time(np.array([[0.5, 0.4], [0.5, 0.5]]))


def test_uncertified_mixing_time_warns_at_the_callers_line():
    P = np.array([[0.999, 0.001], [0.001, 0.999]])
    with pytest.warns(ConvergenceWarning, match="lower bound") as rec:
        res = mixing_time(P, eps=1e-3, max_steps=5)
    assert all(w.filename == __file__ for w in rec)  # the warning names this line, not activeq's
    assert not res.converged
