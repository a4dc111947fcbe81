"""Logit quantal-response equilibria and the logit path to a Nash equilibrium (method ``"logit"``).

A logit QRE at precision ``lam`` is a profile with ``sigma_ij = exp(lam V_ij) / sum_k exp(lam V_ik)``, where
``V_ij = u_i(j, sigma_{-i})``. At ``lam = 0`` it is the uniform profile; as ``lam -> inf`` the principal branch
(the path connected to ``lam = 0``) converges to a Nash equilibrium (McKelvey & Palfrey 1995, Turocy 2005).

We trace that branch in log-probabilities ``y = log sigma`` with the equations, per player i (reference action 0):

    y_ij - y_i0 - lam (V_ij - V_i0) = 0   (j >= 1),        sum_j exp(y_ij) - 1 = 0,

by the compiled predictor-corrector of :func:`activeq.nash._path_kernels.logit_trace` (arc length, so it passes
folds where ``lam`` turns back; no BLAS call, so the path is the same on every machine). Payoffs are scaled to a
unit range first, so step sizes do not depend on the payoff units. At checkpoints (``lam`` doubling) the current
point's supports seed a support-restricted Newton solve; the first solution whose regret is below ``tol`` and
which the path is approaching is the answer, so the result is an exact equilibrium, not just a large-``lam`` QRE.
If none is certified, nothing is returned and a :class:`~activeq.errors.ConvergenceWarning` states the best regret
seen (the approximation is :func:`qre` at a large ``lam``, labelled as a QRE).

Branch points: the tangent solves the bordered system ``[J; t_prev] t = e``, so at a branch point of a degenerate
game (``det`` of the strategy Jacobian changes sign while ``lam`` keeps rising) the tracer goes straight on along
the branch it was on, and counts it in ``info["bifurcations"]``. On the McKelvey-McLennan 2x2x2 game of Gambit's
collection the principal branch keeps players 1 and 2 at (1/2, 1/2) and has such a point near lam = 0.5 (unit-range
payoffs); a tracer that keeps ``sign det [J; t]`` fixed turns back there, and Gambit's stops there with regret 0.213
(player 3 at (0.574, 0.426)). Going straight reaches the exact equilibrium ((1/2, 1/2), (1/2, 1/2), (1, 0)).

Raises :class:`~activeq.errors.SolverError` / :class:`~activeq.errors.ArgumentError` /
:class:`~activeq.errors.ArgumentTypeError` on a bad game or option.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import check_in_range, check_positive_int
from .._warn import caller_stacklevel
from ..errors import ArgumentTypeError, ConvergenceWarning, SolverError
from ..games import NormalFormGame
from . import _path_kernels as pk
from ._multilinear import Multilinear, polish
from .equilibrium import Equilibrium, _check_game, make_equilibrium, regrets
from .registry import register


@dataclass(frozen=True, eq=False)
class QREPath:
    """The accepted points of the traced logit branch, in order along the path (``lam`` can turn back at folds).

    ``lam``: shape ``(K,)``, in the game's payoff units; ``strategies``: per player an array ``(K, A_i)``, the
    QRE profile at each point.
    """

    lam: np.ndarray
    strategies: tuple[np.ndarray, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"lambda": self.lam.tolist(), "strategies": [s.tolist() for s in self.strategies]}


@dataclass(frozen=True, eq=False)
class QuantalResponseEquilibrium:
    """A logit QRE on the principal branch: ``strategies`` at precision ``lam`` (in the game's payoff units).

    ``payoffs``: expected payoff per player; ``max_regret``: largest gain from a unilateral pure deviation
    (shrinks to 0 as ``lam`` grows); ``residual``: max violation of the logit fixed-point equations;
    ``path``: the branch from ``lam = 0`` up to this point when :func:`qre` was called with ``return_path=True``.
    """

    strategies: tuple[np.ndarray, ...]
    lam: float
    payoffs: np.ndarray
    max_regret: float
    residual: float
    path: QREPath | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"strategies": [s.tolist() for s in self.strategies], "lambda": self.lam,
               "payoffs": self.payoffs.tolist(), "max_regret": self.max_regret, "residual": self.residual}
        if self.path is not None:
            out["path"] = self.path.to_dict()
        return out


class _Tracer:
    """The logit branch of one game (payoffs scaled to unit range), traced piecewise by the compiled kernel."""

    def __init__(self, game: NormalFormGame, max_steps: int, record: bool, noise: float = 0.0):
        span = float(np.ptp(game.payoffs))
        self.span = span if span > 0 else 1.0
        scaled = game.payoffs / self.span
        if noise > 0:  # a fixed, seeded perturbation of the unit-range payoffs (the retry on a degenerate game)
            scaled = scaled + noise * np.random.default_rng(0).uniform(-1.0, 1.0, scaled.shape)
        self.ml = Multilinear(scaled)
        ml = self.ml
        y0 = -np.log(np.asarray(ml.sizes, dtype=np.float64))[ml.player_of]
        self.x = np.concatenate([y0, [0.0]])
        self.t = np.zeros(ml.N + 1)
        self.t[-1] = 1.0
        self.h = 0.03
        self.steps = 0
        self.bifurcations = 0
        self.max_steps = max_steps
        cap = max_steps + 1 if record else 0
        self.path_lam = np.zeros(cap)
        self.path_y = np.zeros((cap, ml.N))
        self.n_path = 0
        if record:
            self.path_lam[0] = 0.0
            self.path_y[0] = y0
            self.n_path = 1
        self.status = pk.TARGET

    def advance(self, lam_stop: float, h_max: float) -> int:
        """Trace until ``lam >= lam_stop`` (unit-range payoffs); returns the kernel's status."""
        ml = self.ml
        status, x, t, h, steps, n_path, bif = pk.logit_trace(
            ml.flat_u, ml.sizes_arr, ml.offsets, self.x, self.t, self.h, float(lam_stop), self.max_steps - self.steps,
            float(h_max), self.path_lam, self.path_y, self.n_path)
        self.x, self.t, self.h, self.n_path = x, t, h, n_path
        self.steps += steps
        self.bifurcations += bif
        self.status = status
        return status

    def sigma(self, x: np.ndarray | None = None) -> np.ndarray:
        return np.exp(self.x[:-1] if x is None else x[:-1])


def _profile(ml: Multilinear, flat: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(s / s.sum() for s in ml.split(flat))


def _check_bool(x: Any, name: str) -> bool:
    if not isinstance(x, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {x!r}")
    return bool(x)


def qre(game: NormalFormGame, lam: float, *, max_steps: int = 20000, progress: bool = False,
        return_path: bool = False) -> QuantalResponseEquilibrium:
    """The logit QRE at precision ``lam`` on the principal branch (first crossing of ``lam`` along the path).

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    lam : float
        Precision, >= 0, in the game's payoff units (``sigma_ij`` proportional to ``exp(lam * u_i(j, sigma_-i))``).
    max_steps : int
        Cap on the accepted path steps.
    progress : bool
        Show a progress bar.
    return_path : bool
        Also return every accepted point of the branch from ``lam = 0`` up to ``lam`` in the result's ``path``
        (a :class:`QREPath`: ``path.lam`` and ``path.strategies[i]`` of shape ``(K, A_i)``), e.g. to plot each
        player's QRE strategy against ``lam``.

    Returns
    -------
    QuantalResponseEquilibrium
        The QRE, its regret and its residual in the logit equations (a QRE, not a Nash equilibrium).

    Raises
    ------
    SolverError
        When the path cannot be followed up to ``lam`` within ``max_steps``.
    """
    _check_game(game)
    lam = check_in_range(lam, "lam", 0.0)
    check_positive_int(max_steps, "max_steps")
    _check_bool(progress, "progress")
    _check_bool(return_path, "return_path")
    tr = _Tracer(game, max_steps, return_path)
    ml = tr.ml
    target = lam * tr.span
    x_found = tr.x
    if target > 0:
        bar = tqdm(total=None, desc="logit QRE path", disable=not progress, unit="step")
        quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")
        with quiet:
            status = tr.advance(target, h_max=max(1.0, target / 4))
            bar.update(tr.steps)
            bar.close()
        if status != pk.TARGET:
            raise SolverError(f"qre: the logit path stopped before lam={lam} ({pk.STATUS_TEXT[status]} at "
                              f"lam={tr.x[-1] / tr.span:.4g}, {tr.steps} steps)")
        x_found = _land(tr, target)
        if return_path:
            tr.path_lam[tr.n_path - 1] = target
            tr.path_y[tr.n_path - 1] = x_found[:-1]
    strategies = _profile(ml, np.exp(x_found[:-1]))
    for s in strategies:
        s.setflags(write=False)
    F = np.empty(ml.N)
    pk.logit_HJ(np.concatenate([np.log(np.maximum(np.concatenate(strategies), 1e-300)), [target]]), ml.flat_u, ml.sizes_arr,
                ml.offsets, F, np.empty((1, 1)), False)
    pay = game.expected_payoffs(strategies)
    reg = float(max(0.0, regrets(game, strategies).max()))
    path = None
    if return_path:
        K = tr.n_path
        probs = np.exp(tr.path_y[:K])
        per = tuple(np.ascontiguousarray(p / p.sum(axis=1, keepdims=True)) for p in
                    (probs[:, ml.block(i)] for i in range(ml.n)))
        lams = tr.path_lam[:K] / tr.span
        for a in (*per, lams):
            a.setflags(write=False)
        path = QREPath(lams, per)
    return QuantalResponseEquilibrium(strategies, lam, pay, reg, float(np.abs(F).max()), path)


def _land(tr: _Tracer, target: float) -> np.ndarray:
    """The path point with ``lam == target`` exactly, by Newton in ``y`` from the first point past it."""
    ml = tr.ml
    x = tr.x.copy()
    x[-1] = target
    F = np.empty(ml.N)
    J = np.empty((ml.N, ml.N + 1))
    for _ in range(30):
        pk.logit_HJ(x, ml.flat_u, ml.sizes_arr, ml.offsets, F, J, True)
        if np.abs(F).max() <= 1e-14:
            break
        ok, dy = pk.solve(np.ascontiguousarray(J[:, :-1]), -F)
        if not ok:
            break
        x[:-1] += dy
    return x


def _on_path(candidate: np.ndarray, current: np.ndarray, previous: np.ndarray) -> bool:
    """Accept a polished equilibrium only if the path is near it and approaching it.

    Near: within 0.02 (max abs probability difference) of the current path point. Approaching: that distance is at
    most 3/4 of the distance from the previous checkpoint (lam doubles between checkpoints, and the branch converges
    at rate O(1/lam) or faster). This keeps the answer the limit of the branch, not a different equilibrium that
    happens to share the current supports.
    """
    d_now = float(np.abs(candidate - current).max())
    d_before = float(np.abs(candidate - previous).max())
    return d_now <= 0.02 and d_now <= 0.75 * d_before


@register("logit", players="n", summary="trace the logit QRE path to one Nash equilibrium (any number of players)")
def logit_solve(game: NormalFormGame, *, tol: float = 1e-9, max_lambda: float = 1e7, max_steps: int = 20000,
                progress: bool = False) -> list[Equilibrium]:
    """One certified Nash equilibrium: the limit of the principal logit QRE branch, refined to an exact one.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    tol : float
        The equilibrium is certified to regret <= ``tol`` x max(1, payoff range).
    max_lambda : float
        Stop the path when ``lam`` (unit-range payoffs) passes this.
    max_steps : int
        Cap on the accepted path steps.
    progress : bool
        Show a progress bar.

    Notes
    -----
    On a step-length underflow or a singular Jacobian the path restarts once from its last accepted point with a
    small step; if it still cannot be followed to a certified point, the branch of a copy of the game with payoff
    noise 1e-7 (unit range, fixed seed) is traced and its points polished on the real game
    (``info["path"] = "payoffs perturbed 1e-07"``, ``path_complete`` False).

    Returns
    -------
    list of Equilibrium
        One certified equilibrium (``info``: ``lam`` where it was certified, ``steps``, ``path_complete``: True
        when it came from the game's own branch), or an empty list with a :class:`~activeq.errors.ConvergenceWarning` stating the best regret seen when no
        point of the branch could be certified before ``max_lambda``/``max_steps``.
    """
    _check_game(game)
    tol = check_in_range(tol, "tol", 0.0, low_open=True)
    max_lambda = check_in_range(max_lambda, "max_lambda", 0.0, low_open=True)
    max_steps = check_positive_int(max_steps, "max_steps")
    _check_bool(progress, "progress")
    ml_orig = Multilinear(game.payoffs)
    scale = max(1.0, float(np.ptp(game.payoffs)))
    best_raw = np.inf
    failure = ""
    bar = tqdm(total=None, desc="logit path", disable=not progress, unit="step")
    attempts = (("given", 0.0), ("payoffs perturbed 1e-07", 1e-7))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            for label, noise in attempts:
                tr = _Tracer(game, max_steps, record=False, noise=noise)
                checkpoint = 2.0
                previous = tr.sigma()
                restarted = False
                while True:
                    before = tr.steps
                    status = tr.advance(checkpoint, h_max=max(1.0, checkpoint / 4))
                    bar.update(tr.steps - before)
                    if status in (pk.UNDERFLOW, pk.SINGULAR) and not restarted:
                        # restart once from the last accepted point with a small step
                        restarted = True
                        tr.h = 1e-4
                        continue
                    if status != pk.TARGET:
                        failure = pk.STATUS_TEXT[status]
                        break
                    lam = float(tr.x[-1])
                    checkpoint = 2.0 * lam
                    sig = tr.sigma()
                    prof, reg = polish(ml_orig, sig, tol * scale)
                    if prof is not None and _on_path(prof, sig, previous):
                        eq = make_equilibrium(game, _profile(ml_orig, prof), "logit", converged=True,
                                              path_complete=label == "given", path=label, lam=lam / tr.span,
                                              steps=tr.steps, bifurcations=tr.bifurcations, restarted=restarted)
                        return [eq]
                    best_raw = min(best_raw, pk.max_regret(ml_orig.flat_u, ml_orig.sizes_arr, ml_orig.offsets,
                                                           sig), reg)
                    previous = sig
                    if lam > max_lambda:
                        failure = f"lambda passed max_lambda={max_lambda:g}"
                        break
                if status == pk.MAX_STEPS:
                    break  # the step budget is spent: no retry
        finally:
            bar.close()
    best_raw = min(best_raw, pk.max_regret(ml_orig.flat_u, ml_orig.sizes_arr, ml_orig.offsets, tr.sigma()))
    warnings.warn(f"logit: no equilibrium with regret <= {tol:g} (x payoff range) found on the logit branch "
                  f"({failure} at lambda={tr.x[-1] / tr.span:.4g}); best regret seen {best_raw:.3g}; returning "
                  f"none (qre(game, lam) gives the QRE approximation)", ConvergenceWarning, stacklevel=caller_stacklevel())
    return []
