"""Govindan-Wilson global Newton method (method ``"gnm"``): equilibria of n-player games along one homotopy path.

Structure theorem (Kohlberg-Mertens): with ``r`` the Euclidean projection of each player's block of
``z in R^N`` onto the simplex, ``sigma`` is an equilibrium of a game with deviation payoffs ``V`` iff
``z = r(z) + V(r(z))`` for ``z = sigma + V(sigma)``. GNM perturbs the game by a bonus ``lam * b`` on each pure
strategy (``b`` the perturbation ray) and follows the solution curve of

    H(z, lam) = z - r(z) - V(r(z)) - lam * b = 0

from large ``lam`` (where the unique equilibrium plays each player's argmax of ``b``) down through ``lam = 0``.
Every crossing of ``lam = 0`` is an equilibrium of the game; the path may turn back and cross several times, and
it is followed until ``lam < end_lambda``. ``r`` is piecewise linear, so ``H`` is piecewise smooth: we trace
one support cell at a time with its smooth formula (predictor-corrector, orientation ``sign det [DH; t]`` kept
within the cell), stop exactly on the cell boundary (Newton on ``H = 0`` plus the crossed constraint), and leave
into the neighbouring cell along the kernel direction that points into it. As in Gambit, payoffs are first scaled to [0, 1] and ``b`` to unit length, so
``end_lambda`` means the same thing here and there.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import SeedLike, as_float_array, as_generator, check_in_range, check_positive_int
from ..errors import ConvergenceWarning, SolverError
from ..games import NormalFormGame
from ._homotopy import TraceFailure, TraceSettings, correct, kernel_tangent, newton_square, orientation
from ._multilinear import Multilinear, polish
from .equilibrium import Equilibrium, _check_game, deduplicate, make_equilibrium
from .registry import register

_SLACK_TOL = 1e-12  # a slack this close to 0 is on the boundary (payoffs are scaled to [0, 1] first)


def project_simplex_blocks(z: np.ndarray, ml: Multilinear) -> tuple[np.ndarray, np.ndarray]:
    """Per player, the Euclidean projection of z's block onto the simplex, and the support mask.

    ``r(z)_ij = max(z_ij - v_i, 0)`` with ``v_i`` chosen so the block sums to 1.
    """
    sigma = np.empty_like(z)
    for i in range(ml.n):
        blk = ml.block(i)
        zi = z[blk]
        srt = np.sort(zi)[::-1]
        css = np.cumsum(srt) - 1.0
        k = np.arange(1, zi.size + 1)
        rho = np.flatnonzero(srt - css / k > 0)[-1]
        v = css[rho] / (rho + 1)
        sigma[blk] = np.maximum(zi - v, 0.0)
    return sigma, sigma > 0


class _Cell:
    """The smooth piece of H on one support cell ``S`` (a support per player), extended beyond the cell.

    On cell S the projection is affine, ``r_S(z)_ij = z_ij - v_i`` on ``S_i`` (0 off it) with
    ``v_i = (sum_{S_i} z - 1) / |S_i|``; ``slack`` is positive strictly inside the cell: ``z_ij - v_i`` for
    ``j in S_i`` and ``v_i - z_ij`` for ``j`` outside ``S_i``.
    """

    def __init__(self, ml: Multilinear, b: np.ndarray, support: np.ndarray):
        self.ml, self.b, self.support = ml, b, support.copy()
        P = np.zeros((ml.N, ml.N))
        self.const = np.zeros(ml.N)
        for i in range(ml.n):
            idx = ml.offsets[i] + np.flatnonzero(support[ml.block(i)])
            P[np.ix_(idx, idx)] = -1.0 / idx.size
            P[idx, idx] += 1.0
            self.const[idx] = 1.0 / idx.size
        self.P = P
        self.sign = np.where(support, 1.0, -1.0)

    def r(self, z: np.ndarray) -> np.ndarray:
        return self.P @ z + self.const

    def v(self, z: np.ndarray) -> np.ndarray:
        """Each entry's player's threshold v_i (so that r_S = z - v on the support)."""
        ml = self.ml
        out = np.empty(ml.N)
        for i in range(ml.n):
            blk = ml.block(i)
            sup = self.support[blk]
            out[blk] = (z[blk][sup].sum() - 1.0) / sup.sum()
        return out

    def slack(self, x: np.ndarray) -> np.ndarray:
        z = x[:-1]
        return self.sign * (z - self.v(z))

    def H(self, x: np.ndarray) -> np.ndarray:
        z, lam = x[:-1], x[-1]
        sigma = self.r(z)
        return z - sigma - self.ml.values(sigma) - lam * self.b

    def J(self, x: np.ndarray) -> np.ndarray:
        ml = self.ml
        _, D = ml.values_and_jacobian(self.r(x[:-1]))
        out = np.empty((ml.N, ml.N + 1))
        out[:, :-1] = np.eye(ml.N) - self.P - D @ self.P
        out[:, -1] = -self.b
        return out


def _solve_with(cell: _Cell, extra, extra_grad, x0: np.ndarray, tol: float = 1e-13) -> tuple[np.ndarray, bool]:
    """Newton on the square system ``[H_S(x); extra(x)] = 0`` (a point of the path where ``extra`` vanishes)."""
    return newton_square(lambda x: np.concatenate([cell.H(x), [extra(x)]]),
                         lambda x: np.vstack([cell.J(x), extra_grad(x)]), x0, tol=tol)


def _slack_grad(cell: _Cell, k: int) -> np.ndarray:
    """Gradient of slack_k in x (slack is affine in z)."""
    ml = cell.ml
    i = int(ml.player_of[k])
    blk = ml.block(i)
    g = np.zeros(ml.N + 1)
    idx = ml.offsets[i] + np.flatnonzero(cell.support[blk])
    g[idx] -= 1.0 / idx.size
    g[k] += 1.0
    return cell.sign[k] * g


def _perturbation(game: NormalFormGame, perturbation: Any, ml: Multilinear, seed: SeedLike) -> np.ndarray:
    if perturbation is None:
        b = np.zeros(ml.N)
        b[ml.offsets[:-1]] = 1.0  # Gambit's default: a bonus on each player's first strategy
        return b / np.linalg.norm(b)
    if isinstance(perturbation, str):
        if perturbation != "random":
            raise SolverError(f"perturbation must be None, 'random' or one vector per player, got {perturbation!r}")
        b = as_generator(seed).random(ml.N)
        return b / np.linalg.norm(b)
    if isinstance(perturbation, np.ndarray) and perturbation.ndim == 1 and perturbation.size == ml.N:
        parts: Sequence[Any] = ml.split(perturbation)
    else:
        parts = list(perturbation)
    if len(parts) != ml.n:
        raise SolverError(f"perturbation must have one vector per player ({ml.n}), got {len(parts)}")
    vecs = []
    for i, (p, k) in enumerate(zip(parts, ml.sizes)):
        v = as_float_array(p, f"perturbation[{i}]", ndim=1, error=SolverError)
        if v.size != k:
            raise SolverError(f"perturbation[{i}] must have {k} entries (player {i}'s actions), got {v.size}")
        if k > 1 and np.sum(v == v.max()) > 1:
            raise SolverError(f"perturbation[{i}] must have a unique largest entry (it picks the start), got {v.tolist()}")
        vecs.append(v)
    b = np.concatenate(vecs)
    if not np.any(b):
        raise SolverError("perturbation must have a nonzero entry")
    return b / np.linalg.norm(b)


@register("gnm", players="n", summary="Govindan-Wilson global Newton method: the equilibria on one homotopy path")
def gnm_solve(game: NormalFormGame, *, perturbation: Any = None, end_lambda: float = -10.0, tol: float = 1e-9,
              max_steps: int = 5000, seed: SeedLike = None, progress: bool = False) -> list[Equilibrium]:
    """Equilibria found along the global Newton path of ray ``perturbation`` (an odd number for generic games).

    Meant for generic games (e.g. continuous random payoffs). On degenerate games (ties, continua of equilibria,
    such as many small integer-payoff games) the path can stall on a continuum; then a ConvergenceWarning says
    so and what was found so far is returned. ``"logit"`` is the robust choice there.

    ``perturbation``: one vector per player (a bonus per pure strategy, unique maximum per player); default
    Gambit's (1 on each first strategy); ``"random"`` draws a generic one from ``seed`` (different rays can
    reach different equilibria; a generic ray also helps on degenerate games). Each equilibrium is refined to regret <= ``tol`` x payoff range; if the
    path is cut short (``max_steps`` or a tracing failure) a :class:`~activeq.errors.ConvergenceWarning` says so
    and ``info["converged"]`` is False on what was found.
    """
    _check_game(game)
    end_lambda = check_in_range(end_lambda, "end_lambda", None, 0.0, high_open=True)
    tol = check_in_range(tol, "tol", 0.0, low_open=True)
    check_positive_int(max_steps, "max_steps")
    pay = game.payoffs
    lo, span = float(pay.min()), float(np.ptp(pay))
    ml = Multilinear((pay - lo) / span if span > 0 else pay - lo)
    ml_orig = Multilinear(pay)
    scale = max(1.0, span)
    b = _perturbation(game, perturbation, ml, seed)

    # Start: for large lam every player plays argmax b; z must leave a gap >= 1 to every other strategy.
    sigma0 = np.zeros(ml.N)
    gaps = []
    for i in range(ml.n):
        bi = b[ml.block(i)]
        top = int(np.argmax(bi))
        sigma0[ml.offsets[i] + top] = 1.0
        if bi.size > 1:
            gaps.append(bi[top] - np.max(np.delete(bi, top)))
    lam0 = 3.0 / min(gaps) if gaps else 1.0  # |V differences| <= 1 after scaling, so this leaves a margin
    z0 = sigma0 + ml.values(sigma0) + lam0 * b
    x0 = np.concatenate([z0, [lam0]])
    t0 = np.concatenate([-b, [-1.0]])

    found: list[np.ndarray] = []
    unrefined: list[float] = []
    steps, failure, kinks = 0, "", 0
    bar = tqdm(total=None, desc="gnm path", disable=not progress, unit="step")
    settings = TraceSettings(corrector_tol=1e-12)
    lam_grad = np.zeros(ml.N + 1)
    lam_grad[-1] = 1.0

    def record(cell: _Cell, xa: np.ndarray, xb: np.ndarray) -> None:
        w = xa[-1] / (xa[-1] - xb[-1])
        x, ok = _solve_with(cell, lambda y: y[-1], lambda y: lam_grad, (1 - w) * xa + w * xb)
        sigma = np.clip(cell.r(x[:-1] if ok else ((1 - w) * xa + w * xb)[:-1]), 0.0, None)
        for i in range(ml.n):
            sigma[ml.block(i)] /= sigma[ml.block(i)].sum()
        if ml_orig.max_regret(sigma) > tol * scale:
            refined, reg = polish(ml_orig, sigma, tol * scale)
            if refined is None:
                unrefined.append(reg)
                return
            sigma = refined
        found.append(sigma)

    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")  # a diverging path is caught below
    quiet.__enter__()
    try:
        x = x0
        cell = _Cell(ml, b, project_simplex_blocks(z0, ml)[1])
        J = cell.J(x)
        t = kernel_tangent(J)
        t = t if t @ t0 > 0 else -t
        sign = orientation(J, t)
        h, last_k = 0.1, -1
        while x[-1] >= end_lambda:
            if steps >= max_steps:
                failure = f"max_steps={max_steps} reached at lambda={x[-1]:.3g}"
                break
            if x[-1] > 2 * lam0:  # only the start ray reaches large lambda: the tracer has turned back
                failure = "the path turned back towards its start (a tracing failure at a degenerate boundary)"
                break
            if h < 1e-12:
                raise TraceFailure(f"step length underflow at lambda={x[-1]:.6g}")
            ok, xn, iters = correct(cell.H, cell.J, x + h * t, t, settings, h)
            if not ok:
                h *= 0.5
                continue
            Jn = cell.J(xn)
            tn = kernel_tangent(Jn)
            tn = tn if orientation(Jn, tn) == sign else -tn
            if tn @ t < settings.min_cos and h > 1e-8:
                h *= 0.5
                continue
            steps += 1
            bar.update(1)
            sl_old, sl_new = cell.slack(x), cell.slack(xn)
            # A constraint is crossed only if its slack goes below -slack_tol *and* falls along the step: a slack
            # of -1e-16 that does not move is round-off on the boundary we stand on (its sign differs between
            # BLAS kernels), not a crossing. The interpolation weight is clamped to the step, [0, 1].
            out = np.flatnonzero((sl_new < -_SLACK_TOL) & (sl_new < sl_old - _SLACK_TOL))
            if out.size:  # the step leaves the cell: stop on its boundary and switch to the neighbouring cell
                fr = np.clip(np.maximum(sl_old[out], 0.0) / (sl_old[out] - sl_new[out]), 0.0, 1.0)
                k = int(out[np.argmin(fr)])
                w = float(fr.min())
                g = _slack_grad(cell, k)
                xb, okb = _solve_with(cell, lambda y, k=k: float(cell.slack(y)[k]), lambda y: g, (1 - w) * x + w * xn)
                if (not okb or np.delete(cell.slack(xb), k).min() < -1e-12
                        or (k == last_k and np.abs(xb - x).max() <= 1e-9 * max(1.0, np.abs(x).max()))
                        or np.linalg.norm(xb - x) > 1.5 * np.linalg.norm(xn - x) + 1e-9):
                    # another constraint was crossed first, no boundary point was found, the one found is the
                    # point we start from on the boundary we just came through, or it lies off this step's stretch
                    # of the path (another branch of the cell's equations): take a shorter step
                    h *= 0.5
                    continue
                xn = xb
                if (x[-1] > 0) != (xn[-1] > 0):
                    record(cell, x, xn)
                support = cell.support.copy()
                support[k] = not support[k]
                cell = _Cell(ml, b, support)
                kinks += 1
                last_k = k
                Jn = cell.J(xn)
                tn = kernel_tangent(Jn)
                # The path continues into the new cell: of the two kernel directions take the one that raises
                # the slack of the constraint just crossed, and carry its orientation on through this cell.
                tn = tn if _slack_grad(cell, k) @ tn > 0 else -tn
                sign = orientation(Jn, tn)
                x, t = xn, tn
                continue
            if (x[-1] > 0) != (xn[-1] > 0):
                record(cell, x, xn)
            x, t = xn, tn
            last_k = -1
            if iters <= 3:
                h = min(h * settings.accel, 1.0)
    except (TraceFailure, np.linalg.LinAlgError) as exc:
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        quiet.__exit__(None, None, None)
        bar.close()
    converged = not failure and not unrefined
    if not converged:
        why = failure or f"{len(unrefined)} crossing(s) of lambda=0 could not be refined (regrets {unrefined})"
        warnings.warn(f"gnm: path not completed ({why}); returning the {len(found)} equilibria found so far",
                      ConvergenceWarning, stacklevel=2)
    eqs = [make_equilibrium(game, ml.split(s), "gnm", converged=converged, steps=steps, kinks=kinks) for s in found]
    return deduplicate(eqs)
