"""The statistical assertions, checked on synthetic data with known means: true claims pass and false ones fail at
the stated rates (t bounds: exactly 1 - confidence at the boundary and the noncentral-t power above it; counts:
the binomial tail; bootstrap: approximately), and a failure shows the per-seed table and the interval."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from activeq.errors import ArgumentError
from activeq.experiments.testing import (SeedValues, assert_better, assert_fraction_at_least, assert_mean_at_least,
                                         fraction_pass_probability, mean_lower_bound)

R = 2000   # replications: a pass rate's standard error is <= 0.011, so 4 standard errors is <= 0.045


def pass_rate(check, data) -> float:
    passed = 0
    for row in data:
        try:
            check(row)
            passed += 1
        except AssertionError:
            pass
    return passed / len(data)


def window(p: float) -> float:
    return 4 * np.sqrt(p * (1 - p) / R)


@pytest.mark.parametrize("n, shift", [(8, 0.0), (8, 0.8), (5, 1.5)])
def test_mean_at_least_t_passes_at_the_noncentral_t_rate(n, shift):
    """Normal data, sd 1, true mean = bound + shift. shift 0 is a false claim at its boundary: it passes 5% of the
    time; above, the pass rate is the t test's power."""
    data = np.random.default_rng(n * 10 + int(shift * 10)).normal(shift, 1.0, (R, n))
    expected = stats.nct.sf(stats.t.ppf(0.95, n - 1), n - 1, shift * np.sqrt(n)) if shift else 0.05
    assert abs(pass_rate(lambda x: assert_mean_at_least(x, 0.0), data) - expected) < window(expected)


def test_mean_at_least_fails_clearly_false_claims():
    data = np.random.default_rng(1).normal(-0.5, 1.0, (R, 10))     # true mean below the bound
    assert pass_rate(lambda x: assert_mean_at_least(x, 0.0), data) < 0.01


def test_bootstrap_bound_is_close_to_its_nominal_rate():
    """Percentile bootstrap on 30 normal seeds at the boundary: about 5% false passes (approximate by design)."""
    data = np.random.default_rng(2).normal(0.0, 1.0, (500, 30))
    rate = pass_rate(lambda x: assert_mean_at_least(x, 0.0, method="bootstrap", resamples=1000), data)
    assert 0.02 < rate < 0.10
    skewed = np.random.default_rng(3).exponential(1.0, (500, 30)) + 0.7    # true mean 1.7: 3.8 standard errors up
    assert pass_rate(lambda x: assert_mean_at_least(x, 1.0, method="bootstrap", resamples=1000), skewed) > 0.95


@pytest.mark.parametrize("p, k, n", [(0.7, 7, 10), (0.9, 4, 5), (0.5, 5, 5)])
def test_fraction_at_least_passes_with_the_binomial_tail_probability(p, k, n):
    threshold = stats.norm.ppf(1 - p)             # a N(0,1) seed reaches it with probability p
    data = np.random.default_rng(int(p * 100) + k).normal(0.0, 1.0, (R, n))
    expected = fraction_pass_probability(k, n, p)
    assert expected == pytest.approx(sum(stats.binom.pmf(j, n, p) for j in range(k, n + 1)))
    assert abs(pass_rate(lambda x: assert_fraction_at_least(x, threshold, k, n), data) - expected) < window(expected)


@pytest.mark.parametrize("paired, delta", [(True, 0.0), (True, 1.0), (False, 0.0)])
def test_better_passes_at_the_stated_rates(paired, delta):
    rng = np.random.default_rng(7 + int(delta) + paired)
    n = 8
    base = rng.normal(0.0, 2.0, (R, n))              # a shared per-seed effect that pairing cancels
    a = base + delta + rng.normal(0.0, 1.0, (R, n))
    b = (base if paired else rng.normal(0.0, 2.0, (R, n))) + rng.normal(0.0, 1.0, (R, n))
    rows = np.stack([a, b], axis=1)
    rate = pass_rate(lambda ab: assert_better(ab[0], ab[1], paired=paired), rows)
    if delta == 0.0:
        assert abs(rate - 0.05) < window(0.05)        # Welch: approximately
    else:                                              # paired differences are N(1, sd sqrt 2)
        expected = stats.nct.sf(stats.t.ppf(0.95, n - 1), n - 1, delta / np.sqrt(2) * np.sqrt(n))
        assert abs(rate - expected) < window(expected)


def test_better_with_smaller_is_better_and_a_margin():
    regret_a = np.array([10.0, 12, 11, 9, 10])
    regret_b = regret_a + np.array([5.0, 6, 4, 5, 6])
    iv = assert_better(regret_a, regret_b, larger_is_better=False, names=("rho", "q"))
    assert iv.estimate == pytest.approx(5.2) and iv.low > 4
    with pytest.raises(AssertionError, match="rho is not shown to beat q"):
        assert_better(regret_a, regret_b, larger_is_better=False, margin=5.0, names=("rho", "q"))
    with pytest.raises(AssertionError):
        assert_better(regret_b, regret_a, larger_is_better=False)


def test_failure_messages_show_the_per_seed_table_and_the_interval():
    values = SeedValues([1.0, 2.0, 0.5], seeds=[10, 11, 12])
    with pytest.raises(AssertionError) as info:
        assert_mean_at_least(values, 5.0, name="reward")
    msg = str(info.value)
    iv = mean_lower_bound(values)
    assert f"interval: [{iv.low:.6g}, inf)" in msg and "95% lower confidence bound is" in msg
    lines = msg.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split() == ["seed", "reward"])
    assert [line.split() for line in lines[head + 2:head + 5]] == [["10", "1"], ["11", "2"], ["12", "0.5"]]
    with pytest.raises(AssertionError) as info:
        assert_fraction_at_least({3: 0.1, 4: 0.9, 5: 0.2}, 0.5, k=2, n=3, name="win rate")
    assert "in 1 of 3 seeds (needed 2)" in str(info.value)
    assert ["4", "0.9", "ok"] in [line.split() for line in str(info.value).splitlines()]
    assert "MISS" in str(info.value) and "95% interval for the per-seed rate [0.008, 0.906]" in str(info.value)
    with pytest.raises(AssertionError) as info:
        assert_better([1.0, 2.0], [1.5, 1.0], names=("new", "old"))
    assert "improvement" in str(info.value).splitlines()[2]


@pytest.mark.parametrize("call, match", [
    (lambda: assert_mean_at_least([1.0], 0.0), "at least 2 seeds"),
    (lambda: assert_mean_at_least([1.0, np.nan], 0.0), "values must be finite"),
    (lambda: assert_mean_at_least([1.0, 2.0], 0.0, confidence=1.0), "confidence must be in"),
    (lambda: assert_mean_at_least([1.0, 2.0], 0.0, method="z"), "method must be"),
    (lambda: assert_fraction_at_least([1.0, 2.0], 0.0, k=3, n=2), "k must be <= n"),
    (lambda: assert_fraction_at_least([1.0, 2.0, 3.0], 0.0, k=1, n=2), "n=2 seeds"),
    (lambda: assert_better([1.0, 2.0], [1.0, 2.0, 3.0]), "as many values"),
    (lambda: assert_better([1.0, 2.0], [1.0, 2.0], paired=False, method="bootstrap"), "needs paired=True"),
    (lambda: assert_mean_at_least("abc", 0.0), "values must be an array of numbers"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ArgumentError, match=match):
        call()
