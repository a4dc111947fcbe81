"""Learning dynamics for n-player games: fictitious play, replicator dynamics, regret matching.

Their end points are *approximations*: each function returns one :class:`~activeq.nash.Approximation` whose
certificate ``max_regret`` is recomputed from the game, with ``converged`` (max regret <= ``tol`` x payoff scale),
the tolerance, the iterations run and the seed, and on request (``return_trajectory=True``) the whole trajectory.
Nothing here returns an :class:`~activeq.nash.Equilibrium`: :func:`activeq.nash.solve` turns a converged end point
into an epsilon-equilibrium (``epsilon = tol`` x scale) and raises :class:`~activeq.errors.NotConvergedError` for
the rest; :func:`activeq.nash.approximate` returns the approximation whatever happened. No warning is issued for a
dynamic that did not converge: the result says so.

Randomness: ``seed`` defaults to 0, so the same call gives the same answer; pass another int (or a
``numpy.random.Generator``) for other runs, ``seed=None`` for fresh entropy.

- ``"fictitious-play"`` (Brown 1951; Robinson 1951): every player best-responds to the others' empirical action
  frequencies (simultaneous updates, random first actions, ties broken uniformly at random with ``seed``); the
  frequencies are the answer and the trajectory (they converge in two-player zero-sum games, potential games and
  2 x n games, and cycle in Shapley's 1964 game).
- ``"replicator"`` (Taylor & Jonker 1978; here the discrete-time exponential-weights form
  ``x_ij <- x_ij exp(eta (V_ij - x_i.V_i))`` on unit-range payoffs): from a seeded interior start; returns the time
  average or the last iterate, whichever has the smaller regret (``info["profile"]``; the average is what converges
  in zero-sum games, where the iterates cycle); the trajectory holds the iterates.
- ``"regret-matching"`` (Hart & Mas-Colell 2000, eq. (2.1)): each player plays proportionally to its positive
  cumulative regret. The time-average joint play converges to the set of coarse correlated equilibria
  (``info["joint"]``, ``info["cce_incentive"]``); the product of the average marginals is the approximation (exact
  in the limit for two-player zero-sum games); the trajectory holds the strategies played. ``sampled=True`` plays
  sampled actions (seeded) instead of expected ones.

Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad options, and
:class:`~activeq.errors.SolverError` for a game that is not a :class:`~activeq.games.NormalFormGame`.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

from .._checks import SeedLike, as_generator, check_in_range, check_positive_int
from .._progress import progress_bar
from ..games import NormalFormGame
from ._multilinear import Multilinear
from .correlated import incentive_matrix
from .equilibrium import Approximation, _check_game, make_equilibrium, payoff_scale
from .registry import check_flag, register


class _Run:
    """Checked options and the shared bookkeeping of one dynamics run."""

    def __init__(self, name: str, game: NormalFormGame, max_iter: Any, tol: Any, check_every: Any, seed: SeedLike,
                 return_trajectory: Any, progress: Any):
        _check_game(game)
        self.name = name
        self.game = game
        self.max_iter = check_positive_int(max_iter, "max_iter")
        self.tol = check_in_range(tol, "tol", 0.0, 1.0, low_open=True, high_open=True)
        self.check_every = check_positive_int(check_every, "check_every")
        self.trajectory = check_flag(return_trajectory, "return_trajectory")
        self.progress = check_flag(progress, "progress")
        self.seed = int(seed) if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) else None
        self.rng = as_generator(seed)
        self.ml = Multilinear(game.payoffs)
        self.scale = payoff_scale(game)

    def run(self, step: Callable[[int], None], candidates: Callable[[], list[tuple[np.ndarray, dict[str, Any]]]],
            state: Callable[[], np.ndarray]) -> Approximation:
        """Drive ``step(t)`` for t = 1..max_iter; every ``check_every`` steps test the candidate profiles.

        Stops at the first check where a candidate's max regret is <= tol x scale; returns the best candidate seen.
        """
        ml = self.ml
        best: tuple[float, np.ndarray, dict[str, Any], int] | None = None
        states = [state().copy()] if self.trajectory else None
        bar = progress_bar(total=self.max_iter, desc=self.name, disable=not self.progress, unit="it")
        t = 0
        try:
            for t in range(1, self.max_iter + 1):
                step(t)
                bar.update(1)
                if states is not None:
                    states.append(state().copy())
                if t % self.check_every == 0 or t == self.max_iter:
                    for flat, extra in candidates():
                        reg = ml.max_regret(flat)
                        if best is None or reg < best[0]:
                            best = (reg, flat.copy(), extra, t)
                    if best[0] <= self.tol * self.scale:
                        break
        finally:
            bar.close()
        _, flat, extra, at = best
        eq = make_equilibrium(self.game, ml.split(flat), self.name, tol=self.tol)
        traj = None
        if states is not None:
            S = np.array(states)
            traj = tuple(S[:, ml.block(i)] for i in range(ml.n))
            for a in traj:
                a.setflags(write=False)
        return Approximation(eq.strategies, eq.payoffs, eq.max_regret, self.tol, eq.converged, self.name, t,
                             self.seed, traj, dict(extra, best_at=at))


@register("fictitious-play", players="n", dynamics=True, summary="simultaneous fictitious play; empirical frequencies")
def fictitious_play(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, check_every: int = 100,
                    seed: SeedLike = 0, return_trajectory: bool = False, progress: bool = False) -> Approximation:
    """Empirical frequencies of simultaneous fictitious play (random first actions and tie-breaking).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    max_iter : int
        Most iterations to run.
    tol : float
        Target max regret, relative to max(1, payoff range), in (0, 1); the run stops at the first check below it.
    check_every : int
        Iterations between certificate checks.
    seed : int, numpy.random.Generator or None
        Random first actions and tie-breaks; the default 0 makes the same call give the same answer.
    return_trajectory : bool
        Keep the empirical frequencies after every iteration in ``trajectory``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Approximation
        The frequencies, their certificate and ``converged``.
    """
    run = _Run("fictitious-play", game, max_iter, tol, check_every, seed, return_trajectory, progress)
    ml, rng, scale = run.ml, run.rng, run.scale
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

    return run.run(step, lambda: [(freq, {})], lambda: freq)


@register("replicator", players="n", dynamics=True,
          summary="discrete-time replicator dynamics; time average or last iterate")
def replicator(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, step_size: float = 0.1,
               check_every: int = 100, seed: SeedLike = 0, return_trajectory: bool = False,
               progress: bool = False) -> Approximation:
    """Replicator dynamics ``x_ij <- x_ij exp(eta (V_ij - x_i.V_i))`` on unit-range payoffs, eta = ``step_size``.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    max_iter : int
        Most iterations to run.
    tol : float
        Target max regret, relative to max(1, payoff range), in (0, 1).
    step_size : float
        The step eta > 0 (payoffs are scaled to unit range first).
    check_every : int
        Iterations between certificate checks.
    seed : int, numpy.random.Generator or None
        Draws the interior start; the default 0 makes the same call give the same answer.
    return_trajectory : bool
        Keep the iterates (not their average) after every iteration in ``trajectory``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Approximation
        The time average or the last iterate (``info["profile"]``), whichever has the smaller regret.
    """
    run = _Run("replicator", game, max_iter, tol, check_every, seed, return_trajectory, progress)
    eta = check_in_range(step_size, "step_size", 0.0, low_open=True)
    ml = run.ml
    span = float(np.ptp(game.payoffs)) or 1.0
    x = np.concatenate([run.rng.dirichlet(np.full(k, 5.0)) for k in ml.sizes])  # interior, near uniform
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

    return run.run(step, candidates, lambda: x)


@register("regret-matching", players="n", dynamics=True,
          summary="regret matching; average marginals (joint average is a CCE)")
def regret_matching(game: NormalFormGame, *, max_iter: int = 20000, tol: float = 1e-2, check_every: int = 100,
                    sampled: bool = False, seed: SeedLike = 0, return_trajectory: bool = False,
                    progress: bool = False) -> Approximation:
    """Hart & Mas-Colell regret matching; see the module docstring for what is returned.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    max_iter : int
        Most iterations to run.
    tol : float
        Target max regret of the average marginals, relative to max(1, payoff range), in (0, 1).
    check_every : int
        Iterations between certificate checks.
    sampled : bool
        Play sampled actions (seeded) instead of expected ones.
    seed : int, numpy.random.Generator or None
        Draws the sampled actions; the default 0 makes the same call give the same answer.
    return_trajectory : bool
        Keep the strategies played after every iteration in ``trajectory``.
    progress : bool
        Show a progress bar.

    Returns
    -------
    Approximation
        The product of the average marginals; ``info["joint"]`` is the average joint play and
        ``info["cce_incentive"]`` its largest coarse-correlated incentive to deviate.
    """
    run = _Run("regret-matching", game, max_iter, tol, check_every, seed, return_trajectory, progress)
    sampled = check_flag(sampled, "sampled")
    ml, rng = run.ml, run.rng
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

    return run.run(step, candidates, lambda: x)
