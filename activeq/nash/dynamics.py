"""Learning dynamics as equilibrium solvers for n-player games: fictitious play, replicator, regret matching.

Each returns one approximate equilibrium whose certificate ``max_regret`` is recomputed from the game, with
``info["converged"]`` (regret <= ``tol`` x payoff range). If the dynamics do not get there within ``max_iter``,
a :class:`~activeq.errors.ConvergenceWarning` is emitted and the best profile seen at a check is returned.

- ``"fictitious-play"``: every player best-responds to the others' empirical action frequencies (simultaneous
  updates, ties broken uniformly at random with ``seed``); the frequencies are the answer (they converge in
  two-player zero-sum games, potential games and 2 x n games).
- ``"replicator"``: discrete-time replicator (multiplicative weights) ``x_ij <- x_ij exp(eta (V_ij - x_i.V_i))``
  from a seeded interior start; returns the time average or the last iterate, whichever has the smaller regret
  (the average is what converges in zero-sum games, where the trajectory cycles).
- ``"regret-matching"``: Hart & Mas-Colell; each player plays proportionally to its positive cumulative regret.
  The time-average joint play converges to the set of coarse correlated equilibria (``info["joint"]``,
  ``info["cce_incentive"]``); the product of the average marginals is returned as the Nash approximation (exact
  in the limit for two-player zero-sum games). ``sampled=True`` plays sampled actions (seeded) instead of
  expected ones.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
from tqdm.auto import tqdm

from .._checks import SeedLike, as_generator, check_in_range, check_positive_int
from ..errors import ConvergenceWarning
from ..games import NormalFormGame
from ._multilinear import Multilinear
from .correlated import incentive_matrix
from .equilibrium import Equilibrium, _check_game, make_equilibrium
from .registry import register


def _setup(game: NormalFormGame, max_iter: int, tol: float, check_every: int) -> tuple[Multilinear, float]:
    _check_game(game)
    check_positive_int(max_iter, "max_iter")
    check_in_range(tol, "tol", 0.0, low_open=True)
    check_positive_int(check_every, "check_every")
    return Multilinear(game.payoffs), max(1.0, float(np.ptp(game.payoffs)))


def _run(name: str, game: NormalFormGame, ml: Multilinear, scale: float, tol: float, max_iter: int,
         check_every: int, progress: bool, step: Callable[[int], None],
         candidates: Callable[[], list[tuple[np.ndarray, dict[str, Any]]]]) -> list[Equilibrium]:
    """Drive ``step(t)`` for t = 1..max_iter; every ``check_every`` steps test the candidate profiles."""
    best: tuple[float, np.ndarray, dict[str, Any], int] | None = None
    bar = tqdm(total=max_iter, desc=name, disable=not progress, unit="it")
    t = 0
    try:
        for t in range(1, max_iter + 1):
            step(t)
            bar.update(1)
            if t % check_every == 0 or t == max_iter:
                for flat, extra in candidates():
                    reg = ml.max_regret(flat)
                    if best is None or reg < best[0]:
                        best = (reg, flat.copy(), extra, t)
                if best[0] <= tol * scale:
                    break
    finally:
        bar.close()
    reg, flat, extra, at = best
    converged = reg <= tol * scale
    if not converged:
        warnings.warn(f"{name}: regret {reg:.3g} > tol {tol:g} x payoff range after max_iter={max_iter}; "
                      f"returning the best profile seen", ConvergenceWarning, stacklevel=3)
    return [make_equilibrium(game, ml.split(flat), name, converged=converged, iterations=t, best_at=at, **extra)]


@register("fictitious-play", players="n", summary="simultaneous fictitious play; empirical frequencies")
def fictitious_play(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, check_every: int = 100,
                    seed: SeedLike = None, progress: bool = False) -> list[Equilibrium]:
    """Empirical frequencies of simultaneous fictitious play (random first actions and tie-breaking)."""
    ml, scale = _setup(game, max_iter, tol, check_every)
    rng = as_generator(seed)
    counts = np.zeros(ml.N)
    counts[ml.offsets[:-1] + [rng.integers(k) for k in ml.sizes]] = 1.0
    freq = counts.copy()

    def step(t: int) -> None:
        nonlocal freq
        V = ml.values(freq)
        for i in range(ml.n):
            v = V[ml.block(i)]
            ties = np.flatnonzero(v >= v.max() - 1e-12 * scale)
            counts[ml.offsets[i] + (ties[0] if ties.size == 1 else rng.choice(ties))] += 1.0
        freq = counts / (t + 1)

    return _run("fictitious-play", game, ml, scale, tol, max_iter, check_every, progress, step,
                lambda: [(freq, {})])


@register("replicator", players="n", summary="discrete-time replicator dynamics; time average or last iterate")
def replicator(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, step_size: float = 0.1,
               check_every: int = 100, seed: SeedLike = None, progress: bool = False) -> list[Equilibrium]:
    """Replicator dynamics ``x_ij <- x_ij exp(eta (V_ij - x_i.V_i))`` on unit-range payoffs, eta = ``step_size``."""
    ml, scale = _setup(game, max_iter, tol, check_every)
    eta = check_in_range(step_size, "step_size", 0.0, low_open=True)
    rng = as_generator(seed)
    span = float(np.ptp(game.payoffs)) or 1.0
    x = np.concatenate([rng.dirichlet(np.full(k, 5.0)) for k in ml.sizes])  # interior, near uniform
    total = np.zeros(ml.N)

    def step(t: int) -> None:
        nonlocal x
        total[:] += x
        V = ml.values(x) / span
        y = np.empty_like(x)
        for i in range(ml.n):
            blk = ml.block(i)
            v = V[blk]
            w = np.log(np.maximum(x[blk], 1e-300)) + eta * (v - v @ x[blk])
            w = np.exp(w - w.max())
            y[blk] = w / w.sum()
        x = y

    def candidates() -> list[tuple[np.ndarray, dict[str, Any]]]:
        avg = total / total[ml.block(0)].sum()
        return [(avg, {"profile": "average"}), (x, {"profile": "last"})]

    return _run("replicator", game, ml, scale, tol, max_iter, check_every, progress, step, candidates)


@register("regret-matching", players="n", summary="regret matching; average marginals (joint average is a CCE)")
def regret_matching(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, check_every: int = 100,
                    sampled: bool = False, seed: SeedLike = None, progress: bool = False) -> list[Equilibrium]:
    """Hart & Mas-Colell regret matching; see the module docstring for what is returned."""
    ml, scale = _setup(game, max_iter, tol, check_every)
    rng = as_generator(seed)
    regret = np.zeros(ml.N)
    marg_total = np.zeros(ml.N)
    joint_total = np.zeros(game.num_actions)
    x = np.concatenate([np.full(k, 1.0 / k) for k in ml.sizes])
    u = game.payoffs

    def policy() -> np.ndarray:
        out = np.empty(ml.N)
        for i in range(ml.n):
            r = np.maximum(regret[ml.block(i)], 0.0)
            s = r.sum()
            out[ml.block(i)] = r / s if s > 0 else 1.0 / r.size
        return out

    def step(t: int) -> None:
        nonlocal x
        x = policy()
        parts = ml.split(x)
        if sampled:
            acts = tuple(int(rng.choice(k, p=p)) for k, p in zip(ml.sizes, parts))
            joint_total[acts] += 1.0
            for i in range(ml.n):
                idx = list(acts)
                idx[i] = slice(None)
                dev = u[(i,) + tuple(idx)]
                regret[ml.block(i)] += dev - dev[acts[i]]
                marg_total[ml.offsets[i] + acts[i]] += 1.0
        else:
            outer = parts[0]
            for p in parts[1:]:
                outer = np.multiply.outer(outer, p)
            joint_total[...] += outer
            V = ml.values(x)
            for i in range(ml.n):
                blk = ml.block(i)
                regret[blk] += V[blk] - V[blk] @ x[blk]
            marg_total[:] += x

    def candidates() -> list[tuple[np.ndarray, dict[str, Any]]]:
        avg = marg_total / marg_total[ml.block(0)].sum()
        joint = joint_total / joint_total.sum()
        cce = float((incentive_matrix(game, "cce") @ joint.ravel()).max())
        return [(avg, {"joint": joint.copy(), "cce_incentive": cce})]

    return _run("regret-matching", game, ml, scale, tol, max_iter, check_every, progress, step, candidates)
