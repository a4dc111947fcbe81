"""Predictor-corrector tracing of a one-dimensional solution curve ``H(x) = 0``, ``H: R^{N+1} -> R^N``.

Used by the logit QRE path and the global Newton method. Each step: tangent predictor ``x + h t``, then Newton
corrector on the square system ``[H(x); t.(x - x_pred)] = 0`` (the correction stays in the hyperplane normal to
the tangent). The tangent is the kernel of the Jacobian, oriented so that ``sign det [J; t^T]`` never changes:
that orientation is intrinsic to the curve, so the tracer neither turns back at folds (where the homotopy
parameter reverses) nor at kinks of piecewise-smooth maps. The step length adapts: it grows after easy
corrections and halves when the corrector fails, jumps too far, or the tangent turns too sharply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

Func = Callable[[np.ndarray], np.ndarray]


@dataclass
class TraceSettings:
    h0: float = 0.05
    h_min: float = 1e-9
    h_max: float = 10.0
    accel: float = 1.5
    max_steps: int = 20000
    corrector_iters: int = 8
    corrector_tol: float = 1e-11
    min_cos: float = 0.95  # cos of the largest turn between consecutive tangents before halving
    max_jump: float = 0.5  # first corrector step must be below max_jump * h


def kernel_tangent(J: np.ndarray) -> np.ndarray:
    """Unit vector spanning the kernel of the N x (N+1) matrix J (its last right singular vector)."""
    q, _ = np.linalg.qr(J.T, mode="complete")
    return q[:, -1]


def orientation(J: np.ndarray, t: np.ndarray) -> float:
    return float(np.sign(np.linalg.det(np.vstack([J, t]))))


class TraceFailure(RuntimeError):
    """The tracer could not continue (step length fell below ``h_min``)."""


def trace(H: Func, JH: Func, x0: np.ndarray, t0: np.ndarray, settings: TraceSettings | None = None,
          h0: float | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, float]]:
    """Yield accepted points ``(x, t, h)`` along the curve through ``x0``, starting in direction ``t0``.

    ``t0`` only picks the orientation (sign); the actual tangent comes from the Jacobian. Stops after
    ``max_steps`` accepted points; raises :class:`TraceFailure` when the step length underflows.
    """
    s = settings or TraceSettings()
    x = np.array(x0, dtype=np.float64)
    J = JH(x)
    t = kernel_tangent(J)
    if t @ t0 < 0:
        t = -t
    sign = orientation(J, t)
    if sign == 0:
        raise TraceFailure("singular Jacobian at the start of the path")
    h = s.h0 if h0 is None else h0
    for _ in range(s.max_steps):
        while True:
            if h < s.h_min:
                raise TraceFailure(f"step length underflow at {x[-1]=:.6g}")
            xp = x + h * t
            ok, xc, iters = correct(H, JH, xp, t, s, h)
            if not ok:
                h *= 0.5
                continue
            Jc = JH(xc)
            tc = kernel_tangent(Jc)
            sc = orientation(Jc, tc)
            if sc == 0:
                h *= 0.5
                continue
            if sc != sign:
                tc = -tc
            if tc @ t < s.min_cos and h > 1e3 * s.h_min:
                h *= 0.5
                continue
            break
        x, t = xc, tc
        yield x, t, h
        if iters <= 3:
            h = min(h * s.accel, s.h_max)


def correct(H: Func, JH: Func, xp: np.ndarray, t: np.ndarray, s: TraceSettings,
            h: float) -> tuple[bool, np.ndarray, int]:
    """Newton corrector from the predicted point ``xp`` within the hyperplane normal to ``t``: (ok, x, iterations)."""
    x = xp.copy()
    prev = np.inf
    for it in range(1, s.corrector_iters + 1):
        F = H(x)
        r = float(np.abs(F).max())
        if r <= s.corrector_tol:
            return True, x, it - 1
        if r > 2 * prev or not np.isfinite(r):
            return False, x, it
        prev = r
        A = np.vstack([JH(x), t])
        if not np.all(np.isfinite(A)):
            return False, x, it
        try:
            dx = np.linalg.solve(A, np.concatenate([-F, [0.0]]))
        except np.linalg.LinAlgError:
            return False, x, it
        if it == 1 and np.linalg.norm(dx) > s.max_jump * max(h, 1e-12):
            return False, x, it
        x = x + dx
    ok = float(np.abs(H(x)).max()) <= s.corrector_tol * 100
    return ok, x, s.corrector_iters


def newton_square(F: Func, J: Func, x0: np.ndarray, tol: float = 1e-12, max_iter: int = 50) -> tuple[np.ndarray, bool]:
    """Plain Newton on a square system (least-squares steps); returns (x, converged)."""
    x = np.array(x0, dtype=np.float64)
    for _ in range(max_iter):
        f = F(x)
        if float(np.abs(f).max()) <= tol:
            return x, True
        Jx = J(x)
        if not (np.all(np.isfinite(f)) and np.all(np.isfinite(Jx))):
            return x, False
        dx = np.linalg.lstsq(Jx, -f, rcond=None)[0]
        x = x + dx
        if not np.all(np.isfinite(x)):
            return x, False
    return x, float(np.abs(F(x)).max()) <= tol * 100
