"""Govindan-Wilson global Newton method (method ``"gnm"``): equilibria of n-player games along one homotopy path.

Govindan & Wilson (2003), "A global Newton method to compute Nash equilibria", J. Econ. Theory 110, eq. (1)-(3),
on the Kohlberg-Mertens structure theorem: with ``r`` the Euclidean projection of each player's block of
``z in R^N`` onto the simplex, ``sigma`` is an equilibrium of a game with deviation payoffs ``V`` iff
``z = r(z) + V(r(z))`` for ``z = sigma + V(sigma)``. GNM perturbs the game by a bonus ``lam * b`` on each pure
strategy (``b`` the perturbation ray) and follows the solution curve of

    H(z, lam) = z - r(z) - V(r(z)) - lam * b = 0

from large ``lam`` (where the unique equilibrium plays each player's argmax of ``b``) down through ``lam = 0``.
Every crossing of ``lam = 0`` is an equilibrium of the game; the path may turn back and cross several times, and
it is followed until ``lam < end_lambda``. ``r`` is piecewise linear, so ``H`` is piecewise smooth: the tracer
(:func:`activeq.nash._path_kernels.gnm_trace`) follows one support cell at a time with its smooth formula, lands
exactly on the cell boundary, and picks the neighbouring cell and direction by an explicit rule that also covers
faces where several supports change at once (ties and symmetries of degenerate games; see ``_face_continuation``).
As in Gambit, payoffs are first scaled to [0, 1] and ``b`` to unit length, so ``end_lambda`` means the same thing
here and there.

Robustness: every decision (crossed or not, which cell next, step accepted or not) is taken with an explicit
tolerance in compiled code that calls no BLAS, so the route is the same on every machine. When the path cannot be
continued (step underflow after one restart from the last good point with tightened tolerances, or a face with no
admissible continuation), the path is traced again on perturbed rays ``b + eps u`` (``eps`` = 1e-4, then 1e-2;
``u`` drawn from ``seed``), and last on that ray in a copy of the game with payoff noise of 1e-6 (ties of
degenerate games put whole continua of the perturbed games' equilibria on the path, where it is not a curve):
the equilibria found on every attempt are kept. Only certified equilibria are returned
(regret <= ``tol`` x payoff range, after a support-restricted Newton polish if needed); any crossing that cannot be
certified is left out with a :class:`~activeq.errors.ConvergenceWarning` stating its regret.

Raises :class:`~activeq.errors.SolverError` / :class:`~activeq.errors.ArgumentError` /
:class:`~activeq.errors.ArgumentTypeError` on a bad game or option.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import SeedLike, as_float_array, as_generator, check_in_range, check_positive_int
from .._warn import caller_stacklevel
from ..errors import ArgumentTypeError, ConvergenceWarning, SolverError
from ..games import NormalFormGame
from . import _path_kernels as pk
from ._multilinear import Multilinear, polish
from .equilibrium import Equilibrium, _check_game, deduplicate, make_equilibrium
from .registry import register

#: relative sizes of the ray perturbations tried, in order, when the path on the given ray cannot be completed
RAY_RETRIES = (1e-4, 1e-2)
#: last resort: the path on the last perturbed ray in a copy of the game whose unit-range payoffs get uniform noise
#: of this size (degenerate games: ties and continua); its crossings are polished into equilibria of the real game
GAME_NOISE = 1e-6


def _unit(b: np.ndarray) -> np.ndarray:
    """``b / |b|`` with the norm from numpy's pairwise sum, not BLAS (whose last bit depends on the kernel and
    would move a perturbed ray, and so a path through a degenerate face, from one machine to another)."""
    return b / np.sqrt(np.sum(b * b))


def _perturbation(perturbation: Any, ml: Multilinear, seed: SeedLike) -> np.ndarray:
    if perturbation is None:
        b = np.zeros(ml.N)
        b[ml.offsets[:-1]] = 1.0  # Gambit's default: a bonus on each player's first strategy
        return _unit(b)
    if isinstance(perturbation, str):
        if perturbation != "random":
            raise SolverError(f"perturbation must be None, 'random' or one vector per player, got {perturbation!r}")
        b = as_generator(seed).random(ml.N)
        return _unit(b)
    if isinstance(perturbation, np.ndarray) and perturbation.ndim == 1 and perturbation.size == ml.N:
        parts: Sequence[Any] = ml.split(perturbation)
    elif isinstance(perturbation, (list, tuple, np.ndarray)):
        parts = list(perturbation)
    else:
        raise ArgumentTypeError(f"perturbation must be None, 'random' or one vector per player (a list of "
                                f"{ml.n} arrays), got {type(perturbation).__name__}")
    if len(parts) != ml.n:
        raise SolverError(f"perturbation must have one vector per player ({ml.n}), got {len(parts)}")
    vecs = []
    for i, (p, k) in enumerate(zip(parts, ml.sizes)):
        v = np.atleast_1d(as_float_array(p, f"perturbation[{i}]", error=SolverError))
        if v.ndim != 1:
            raise SolverError(f"perturbation[{i}] must be a vector of {k} numbers, got shape {v.shape}")
        if v.size != k:
            raise SolverError(f"perturbation[{i}] must have {k} entries (player {i}'s actions), got {v.size}")
        if k > 1 and np.sum(v == v.max()) > 1:
            raise SolverError(f"perturbation[{i}] must have a unique largest entry (it picks the start), got {v.tolist()}")
        vecs.append(v)
    b = np.concatenate(vecs)
    if not np.any(b):
        raise SolverError("perturbation must have a nonzero entry")
    return _unit(b)


def _start(ml: Multilinear, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """For large lam every player plays argmax b; z must leave a gap >= 1 to every other strategy."""
    sigma0 = np.zeros(ml.N)
    gaps = []
    for i in range(ml.n):
        bi = b[ml.block(i)]
        top = int(np.argmax(bi))
        sigma0[ml.offsets[i] + top] = 1.0
        if bi.size > 1:
            gaps.append(bi[top] - np.max(np.delete(bi, top)))
    lam0 = 3.0 / min(gaps) if gaps else 1.0  # |V differences| <= 1 after scaling, so this leaves a margin
    V0 = np.empty(ml.N)
    pk.values_jac(ml.flat_u, ml.sizes_arr, ml.offsets, sigma0, V0, np.empty((1, 1)), False)
    z0 = sigma0 + V0 + lam0 * b
    x0 = np.concatenate([z0, [lam0]])
    t0 = np.concatenate([-b, [-1.0]])
    return x0, sigma0 > 0, t0, lam0


def trace_path(ml: Multilinear, b: np.ndarray, end_lambda: float, max_steps: int, log_kinks: int = 0
               ) -> tuple[np.ndarray, dict[str, Any]]:
    """One global Newton path for the unit-range game ``ml`` on ray ``b``: (profiles at lam = 0 crossings, info)."""
    x0, sup0, t0, lam0 = _start(ml, b)
    out = np.zeros((256, ml.N))
    side = np.zeros(256)
    kink_log = np.zeros((0, 4)) if log_kinks == 0 else np.zeros((log_kinks, 4))
    dbg = (np.zeros(ml.N + 1), np.zeros(ml.N + 1), np.zeros(ml.N, dtype=bool))
    status, steps, kinks, found, bif, restarts, lam_last, faces = pk.gnm_trace(
        ml.flat_u, ml.sizes_arr, ml.offsets, ml.player_of, b, x0, sup0, t0, float(end_lambda), 2.0 * lam0,
        int(max_steps), 0.1, 1.0, out, side, dbg[0], dbg[1], dbg[2], kink_log)
    info = {"status": int(status), "steps": int(steps), "kinks": int(kinks), "bifurcations": int(bif),
            "restarts": int(restarts), "faces": int(faces), "lambda_last": float(lam_last)}
    info["last"] = dbg
    info["kink_log"] = kink_log[:min(kinks, log_kinks)]
    return out[:found], info


@register("gnm", players="n", summary="Govindan-Wilson global Newton method: the equilibria on one homotopy path")
def gnm_solve(game: NormalFormGame, *, perturbation: Any = None, end_lambda: float = -10.0, tol: float = 1e-9,
              max_steps: int = 5000, seed: SeedLike = None, progress: bool = False) -> list[Equilibrium]:
    """Certified equilibria found along the global Newton path of ray ``perturbation``.

    Parameters
    ----------
    game : NormalFormGame
        Any number of players.
    perturbation : None, "random" or sequence of arrays
        The ray ``b``: one vector per player (a bonus per pure strategy, unique maximum per player); default
        Gambit's (1 on each first strategy); ``"random"`` draws a generic one from ``seed`` (different rays can
        reach different equilibria).
    end_lambda : float
        The path is followed until ``lam`` falls below this (negative) value, in unit-range payoffs.
    tol : float
        Each equilibrium is certified to regret <= ``tol`` x max(1, payoff range).
    max_steps : int
        Cap on the accepted predictor-corrector steps of each path.
    seed : int or numpy.random.Generator, optional
        Draws the ``"random"`` ray and the direction of the fallback ray perturbations (default: 0).
    progress : bool
        Show a progress bar over the path attempts.

    Returns
    -------
    list of Equilibrium
        Deduplicated and sorted, each with ``max_regret <= tol`` x payoff range. ``info["path_complete"]`` says
        whether the path on the requested ray was followed to ``end_lambda``; ``info["ray"]`` which ray found
        this equilibrium (``"given"``, or ``"perturbed 1e-04"``/``"perturbed 1e-02"`` for the fallback rays).
        If no path could be completed, a :class:`~activeq.errors.ConvergenceWarning` says so.
    """
    _check_game(game)
    end_lambda = check_in_range(end_lambda, "end_lambda", None, 0.0, high_open=True)
    tol = check_in_range(tol, "tol", 0.0, low_open=True)
    max_steps = check_positive_int(max_steps, "max_steps")
    if not isinstance(progress, (bool, np.bool_)):
        raise ArgumentTypeError(f"progress must be True or False, got {progress!r}")
    seed = 0 if seed is None else seed
    rng = as_generator(seed)
    pay = game.payoffs
    lo, span = float(pay.min()), float(np.ptp(pay))
    ml = Multilinear((pay - lo) / span if span > 0 else pay - lo)
    ml_orig = Multilinear(pay)
    scale = max(1.0, span)
    b = _perturbation(perturbation, ml, rng)
    u = rng.standard_normal(ml.N)  # direction of the fallback ray perturbations (drawn after b: reproducible)
    noisy = Multilinear(ml.u + GAME_NOISE * rng.uniform(-1.0, 1.0, ml.u.shape))

    attempts = [("given", b, ml)] + [(f"perturbed {eps:.0e}", _perturbed_ray(ml, b, u, eps), ml)
                                     for eps in RAY_RETRIES]
    attempts.append((f"perturbed {RAY_RETRIES[-1]:.0e}, payoffs {GAME_NOISE:.0e}", attempts[-1][1], noisy))
    found: list[tuple[np.ndarray, str]] = []
    uncertified: list[float] = []
    infos: list[dict[str, Any]] = []
    bar = tqdm(total=len(attempts), desc="gnm paths", disable=not progress, unit="path")
    try:
        for label, ray, traced in attempts:
            crossings, info = trace_path(traced, ray, end_lambda, max_steps)
            info["ray"] = label
            infos.append(info)
            bar.update(1)
            for sigma in crossings:
                if pk.max_regret(ml_orig.flat_u, ml_orig.sizes_arr, ml_orig.offsets, sigma) > tol * scale:
                    refined, reg = polish(ml_orig, sigma, tol * scale)
                    if refined is None:
                        uncertified.append(reg)
                        continue
                    sigma = refined
                found.append((sigma, label))
            if info["status"] == pk.OK:
                break
    finally:
        bar.close()
    complete = infos[0]["status"] == pk.OK
    if uncertified:
        warnings.warn(f"gnm: {len(uncertified)} crossing(s) of lambda=0 could not be certified "
                      f"(regrets {', '.join(f'{r:.3g}' for r in uncertified)} > {tol * scale:.3g}); left out",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    if infos[-1]["status"] != pk.OK:
        why = "; ".join(f"{i['ray']} ray: {pk.STATUS_TEXT[i['status']]} at lambda={i['lambda_last']:.4g}"
                        for i in infos)
        warnings.warn(f"gnm: no path could be completed ({why}); returning the {len(found)} certified "
                      f"equilibria found on the way", ConvergenceWarning, stacklevel=caller_stacklevel())
    summary = {"path_complete": complete, "converged": True, "steps": sum(i["steps"] for i in infos),
               "kinks": sum(i["kinks"] for i in infos), "paths": len(infos),
               "bifurcations": sum(i["bifurcations"] for i in infos)}
    eqs = [make_equilibrium(game, ml.split(s), "gnm", ray=label, **summary) for s, label in found]
    return deduplicate(eqs)


def _perturbed_ray(ml: Multilinear, b: np.ndarray, u: np.ndarray, eps: float) -> np.ndarray:
    """``b + eps u`` (unit length), keeping each player's argmax of ``b`` unique and where it was."""
    out = b + eps * u
    for i in range(ml.n):
        blk = ml.block(i)
        top = ml.offsets[i] + int(np.argmax(b[blk]))
        out[top] = max(out[top], float(np.max(out[blk])) + eps)
    return _unit(out)
