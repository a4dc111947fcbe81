"""Mixing times of finite Markov chains: exact (total variation and eps-return), spectral, and empirical.

* ``method="tv"``: ``t_mix(eps) = min{t : max_s ||P^t(s, .) - pi||_TV <= eps}``. Needs a unique stationary law and
  an aperiodic recurrent class (otherwise the distance never falls below ``eps`` for small eps).
* ``method="return"``: the eps-return mixing time, the smallest ``T`` such that for every ``T' >= T`` and every
  start ``s`` the expected running average ``(1/T') E_s[sum_{t<T'} r(s_t)]`` is within ``eps`` of the gain
  ``g(s)``. It exists for every chain (periodic and multichain too) and is computed exactly from the identity
  ``sum_{t<T} P^t r = T g + h - P^T h`` (``h`` the bias): one sparse mat-vec per step, from every start at once.

Cost of "from every start" for ``tv``: chains with at most ``dense_limit`` states are done exactly from every
start by repeated squaring ``P, P^2, P^4, ...`` and a binary search (binary lifting) over ``t``: ``O(n^3 log t)``.
Larger (sparse) chains are stepped forward as a dense block ``X_t = X_0 P^t`` of ``block`` start states at a time:
``O(t_mix * nnz(P))`` per start, i.e. ``O(n * t_mix * nnz(P))`` from every start, which is out of reach for
1e5 states; pass ``starts=`` (e.g. the states you believe are worst, or one state of a vertex-transitive chain,
for which one start is exact) and the result says it is a maximum over those starts only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.stats import norm

from .._checks import SeedLike, as_generator, check_choice, check_in_range, check_positive_int
from .._warn import caller_stacklevel
from ..errors import ArgumentError, ChainError, ConvergenceWarning
from .chains import _reward_vector, _stationary_rows, _structure, as_chain, gain_bias, stationary_distribution

__all__ = ["MixingTime", "SpectralGap", "MixingEstimate", "mixing_time", "spectral_gap", "sample_trajectories",
           "estimate_mixing_time", "tv_distances"]

DENSE_LIMIT = 1500


@dataclass(frozen=True)
class MixingTime:
    """An exact mixing time ``t`` (``method`` "tv" or "return", tolerance ``eps``).

    ``all_starts`` says whether ``t`` is the maximum over every start state (else over ``starts`` only, a lower
    bound on the true mixing time); ``worst_start`` attains it; ``converged`` is False when ``max_steps`` was hit
    (then ``t`` is only a lower bound).
    """

    t: int
    method: str
    eps: float
    all_starts: bool
    worst_start: int
    converged: bool = True

    def __int__(self) -> int:
        return self.t


def _tv_rows(X: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """TV distance of each row of ``X`` to ``pi``."""
    return 0.5 * np.abs(X - pi).sum(axis=1)


def tv_distances(P: Any, t: int, starts: Any = None) -> np.ndarray:
    """``||P^t(s, .) - pi||_TV`` for each start ``s`` (default: all), by sparse stepping (brute force reference)."""
    M = as_chain(P)
    pi = stationary_distribution(M)
    idx = _starts(starts, M.shape[0])
    t = check_positive_int(t, "t", minimum=0)
    Y = np.zeros((M.shape[0], idx.size))
    Y[idx, np.arange(idx.size)] = 1.0
    PT = sp.csr_matrix(M.T)
    for _ in range(t):
        Y = PT @ Y
    return 0.5 * np.abs(Y - pi[:, None]).sum(axis=0)


def _starts(starts: Any, n: int) -> np.ndarray:
    if starts is None:
        return np.arange(n)
    idx = np.atleast_1d(np.asarray(starts))
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ArgumentError(f"starts must be a non-empty 1-D array of state indices, got {starts!r}")
    if idx.min() < 0 or idx.max() >= n:
        raise ArgumentError(f"starts must be states in [0, {n}), got range [{idx.min()}, {idx.max()}]")
    return np.unique(idx)


def mixing_time(P: Any, eps: float = 0.25, method: str = "tv", r: Any = None, *, starts: Any = None,
                max_steps: int = 10**7, dense_limit: int = DENSE_LIMIT, block: int = 64) -> MixingTime:
    """Exact mixing time of the chain ``P`` (dense or scipy.sparse): see the module docstring for definitions.

    ``eps`` in (0, 1) for ``"tv"``; for ``"return"`` any ``eps > 0`` in the reward's units and ``r`` (one reward per
    state) is required. ``starts`` restricts the maximum to some start states (``"tv"`` only; ``"return"`` is always
    from every start). Raises ChainError when the TV mixing time is infinite (no unique stationary law, periodic).
    """
    method = check_choice(method, "method", ("tv", "return"))
    max_steps = check_positive_int(max_steps, "max_steps")
    dense_limit = check_positive_int(dense_limit, "dense_limit", minimum=0)
    block = check_positive_int(block, "block")
    M = as_chain(P)
    n = M.shape[0]
    if method == "return":
        eps = check_in_range(eps, "eps", 0.0, None, low_open=True)
        if r is None:
            raise ArgumentError("method='return' needs r, the reward of each state (shape (n_states,))")
        if starts is not None:
            raise ArgumentError("starts is only for method='tv'; the return mixing time is computed from every start")
        return _return_mixing(M, _reward_vector(r, n), eps, max_steps)
    eps = check_in_range(eps, "eps", 0.0, 1.0, low_open=True, high_open=True)
    if r is not None:
        raise ArgumentError("r is only used by method='return'")
    struct = _structure(M)
    if struct.n_classes > 1:
        raise ChainError(f"the TV mixing time is infinite: P has {struct.n_classes} closed recurrent classes "
                         f"(no unique stationary distribution); use method='return'")
    if struct.periods[0] > 1:
        raise ChainError(f"the TV mixing time is infinite: the recurrent class has period {struct.periods[0]}; "
                         f"use the lazy chain (I + P) / 2 or method='return'")
    pi = _stationary_rows(M, struct)[0]
    idx = _starts(starts, n)
    all_starts = idx.size == n
    if n <= dense_limit:
        t, worst, ok = _tv_dense(M.toarray(), pi, idx, eps, max_steps)
    else:
        t, worst, ok = _tv_sparse(M, pi, idx, eps, max_steps, block)
    if not ok:
        warnings.warn(f"TV distance still above eps={eps:g} after max_steps={max_steps}; returning a lower bound",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    return MixingTime(int(t), "tv", eps, bool(all_starts), int(worst), ok)


def _tv_dense(P: np.ndarray, pi: np.ndarray, idx: np.ndarray, eps: float, max_steps: int) -> tuple[int, int, bool]:
    """Binary lifting: powers P^(2^k) by squaring until d <= eps, then the largest t with d(t) > eps."""
    X0 = np.zeros((idx.size, P.shape[0]))
    X0[np.arange(idx.size), idx] = 1.0

    def d(X: np.ndarray) -> float:
        return float(_tv_rows(X, pi).max())

    if d(X0) <= eps:
        return 0, int(idx[0]), True
    powers = [P]
    while d(X0 @ powers[-1]) > eps:  # d(2^k) > eps: double (d is non-increasing in t)
        if 2 ** len(powers) > max_steps:
            tv = _tv_rows(X0 @ powers[-1], pi)
            return 2 ** (len(powers) - 1), int(idx[np.argmax(tv)]), False
        powers.append(powers[-1] @ powers[-1])
    X, t = X0, 0  # invariant: d(t) > eps
    for k in range(len(powers) - 1, -1, -1):
        cand = X @ powers[k]
        if d(cand) > eps:
            X, t = cand, t + 2 ** k
    t_mix = t + 1
    tv_before = _tv_rows(X, pi)  # the starts still above eps at t_mix - 1 are the worst ones
    return t_mix, int(idx[np.argmax(tv_before)]), True


def _tv_sparse(M: sp.csr_matrix, pi: np.ndarray, idx: np.ndarray, eps: float, max_steps: int,
               block: int) -> tuple[int, int, bool]:
    """Step blocks of start distributions forward (``Y <- P^T Y``) until every column is within eps; each start's
    distance is non-increasing in t, so a column is dropped from the block as soon as it is within eps."""
    PT = sp.csr_matrix(M.T)
    n = M.shape[0]
    pi_col = pi[:, None]
    t_max, worst, ok = 0, int(idx[0]), True
    for lo in range(0, idx.size, block):
        cols = idx[lo:lo + block]
        Y = np.zeros((n, cols.size))
        Y[cols, np.arange(cols.size)] = 1.0
        buf = np.empty_like(Y)
        t = 0
        while True:
            np.subtract(Y, pi_col, out=buf)
            np.abs(buf, out=buf)
            tv = 0.5 * buf.sum(axis=0)
            above = tv > eps
            if not above.any():
                break
            if t >= max_steps:
                ok = False
                break
            if not above.all():
                Y = np.ascontiguousarray(Y[:, above])
                cols = cols[above]
                buf = np.empty_like(Y)
            Y = PT @ Y
            t += 1
        if t > t_max or (t == t_max and lo == 0):
            t_max, worst = t, int(cols[0])
    return t_max, worst, ok


def _return_mixing(M: sp.csr_matrix, r: np.ndarray, eps: float, max_steps: int) -> MixingTime:
    gb = gain_bias(M, r)
    h = np.asarray(gb.bias)
    h_inf = float(np.abs(h).max())
    v = h.copy()
    buf = np.empty_like(h)
    last_violation, worst = 0, 0
    T = 0
    ok = True
    while True:
        T += 1
        v = M @ v  # P^T h
        np.subtract(h, v, out=buf)
        np.abs(buf, out=buf)
        k = int(buf.argmax())
        if buf[k] > eps * T:
            last_violation, worst = T, k
        # for T' >= T: |h - P^T' h| <= |h| + |P^T h| (sup norm is non-increasing under P)
        if h_inf + max(float(v.max()), -float(v.min())) <= eps * T:
            break
        if T >= max_steps:
            ok = False
            warnings.warn(f"return mixing time not certified after max_steps={max_steps}; returning a lower bound",
                          ConvergenceWarning, stacklevel=caller_stacklevel())
            break
    return MixingTime(last_violation + 1, "return", eps, True, worst, ok)


# --------------------------------------------------------------------------------------------------
# spectral
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpectralGap:
    """Spectral quantities of a chain: ``gap = 1 - Re(lambda_2)``, ``absolute_gap = 1 - max |lambda|`` over
    eigenvalues other than the (single) eigenvalue 1, ``relaxation_time = 1 / absolute_gap``.

    For reversible chains (``reversible``) :meth:`tv_bounds` gives Levin-Peres-Wilmer Thm 12.4/12.5 bounds
    ``(t_rel - 1) log(1/(2 eps)) <= t_mix(eps) <= t_rel log(1/(eps pi_min))``.
    """

    gap: float
    absolute_gap: float
    relaxation_time: float
    second_eigenvalue: complex
    reversible: bool
    pi_min: float

    def tv_bounds(self, eps: float = 0.25) -> tuple[float, float]:
        eps = check_in_range(eps, "eps", 0.0, 1.0, low_open=True, high_open=True)
        if not self.reversible:
            raise ChainError("the relaxation-time bounds on t_mix hold for reversible chains only")
        t_rel = self.relaxation_time
        return (max(0.0, (t_rel - 1) * math.log(1 / (2 * eps))), t_rel * math.log(1 / (eps * self.pi_min)))


def spectral_gap(P: Any, *, dense_limit: int = DENSE_LIMIT) -> SpectralGap:
    """Spectral gap and relaxation time of a chain with a unique stationary law (dense eigvals for small chains,
    ARPACK on the sparse matrix, symmetrised when reversible, for large ones)."""
    dense_limit = check_positive_int(dense_limit, "dense_limit", minimum=0)
    M = as_chain(P)
    n = M.shape[0]
    pi = stationary_distribution(M)
    if n == 1:
        return SpectralGap(1.0, 1.0, 1.0, 0j, True, 1.0)
    # reversible iff pi_i P_ij == pi_j P_ji
    F = sp.diags(pi) @ M
    reversible = bool(abs(F - F.T).max() <= 1e-12 * max(1.0, float(np.abs(F.data).max())))
    pos = pi > 0
    if n <= max(dense_limit, 8):  # ARPACK needs k < n - 1: tiny chains always take the dense path
        if reversible and pos.all():
            s = np.sqrt(pi)
            A = (s[:, None] * M.toarray()) / s[None, :]
            ev = np.linalg.eigvalsh(0.5 * (A + A.T)).astype(complex)
        else:
            ev = np.linalg.eigvals(M.toarray())
    else:
        k = min(6, n - 2)
        if reversible and pos.all():
            s = np.sqrt(pi)
            A = sp.diags(s) @ M @ sp.diags(1 / s)
            A = 0.5 * (A + A.T)
            # shift-invert next to +1 and -1: fast even when the spectrum is clustered there (slow mixing)
            top = spla.eigsh(A.tocsc(), k=k, sigma=1.0 + 1e-7, which="LM", return_eigenvectors=False)
            top_sorted = np.sort(top)
            # Gershgorin: every eigenvalue >= 2 min_i P_ii - 1; skip the (slow, clustered) bottom search when that
            # already shows |lambda_min| <= lambda_2 (e.g. lazy chains)
            if 2.0 * float(M.diagonal().min()) - 1.0 >= -top_sorted[-2]:
                ev = top.astype(complex)
            else:
                bottom = spla.eigsh(A.tocsc(), k=1, which="SA", return_eigenvectors=False, tol=1e-10)
                ev = np.concatenate([top, bottom]).astype(complex)
        else:
            ev = spla.eigs(M.T.tocsc(), k=k, which="LM", return_eigenvectors=False, tol=1e-12)
    ev = np.asarray(ev)
    one = int(np.argmin(np.abs(ev - 1.0)))
    rest = np.delete(ev, one)
    lam_mod = float(np.abs(rest).max())
    second = rest[int(np.argmax(rest.real))]
    gap = float(1.0 - second.real)
    abs_gap = float(1.0 - lam_mod)
    t_rel = math.inf if abs_gap <= 1e-15 else 1.0 / abs_gap
    return SpectralGap(gap, abs_gap, t_rel, complex(second), reversible, float(pi[pos].min()))


# --------------------------------------------------------------------------------------------------
# empirical estimators
# --------------------------------------------------------------------------------------------------
def sample_trajectories(P: Any, starts: Any, n_steps: int, *, seed: SeedLike = None) -> np.ndarray:
    """Sampled state trajectories: array ``(len(starts), n_steps + 1)``, row k starting at ``starts[k]``.

    Vectorised over trajectories: each step inverts the cumulative row distribution with one ``searchsorted``
    on the global cumulative sum of the CSR data (row ``s`` occupies ``[s, s + 1)``).
    """
    M = as_chain(P)
    rng = as_generator(seed)
    n = M.shape[0]
    x = np.atleast_1d(np.asarray(starts))
    if x.ndim != 1 or x.size == 0 or not np.issubdtype(x.dtype, np.integer) or x.min() < 0 or x.max() >= n:
        raise ArgumentError(f"starts must be a non-empty 1-D array of states in [0, {n})")
    n_steps = check_positive_int(n_steps, "n_steps", minimum=0)
    # global cumulative: within row s the cumulative runs from s to s + 1
    row_of = np.repeat(np.arange(n), np.diff(M.indptr))
    cum = row_of + np.cumsum(M.data) - np.repeat(np.concatenate(([0.0], np.cumsum(M.data)))[M.indptr[:-1]],
                                                 np.diff(M.indptr))
    out = np.empty((x.size, n_steps + 1), dtype=np.int64)
    out[:, 0] = x
    cur = x.astype(np.int64)
    for t in range(1, n_steps + 1):
        u = cur + rng.random(cur.size)
        k = np.searchsorted(cum, u, side="right")
        k = np.clip(k, M.indptr[cur], M.indptr[cur + 1] - 1)  # round-off at row ends
        cur = M.indices[k]
        out[:, t] = cur
    return out


@dataclass(frozen=True)
class MixingEstimate:
    """A mixing time estimated from sampled trajectories, with a confidence interval ``[low, high]`` holding with
    probability at least ``confidence`` (simultaneously over all times and starts; ``high`` is None when the
    horizon was too short to certify it). ``curve[t]`` is the estimated distance (``"tv"``: max over starts of the
    empirical TV; ``"return"``: max over starts of ``|running average - gain|``) and ``half_width[t]`` its CI half-width.
    """

    t: int | None
    low: int
    high: int | None
    method: str
    eps: float
    confidence: float
    n_trajectories: int
    curve: np.ndarray
    half_width: np.ndarray


def estimate_mixing_time(P: Any, eps: float = 0.25, method: str = "tv", r: Any = None, *, starts: Any = None,
                         n_trajectories: int = 1000, horizon: int = 1000, confidence: float = 0.95,
                         seed: SeedLike = None) -> MixingEstimate:
    """Estimate a mixing time from ``n_trajectories`` sampled trajectories per start state of length ``horizon``.

    ``"tv"``: empirical law of ``X_t`` against the exact stationary law; the CI half-width
    ``sqrt(n/(4N)) + sqrt(log(2 K/delta) / (2N))`` bounds ``|empirical TV - TV|`` (expected TV of an empirical law plus
    McDiarmid, union bound over the ``K = starts x horizon`` tests). ``"return"``: running average reward against the
    exact gain with Bonferroni-corrected normal intervals. ``low``/``high`` are the first/last times consistent with
    the data; the point estimate uses the plain estimates.
    """
    method = check_choice(method, "method", ("tv", "return"))
    M = as_chain(P)
    n = M.shape[0]
    confidence = check_in_range(confidence, "confidence", 0.0, 1.0, low_open=True, high_open=True)
    N = check_positive_int(n_trajectories, "n_trajectories", minimum=2)
    horizon = check_positive_int(horizon, "horizon")
    idx = _starts(starts, n)
    rng = as_generator(seed)
    delta = 1.0 - confidence
    K = idx.size * horizon
    traj = sample_trajectories(M, np.repeat(idx, N), horizon, seed=rng).reshape(idx.size, N, horizon + 1)
    if method == "tv":
        eps = check_in_range(eps, "eps", 0.0, 1.0, low_open=True, high_open=True)
        if r is not None:
            raise ArgumentError("r is only used by method='return'")
        pi = stationary_distribution(M)
        curve = np.empty(horizon + 1)
        for t in range(horizon + 1):
            counts = np.zeros((idx.size, n))
            np.add.at(counts, (np.repeat(np.arange(idx.size), N), traj[:, :, t].ravel()), 1.0)
            curve[t] = float(_tv_rows(counts / N, pi).max())
        hw = np.full(horizon + 1, math.sqrt(n / (4 * N)) + math.sqrt(math.log(2 * K / delta) / (2 * N)))
        # TV is non-increasing: t_mix is the first t with d(t) <= eps
        below = np.flatnonzero(curve <= eps)
        t_hat = int(below[0]) if below.size else None
        lo = np.flatnonzero(curve - hw <= eps)
        hi = np.flatnonzero(curve + hw <= eps)
        low = int(lo[0]) if lo.size else horizon + 1
        high = int(hi[0]) if hi.size else None
    else:
        eps = check_in_range(eps, "eps", 0.0, None, low_open=True)
        if r is None:
            raise ArgumentError("method='return' needs r, the reward of each state (shape (n_states,))")
        rv = _reward_vector(r, n)
        g = np.asarray(gain_bias(M, rv).gain)[idx]
        rew = rv[traj[:, :, :horizon]]  # (starts, N, horizon)
        avg = np.cumsum(rew, axis=2) / np.arange(1, horizon + 1)
        mean = avg.mean(axis=1)
        se = avg.std(axis=1, ddof=1) / math.sqrt(N)
        z = float(norm.ppf(1 - delta / (2 * K)))
        dev = np.abs(mean - g[:, None])  # (starts, horizon) for T = 1..horizon
        curve = np.concatenate(([np.nan], dev.max(axis=0)))
        hw_all = z * se
        half = np.concatenate(([np.nan], hw_all.max(axis=0)))
        sure = np.flatnonzero((dev - hw_all > eps).any(axis=0))  # certainly violated at T = k + 1
        maybe = np.flatnonzero((dev + hw_all > eps).any(axis=0))
        plain = np.flatnonzero((dev > eps).any(axis=0))
        low = int(sure[-1]) + 2 if sure.size else 1
        high = None if (maybe.size and maybe[-1] == horizon - 1) else (int(maybe[-1]) + 2 if maybe.size else 1)
        t_hat = None if (plain.size and plain[-1] == horizon - 1) else (int(plain[-1]) + 2 if plain.size else 1)
        hw = half
    curve.setflags(write=False)
    hw = np.asarray(hw)
    hw.setflags(write=False)
    return MixingEstimate(t_hat, low, high, method, eps, confidence, N, curve, hw)
