"""Stationary laws, class structure, gain and bias: closed forms and brute force (matrix powers)."""

import numpy as np
import pytest
import scipy.sparse as sp

from activeq.avgreward import gain_bias, recurrent_classes, stationary_distribution
from activeq.errors import ArgumentError, ChainError


def random_chain(n, rng, density=1.0):
    P = rng.random((n, n)) * (rng.random((n, n)) < density)
    P[np.arange(n), (np.arange(n) + 1) % n] += 0.1  # keep it irreducible
    return P / P.sum(axis=1, keepdims=True)


def cesaro(P, T=4000):
    """Brute-force Cesaro limit (1/T) sum_{t<T} P^t."""
    acc = np.zeros_like(P)
    Pt = np.eye(P.shape[0])
    for _ in range(T):
        acc += Pt
        Pt = Pt @ P
    return acc / T


def test_two_state_closed_form():
    a, b = 0.3, 0.05
    P = np.array([[1 - a, a], [b, 1 - b]])
    np.testing.assert_allclose(stationary_distribution(P), [b / (a + b), a / (a + b)], atol=1e-14)
    gb = gain_bias(P, [1.0, 0.0])
    g = b / (a + b)
    np.testing.assert_allclose(gb.gain, [g, g], atol=1e-14)
    # h solves h = r - g + P h with pi . h = 0: h0 - h1 = 1 / (a + b)
    np.testing.assert_allclose(gb.bias[0] - gb.bias[1], 1 / (a + b), atol=1e-12)
    assert abs(stationary_distribution(P) @ gb.bias) < 1e-13
    assert gb.scalar_gain == pytest.approx(g)


@pytest.mark.parametrize("n", [5, 64, 501])
def test_lazy_cycle_uniform(n):
    i = np.arange(n)
    P = sp.coo_matrix((np.r_[np.full(n, 0.5), np.full(n, 0.25), np.full(n, 0.25)],
                       (np.r_[i, i, i], np.r_[i, (i + 1) % n, (i - 1) % n])), shape=(n, n)).tocsr()
    np.testing.assert_allclose(stationary_distribution(P), np.full(n, 1 / n), atol=1e-12)
    assert recurrent_classes(P).is_irreducible and recurrent_classes(P).is_aperiodic


@pytest.mark.parametrize("seed", range(4))
def test_random_chains_match_matrix_powers(seed):
    rng = np.random.default_rng(seed)
    P = random_chain(12, rng, density=0.4)
    pi = stationary_distribution(P)
    np.testing.assert_allclose(pi, np.linalg.matrix_power(P, 2000)[0], atol=1e-10)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-14)
    r = rng.normal(size=12)
    gb = gain_bias(P, r)
    np.testing.assert_allclose(gb.gain, pi @ r, atol=1e-12)
    np.testing.assert_allclose(gb.gain + gb.bias, r + P @ gb.bias, atol=1e-11)
    # bias = sum_t (P^t - P*) r (aperiodic chain) by brute force
    Pstar = np.outer(np.ones(12), pi)
    Pt, h = np.eye(12), np.zeros(12)
    for _ in range(3000):
        h += (Pt - Pstar) @ r
        Pt = Pt @ P
    np.testing.assert_allclose(gb.bias, h, atol=1e-9)


def test_periodic_chain_cesaro_limit():
    # period 3 on states 0-2, and state 3 transient feeding it
    P = np.array([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0.5, 0, 0, 0.5]], dtype=float)
    st = recurrent_classes(P)
    assert st.periods == (3,) and st.transient.tolist() == [3] and not st.is_aperiodic
    np.testing.assert_allclose(stationary_distribution(P), [1 / 3, 1 / 3, 1 / 3, 0], atol=1e-14)
    r = np.array([3.0, 0.0, 0.0, 5.0])
    gb = gain_bias(P, r)
    np.testing.assert_allclose(gb.gain, 1.0, atol=1e-12)
    np.testing.assert_allclose(cesaro(P, 3 * 2000) @ r, gb.gain, atol=3 * np.abs(gb.bias).max() / 6000)
    np.testing.assert_allclose(gb.gain + gb.bias, r + P @ gb.bias, atol=1e-12)
    assert abs(gb.bias[:3].sum()) < 1e-12  # pi . h = 0 on the class


