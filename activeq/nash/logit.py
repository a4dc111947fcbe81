"""Logit quantal-response equilibria and the logit path to a Nash equilibrium (method ``"logit"``).

A logit QRE at precision ``lam`` is a profile with ``sigma_ij = exp(lam V_ij) / sum_k exp(lam V_ik)``, where
``V_ij = u_i(j, sigma_{-i})``. At ``lam = 0`` it is the uniform profile; as ``lam -> inf`` the principal branch
(the path connected to ``lam = 0``) converges to a Nash equilibrium (McKelvey & Palfrey 1995, Turocy 2005).

We trace that branch in log-probabilities ``y = log sigma`` with the equations, per player i (reference action 0):

    y_ij - y_i0 - lam (V_ij - V_i0) = 0   (j >= 1),        sum_j exp(y_ij) - 1 = 0,

by a predictor-corrector in arc length (:mod:`activeq.nash._homotopy`), which passes folds where ``lam`` turns back.
Payoffs are scaled to a unit range first, so step sizes do not depend on the payoff units. At checkpoints
(``lam`` doubling) the current point's supports seed a support-restricted Newton solve; the first solution whose
regret is below ``tol`` is the answer, so the result is an exact equilibrium, not just a large-``lam`` QRE.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import check_in_range, check_positive_int
from ..errors import ConvergenceWarning, SolverError
from ..games import NormalFormGame
from ._homotopy import TraceFailure, TraceSettings, newton_square, trace
from ._multilinear import Multilinear, polish
from .equilibrium import Equilibrium, _check_game, make_equilibrium, regrets
from .registry import register


@dataclass(frozen=True, eq=False)
class QuantalResponseEquilibrium:
    """A logit QRE on the principal branch: ``strategies`` at precision ``lam`` (in the game's payoff units).

    ``payoffs``: expected payoff per player; ``max_regret``: largest gain from a unilateral pure deviation
    (shrinks to 0 as ``lam`` grows); ``residual``: max violation of the logit fixed-point equations.
    """

    strategies: tuple[np.ndarray, ...]
    lam: float
    payoffs: np.ndarray
    max_regret: float
    residual: float

    def to_dict(self) -> dict[str, Any]:
        return {"strategies": [s.tolist() for s in self.strategies], "lambda": self.lam,
                "payoffs": self.payoffs.tolist(), "max_regret": self.max_regret, "residual": self.residual}


class _LogitSystem:
    """The logit equations H(y, lam) and their Jacobian for a game whose payoffs are scaled to unit range."""

    def __init__(self, payoffs: np.ndarray):
        self.ml = Multilinear(payoffs)
        ml = self.ml
        self.ref = ml.offsets[ml.player_of]  # reference (first) action of each entry's player
        self.is_ref = np.arange(ml.N) == self.ref
        self.nonref = np.flatnonzero(~self.is_ref)

    def start(self) -> np.ndarray:
        ml = self.ml
        y = -np.log(np.asarray(ml.sizes, dtype=np.float64))[ml.player_of]
        return np.concatenate([y, [0.0]])

    def H(self, x: np.ndarray) -> np.ndarray:
        ml = self.ml
        y, lam = x[:-1], x[-1]
        sig = np.exp(y)
        V = ml.values(sig)
        out = np.empty(ml.N)
        m, r = self.nonref, self.ref[self.nonref]
        out[m] = y[m] - y[r] - lam * (V[m] - V[r])
        out[self.is_ref] = np.add.reduceat(sig, ml.offsets[:-1]) - 1.0
        return out

    def J(self, x: np.ndarray) -> np.ndarray:
        ml = self.ml
        y, lam = x[:-1], x[-1]
        sig = np.exp(y)
        V, D = ml.values_and_jacobian(sig)
        out = np.zeros((ml.N, ml.N + 1))
        m, r = self.nonref, self.ref[self.nonref]
        out[m, :-1] = -lam * (D[m] - D[r]) * sig[None, :]
        out[m, m] += 1.0
        out[m, r] -= 1.0
        out[m, -1] = -(V[m] - V[r])
        for i in range(ml.n):
            blk = ml.block(i)
            out[ml.offsets[i], blk] = sig[blk]
        return out


def _scaled(game: NormalFormGame) -> tuple[np.ndarray, float]:
    span = float(np.ptp(game.payoffs))
    span = span if span > 0 else 1.0
    return game.payoffs / span, span


def _profile(ml: Multilinear, flat: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(s / s.sum() for s in ml.split(flat))


def qre(game: NormalFormGame, lam: float, *, max_steps: int = 20000, progress: bool = False) -> QuantalResponseEquilibrium:
    """The logit QRE at precision ``lam`` on the principal branch (first crossing of ``lam`` along the path).

    ``lam`` is in the game's payoff units (``sigma_ij ∝ exp(lam * u_i(j, sigma_{-i}))``).
    """
    _check_game(game)
    lam = check_in_range(lam, "lam", 0.0)
    check_positive_int(max_steps, "max_steps")
    scaled, span = _scaled(game)
    sysm = _LogitSystem(scaled)
    target = lam * span
    x0 = sysm.start()
    x_found = x0
    if target > 0:
        t0 = np.zeros(x0.size)
        t0[-1] = 1.0
        prev = x0
        bar = tqdm(total=None, desc="logit QRE path", disable=not progress, unit="step")
        try:
            for x, _t, _h in trace(sysm.H, sysm.J, x0, t0, TraceSettings(max_steps=max_steps)):
                bar.update(1)
                if x[-1] >= target:
                    w = (target - prev[-1]) / (x[-1] - prev[-1])
                    guess = (1 - w) * prev[:-1] + w * x[:-1]
                    fixed = lambda y: sysm.H(np.concatenate([y, [target]]))  # noqa: E731
                    jac = lambda y: sysm.J(np.concatenate([y, [target]]))[:, :-1]  # noqa: E731
                    y, ok = newton_square(fixed, jac, guess, tol=1e-13)
                    x_found = np.concatenate([y, [target]]) if ok else x
                    break
                prev = x
            else:
                raise SolverError(f"qre: the logit path did not reach lam={lam} within max_steps={max_steps}")
        except (TraceFailure, np.linalg.LinAlgError) as exc:
            raise SolverError(f"qre: path tracing failed before lam={lam}: {exc}") from None
        finally:
            bar.close()
    ml = sysm.ml
    strategies = _profile(ml, np.exp(x_found[:-1]))
    for s in strategies:
        s.setflags(write=False)
    residual = float(np.abs(sysm.H(np.concatenate([np.log(np.concatenate(strategies)), [target]]))).max())
    pay = game.expected_payoffs(strategies)
    reg = float(max(0.0, regrets(game, strategies).max()))
    return QuantalResponseEquilibrium(strategies, lam, pay, reg, residual)


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
    """One Nash equilibrium: the limit of the principal logit QRE branch, refined to regret <= tol * payoff range.

    If no refinement succeeds before ``max_lambda`` (unit-range payoffs) or ``max_steps``, the last path point is
    returned with a :class:`~activeq.errors.ConvergenceWarning` and ``info["converged"] = False``.
    """
    _check_game(game)
    tol = check_in_range(tol, "tol", 0.0, low_open=True)
    max_lambda = check_in_range(max_lambda, "max_lambda", 0.0, low_open=True)
    check_positive_int(max_steps, "max_steps")
    scaled, span = _scaled(game)
    sysm = _LogitSystem(scaled)
    ml_orig = Multilinear(game.payoffs)
    scale = max(1.0, float(np.ptp(game.payoffs)))
    x = sysm.start()
    t0 = np.zeros(x.size)
    t0[-1] = 1.0
    checkpoint, steps = 2.0, 0
    previous = np.exp(x[:-1])
    best: tuple[float, np.ndarray, float] | None = None  # (regret, flat profile, lambda)
    bar = tqdm(total=None, desc="logit path", disable=not progress, unit="step")
    failure = ""
    quiet = np.errstate(over="ignore", invalid="ignore", divide="ignore")  # a diverging path is caught below
    quiet.__enter__()
    try:
        for x, _t, _h in trace(sysm.H, sysm.J, x, t0, TraceSettings(max_steps=max_steps, h_max=1e4)):
            steps += 1
            bar.update(1)
            if x[-1] < checkpoint:
                continue
            checkpoint = 2.0 * x[-1]
            sig = np.exp(x[:-1])
            prof, reg = polish(ml_orig, sig, tol * scale)
            if prof is not None and _on_path(prof, sig, previous):
                eq = make_equilibrium(game, _profile(ml_orig, prof), "logit", converged=True,
                                      lam=float(x[-1] / span), steps=steps)
                return [eq]
            raw = ml_orig.max_regret(sig)
            if best is None or raw < best[0]:
                best = (raw, sig, float(x[-1] / span))
            previous = sig
            if x[-1] > max_lambda:
                break
        else:
            failure = f"max_steps={max_steps} reached"
    except (TraceFailure, np.linalg.LinAlgError) as exc:
        failure = f"{type(exc).__name__}: {exc}"
    finally:
        quiet.__exit__(None, None, None)
        bar.close()
    sig = np.exp(x[:-1])
    raw = ml_orig.max_regret(sig)
    if best is None or raw < best[0]:
        best = (raw, sig, float(x[-1] / span))
    warnings.warn(f"logit: no equilibrium with regret <= {tol:g} (x payoff range) found "
                  f"({failure or f'lambda passed max_lambda={max_lambda:g}'}); returning the best path point, "
                  f"regret {best[0]:.3g}", ConvergenceWarning, stacklevel=2)
    return [make_equilibrium(game, _profile(ml_orig, best[1]), "logit", converged=False, lam=best[2], steps=steps)]
