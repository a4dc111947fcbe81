"""Seeded statistical assertions for experiment tests: plain functions, usable with or without pytest.

- :func:`assert_mean_at_least`: the mean is at least ``bound``, shown by a one-sided lower confidence bound
  (Student t, or a percentile bootstrap).
- :func:`assert_fraction_at_least`: at least ``k`` of the ``n`` seeds reach ``threshold``.
- :func:`assert_better`: ``a`` beats ``b`` on average (paired t on per-seed differences, or Welch's t).

Error rates, as the tests of this module check them on synthetic data with known means:

- t bounds (``method="t"``): for normal per-seed values whose true mean sits exactly at the claimed bound (or at
  ``margin``), the assertion passes with probability ``1 - confidence`` (the false-pass rate; Student, 1908; Welch,
  1947, approximately); further above, it passes with the power given by the noncentral t distribution.
- bootstrap bounds (``method="bootstrap"``, Efron and Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13,
  the percentile interval): no normality assumed, but the false-pass rate is only approximately ``1 - confidence``,
  and above it for few seeds (about 7% at 95% with 20 normal seeds).
- :func:`assert_fraction_at_least` is a count, not an estimate: with per-seed success probability ``p`` it passes
  with probability ``P(Binomial(n, p) >= k)`` (:func:`fraction_pass_probability`).

A failure raises AssertionError whose message shows the per-seed table and the interval. Every call is also noted
(:data:`CHECKS`) for the pytest plugin's end-of-session summary.

Raises :class:`activeq.errors.ArgumentError` for values that are not finite numbers, fewer than 2 seeds, mismatched
paired lengths, or a confidence outside (0, 1).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from .._checks import as_float_array, check_bool, check_in_range, check_positive_int, show
from ..errors import ArgumentError, ArgumentTypeError

CHECKS: list[dict[str, Any]] = []   # every assertion made in this process: {"check", "passed", "summary"}
_KEEP = 10_000


@dataclass(frozen=True)
class Interval:
    """A one-sided confidence interval ``[low, inf)`` for ``estimate`` (a mean or a mean difference)."""

    estimate: float
    low: float
    confidence: float
    method: str
    n: int

    def __str__(self) -> str:
        return (f"{self.confidence:.0%} interval [{self.low:.6g}, inf) for {self.estimate:.6g} "
                f"({self.method}, n={self.n})")


class SeedValues(np.ndarray):
    """A float array of per-seed values that remembers its seeds (``.seeds``), for the assertions' tables."""

    seeds: tuple[int, ...]

    def __new__(cls, values: Any, seeds: Sequence[int]) -> "SeedValues":
        obj = np.asarray(values, dtype=float).view(cls)
        obj.seeds = tuple(int(s) for s in seeds)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.seeds = getattr(obj, "seeds", ())


def _values(values: Any, name: str) -> tuple[np.ndarray, tuple[int, ...]]:
    if isinstance(values, Mapping):
        seeds = tuple(int(s) for s in values)
        arr = as_float_array(list(values.values()), name, ndim=1)
    else:
        arr = as_float_array(values, name, ndim=1)
        seeds = tuple(getattr(values, "seeds", ()) or ())
        if len(seeds) != arr.size:
            seeds = tuple(range(arr.size))
    if arr.size < 2:
        raise ArgumentError(f"{name} must hold at least 2 seeds' values, got {arr.size}")
    return np.asarray(arr, dtype=float), seeds


@functools.lru_cache(maxsize=1024)
def _t_quantile(confidence: float, df: float) -> float:
    return float(stats.t.ppf(confidence, df))


def _lower_bound(x: np.ndarray, confidence: float, method: str, resamples: int, seed: int) -> float:
    n = x.size
    mean = float(x.mean())
    if method == "t":
        se = float(x.std(ddof=1)) / np.sqrt(n)
        return mean if se == 0 else mean - _t_quantile(confidence, n - 1) * se
    rng = np.random.default_rng(seed)
    means = x[rng.integers(n, size=(resamples, n))].mean(axis=1)
    return float(np.quantile(means, 1.0 - confidence))


def _check_common(confidence: float, method: str, resamples: int) -> tuple[float, str, int]:
    confidence = check_in_range(confidence, "confidence", 0.0, 1.0, low_open=True, high_open=True)
    if method not in ("t", "bootstrap"):
        raise ArgumentError(f"method must be 't' or 'bootstrap'; got {method!r}")
    return confidence, method, check_positive_int(resamples, "resamples", minimum=100)