def test_bipartite_period_two():
    P = np.array([[0, 0.5, 0.5, 0], [0.5, 0, 0, 0.5], [0.5, 0, 0, 0.5], [0, 0.5, 0.5, 0]])
    assert recurrent_classes(P).periods == (2,)
    np.testing.assert_allclose(stationary_distribution(P), 0.25, atol=1e-14)


def test_reducible_chain_classes_and_multichain_gain():
    # classes {0,1} (gain 0.5 avg of rewards 1,0 under swap) and {2} absorbing (reward 4); 3 and 4 transient
    P = np.array([
        [0, 1, 0, 0, 0],
        [1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0.2, 0, 0.3, 0.5, 0],
        [0, 0, 0, 1, 0],
    ], dtype=float)
    r = np.array([1.0, 0.0, 4.0, 2.0, -1.0])
    st = recurrent_classes(P)
    assert [c.tolist() for c in st.classes] == [[0, 1], [2]]
    assert st.transient.tolist() == [3, 4] and st.periods == (2, 1)
    with pytest.raises(ChainError, match="no unique stationary"):
        stationary_distribution(P)
    sd = stationary_distribution(P, unique=False)
    np.testing.assert_allclose(sd.distributions, [[0.5, 0.5, 0, 0, 0], [0, 0, 1, 0, 0]], atol=1e-14)
    gb = gain_bias(P, r)
    g3 = (0.2 * 0.5 + 0.3 * 4) / 0.5  # absorption probabilities 0.4 / 0.6
    np.testing.assert_allclose(gb.gain, [0.5, 0.5, 4, g3, g3], atol=1e-12)
    Pstar = cesaro(P, 4000)
    np.testing.assert_allclose(gb.gain, Pstar @ r, atol=2e-3)
    np.testing.assert_allclose(gb.gain + gb.bias, r + P @ gb.bias, atol=1e-12)
    np.testing.assert_allclose(P @ gb.gain, gb.gain, atol=1e-12)
    np.testing.assert_allclose(Pstar @ gb.bias, 0, atol=2e-3)
    with pytest.raises(ChainError, match="not constant"):
        gb.scalar_gain


def test_sparse_and_dense_agree_large():
    rng = np.random.default_rng(7)
    n = 800
    rows = np.repeat(np.arange(n), 4)
    cols = np.concatenate([np.stack([(np.arange(n) + 1) % n, rng.integers(0, n, n), rng.integers(0, n, n),
                                     np.arange(n)], axis=1)]).ravel()
    vals = rng.random(4 * n)
    P = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
    P = sp.diags(1 / np.asarray(P.sum(axis=1)).ravel()) @ P
    pi = stationary_distribution(P)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-15)
    np.testing.assert_allclose(pi, stationary_distribution(P.toarray()), atol=1e-14)
    r = rng.random(n)
    gb = gain_bias(P, r)
    np.testing.assert_allclose(gb.gain + gb.bias, r + P @ gb.bias, atol=1e-10)


@pytest.mark.parametrize("bad, match", [
    (np.array([[0.5, 0.6], [0.5, 0.5]]), "row-stochastic"),
    (np.array([[1.2, -0.2], [0.5, 0.5]]), "non-negative"),
    (np.ones((2, 3)) / 3, "square"),
    (np.array([[np.nan, 1], [0.5, 0.5]]), "finite"),
    (np.zeros((0, 0)), "at least one"),
    (np.ones(3), "2-dimensional"),
])
def test_bad_chains(bad, match):
    with pytest.raises(ChainError, match=match):
        stationary_distribution(bad)


def test_bad_reward_shape():
    with pytest.raises(ArgumentError, match=r"shape \(2,\)"):
        gain_bias(np.eye(2), [1.0, 2.0, 3.0])