def _table(seeds: Sequence[int], columns: dict[str, np.ndarray], marks: Sequence[str] | None = None) -> str:
    head = ["seed", *columns] + ([""] if marks is not None else [])
    rows = [[str(s), *(f"{float(c[i]):.6g}" for c in columns.values())] + ([marks[i]] if marks is not None else [])
            for i, s in enumerate(seeds)]
    widths = [max(len(h), *(len(r[k]) for r in rows)) for k, h in enumerate(head)]
    fmt = lambda r: "  ".join(v.rjust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join("    " + line for line in [fmt(head), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def _note(check: str, passed: bool, summary: str) -> None:
    CHECKS.append({"check": check, "passed": bool(passed), "summary": summary})
    if len(CHECKS) > _KEEP:
        del CHECKS[: len(CHECKS) - _KEEP]


def mean_lower_bound(values: Any, confidence: float = 0.95, *, method: str = "t", resamples: int = 10_000,
                     seed: int = 0) -> Interval:
    """The one-sided lower confidence bound of the mean of ``values``.

    Parameters
    ----------
    values : array-like or mapping
        Per-seed values (a mapping ``{seed: value}`` or an array).
    confidence : float
        In (0, 1).
    method : {"t", "bootstrap"}
        Student t bound, or the percentile bootstrap (``resamples`` resamples drawn with ``seed``).
    resamples, seed : int
        Bootstrap settings.

    Returns
    -------
    Interval
    """
    confidence, method, resamples = _check_common(confidence, method, resamples)
    x, _ = _values(values, "values")
    return Interval(float(x.mean()), _lower_bound(x, confidence, method, resamples, seed), confidence, method, x.size)


def assert_mean_at_least(values: Any, bound: float, confidence: float = 0.95, *, method: str = "t",
                         name: str = "value", resamples: int = 10_000, seed: int = 0) -> Interval:
    """Assert that the mean of ``values`` is at least ``bound``: its one-sided ``confidence`` lower bound is.

    Parameters
    ----------
    values : array-like or mapping
        Per-seed values.
    bound : float
        The claimed minimum of the mean.
    confidence : float
        Confidence of the lower bound (default 0.95: a mean exactly at ``bound`` passes 5% of the time).
    method : {"t", "bootstrap"}
        One-sided Student t bound (default) or percentile bootstrap.
    name : str
        What the values are, for the message.
    resamples, seed : int
        Bootstrap settings.

    Returns
    -------
    Interval
        The interval that passed.
    """
    __tracebackhide__ = True   # pytest shows the caller's line, not this one
    bound = check_in_range(bound, "bound")
    name = _check_label(name, "name")
    iv = mean_lower_bound(values, confidence, method=method, resamples=resamples, seed=seed)
    x, seeds = _values(values, "values")
    passed = iv.low >= bound
    summary = (f"mean {name} >= {bound:.6g}: {iv.confidence:.0%} lower bound {iv.low:.6g} "
               f"{'>=' if passed else '<'} {bound:.6g} (mean {iv.estimate:.6g}, {iv.method}, n={iv.n})")
    _note("assert_mean_at_least", passed, summary)
    if not passed:
        raise AssertionError(f"mean of {name} is not shown to be >= {bound:.6g}: its {iv.confidence:.0%} lower "
                             f"confidence bound is {iv.low:.6g} (mean {iv.estimate:.6g}, sd {x.std(ddof=1):.6g}, "
                             f"{iv.method}, n={iv.n})\n  interval: [{iv.low:.6g}, inf)\n" + _table(seeds, {name: x}))
    return iv


@functools.lru_cache(maxsize=4096)
def _clopper_pearson(hits: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(hits, n).proportion_ci(0.95, method="exact")
    return float(ci.low), float(ci.high)


def fraction_pass_probability(k: int, n: int, p: float) -> float:
    """``P(Binomial(n, p) >= k)``: how often :func:`assert_fraction_at_least` passes when each seed succeeds with
    probability ``p``."""
    return float(stats.binom.sf(k - 1, n, p))


def _check_label(x: Any, name: str) -> str:
    if not isinstance(x, str):
        raise ArgumentTypeError(f"{name} must be a str (a label for the report), got {show(x)}")
    return x


def assert_fraction_at_least(values: Any, threshold: float, k: int, n: int, *, below: bool = False,
                             name: str = "value") -> int:
    """Assert that at least ``k`` of the ``n`` per-seed values reach ``threshold`` (``>=``; ``<=`` with ``below``).

    Parameters
    ----------
    values : array-like or mapping
        Exactly ``n`` per-seed values.
    threshold : float
        What a seed must reach.
    k, n : int
        Successes required, out of the number of seeds (checked against ``len(values)``).
    below : bool
        Success is ``value <= threshold`` (e.g. a regret).
    name : str
        What the values are, for the message.

    Returns
    -------
    int
        The number of successes.
    """
    __tracebackhide__ = True   # pytest shows the caller's line, not this one
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k", minimum=0)
    if k > n:
        raise ArgumentError(f"k must be <= n ({n}), got {k}")
    threshold = check_in_range(threshold, "threshold")
    below = check_bool(below, "below")
    name = _check_label(name, "name")
    x, seeds = _values(values, "values")
    if x.size != n:
        raise ArgumentError(f"values must hold n={n} seeds' values, got {x.size}")
    ok = x <= threshold if below else x >= threshold
    hits = int(ok.sum())
    passed = hits >= k
    rel = "<=" if below else ">="
    low, high = _clopper_pearson(hits, n)
    summary = (f"{name} {rel} {threshold:.6g} in {hits} of {n} seeds (needed {k}); 95% interval for the per-seed "
               f"rate [{low:.3f}, {high:.3f}]")
    _note("assert_fraction_at_least", passed, summary)
    if not passed:
        raise AssertionError(f"too few seeds reach {name} {rel} {threshold:.6g}: {summary}\n"
                             + _table(seeds, {name: x}, ["ok" if o else "MISS" for o in ok]))
    return hits


def assert_better(a: Any, b: Any, paired: bool = True, confidence: float = 0.95, *, larger_is_better: bool = True,
                  margin: float = 0.0, method: str = "t", names: tuple[str, str] = ("a", "b"),
                  resamples: int = 10_000, seed: int = 0) -> Interval:
    """Assert that ``a`` beats ``b`` by more than ``margin`` on average, at one-sided ``confidence``.

    Parameters
    ----------
    a, b : array-like or mapping
        Per-seed values of the two alternatives (same seeds, same order, when ``paired``).
    paired : bool
        Paired test on the per-seed differences (default; the seeds are shared), else Welch's unequal-variance t
        (``method="t"`` only).
    confidence : float
        One-sided confidence (default 0.95).
    larger_is_better : bool
        Whether a larger value is better (False for a regret or a loss).
    margin : float
        The improvement that must be exceeded.
    method : {"t", "bootstrap"}
        How the lower bound of the mean improvement is computed (paired only for bootstrap).
    names : (str, str)
        Names of ``a`` and ``b`` for the message.
    resamples, seed : int
        Bootstrap settings.

    Returns
    -------
    Interval
        The interval of the mean improvement of ``a`` over ``b``.
    """
    __tracebackhide__ = True   # pytest shows the caller's line, not this one
    confidence, method, resamples = _check_common(confidence, method, resamples)
    margin = check_in_range(margin, "margin")
    paired = check_bool(paired, "paired")
    larger_is_better = check_bool(larger_is_better, "larger_is_better")
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 2:
        raise ArgumentTypeError(f"names must be a pair of labels (str, str), got {show(names)}")
    names = (_check_label(names[0], "names[0]"), _check_label(names[1], "names[1]"))
    xa, seeds = _values(a, "a")
    xb, seeds_b = _values(b, "b")
    sign = 1.0 if larger_is_better else -1.0
    if paired:
        if xa.size != xb.size:
            raise ArgumentError(f"paired comparison needs as many values in a as in b, got {xa.size} and {xb.size}")
        d = sign * (xa - xb)
        iv = Interval(float(d.mean()), _lower_bound(d, confidence, method, resamples, seed), confidence,
                      f"paired {method}", d.size)
    else:
        if method != "t":
            raise ArgumentError("method='bootstrap' needs paired=True; unpaired comparisons use Welch's t")
        va, vb = xa.var(ddof=1) / xa.size, xb.var(ddof=1) / xb.size
        se = float(np.sqrt(va + vb))
        diff = float(sign * (xa.mean() - xb.mean()))
        if se == 0:
            low = diff
        else:
            df = (va + vb) ** 2 / (va ** 2 / (xa.size - 1) + vb ** 2 / (xb.size - 1))
            low = diff - _t_quantile(confidence, float(df)) * se
        iv = Interval(diff, low, confidence, "Welch t", xa.size + xb.size)
    passed = iv.low > margin
    better = "larger" if larger_is_better else "smaller"
    summary = (f"{names[0]} better than {names[1]} ({better} is better) by > {margin:.6g}: {iv.confidence:.0%} lower "
               f"bound of the mean improvement {iv.low:.6g} {'>' if passed else '<='} {margin:.6g} "
               f"(mean {iv.estimate:.6g}, {iv.method}, n={iv.n})")
    _note("assert_better", passed, summary)
    if not passed:
        if paired:
            table = _table(seeds, {names[0]: xa, names[1]: xb, "improvement": sign * (xa - xb)})
        else:
            table = (_table(seeds, {names[0]: xa}) + "\n"
                     + _table(seeds_b, {names[1]: xb}))
        raise AssertionError(f"{names[0]} is not shown to beat {names[1]}: {summary}\n"
                             f"  interval of the improvement: [{iv.low:.6g}, inf)\n" + table)
    return iv


__all__ = ["assert_mean_at_least", "assert_fraction_at_least", "assert_better", "mean_lower_bound",
           "fraction_pass_probability", "Interval", "SeedValues", "CHECKS"]
