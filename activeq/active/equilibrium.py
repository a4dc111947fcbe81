"""Active equilibria: alternate active best responses until no agent can raise its ρ^i by more than ε.

The certificate is the analogue of ``nash.regrets``: for each agent, its best improvement (best-response value minus
current value) against the *final* profile. ``converged`` is True only when every entry is at most ``eps``; otherwise
the result says so and why (round limit reached, last improvements), and a ConvergenceWarning is issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._checks import check_bool, check_in_range, check_positive_int
from .._warn import warn_caller
from ..errors import ArgumentError, ConvergenceWarning
from .best_response import active_best_response
from .markov_game import ActiveMarkovGame
from .objective import active_average_reward


@dataclass(frozen=True, eq=False)
class ActiveEquilibrium:
    """Result of :func:`active_equilibrium`.

    ``amg``: the final profile (game + learners); ``profile``: learner names; ``values``: every agent's active average
    reward (``stderr`` alongside); ``certificate``: each agent's best improvement against the final profile;
    ``converged``: all improvements <= ``eps``; ``rounds``; ``history``: one dict per best-response step.
    """

    amg: ActiveMarkovGame = field(repr=False)
    profile: tuple[str, ...]
    values: np.ndarray
    stderr: np.ndarray
    certificate: np.ndarray
    eps: float
    converged: bool
    rounds: int
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)
    message: str = ""

    @property
    def max_improvement(self) -> float:
        return float(np.max(self.certificate))

    def to_dict(self) -> dict[str, Any]:
        return {"profile": list(self.profile), "values": self.values.tolist(), "stderr": self.stderr.tolist(),
                "certificate": self.certificate.tolist(), "eps": self.eps, "converged": self.converged,
                "rounds": self.rounds, "message": self.message, "history": self.history}


def active_equilibrium(amg: ActiveMarkovGame, eps: float = 1e-6, *, max_rounds: int = 10, progress: bool = False,
                       seed: Any = 0, warn: bool = True, **br_options: Any) -> ActiveEquilibrium:
    """Iterate active best responses (agents in turn) from ``amg``'s learners until no one improves by > ``eps``.

    ``br_options`` go to :func:`active_best_response` (search settings when a learner is not finite-state).
    With exact best responses (finite-state learners) values and certificate are exact. When the round limit is
    reached first, ``converged`` is False and (unless ``warn=False``, for callers that label the result themselves)
    a :class:`~activeq.errors.ConvergenceWarning` names the caller's line.
    """
    if not isinstance(amg, ActiveMarkovGame):
        raise ArgumentError(f"amg must be an ActiveMarkovGame, got {type(amg).__name__}")
    eps = check_in_range(eps, "eps", 0.0, None, low_open=True)
    warn = check_bool(warn, "warn")
    max_rounds = check_positive_int(max_rounds, "max_rounds")
    n = amg.num_players
    current = amg
    history: list[dict[str, Any]] = []
    it = range(max_rounds)
    if progress:
        from .._progress import progress_bar as tqdm
        it = tqdm(it, desc="active equilibrium", leave=False)
    improvements = np.full(n, np.inf)
    rounds = 0
    ev = active_average_reward(current, seed=seed)
    for r in it:
        rounds = r + 1
        changed = False
        for i in range(n):
            br = active_best_response(current, i, "inf", seed=seed, **br_options)
            gain = br.value - float(ev.values[i])
            noise = 2.0 * float(np.hypot(br.stderr, ev.stderr[i]))
            improvements[i] = gain
            step = {"round": rounds, "agent": i, "current": float(ev.values[i]), "best_response": br.value,
                    "improvement": gain, "method": br.method, "switched": bool(gain > eps + noise)}
            history.append(step)
            if gain > eps + noise:
                current = current.replace(i, br.learner)
                ev = br.evaluation
                changed = True
                # the other agents' entries were measured against the old profile: mark them stale
                improvements[[j for j in range(n) if j != i]] = np.inf
        if not changed:
            break
    converged = bool(np.all(improvements <= eps + 2.0 * np.max(ev.stderr)))
    if converged:
        message = f"no agent improves by more than eps={eps:g} after {rounds} round(s)"
    else:
        finite = improvements[np.isfinite(improvements)]
        message = (f"did not converge in max_rounds={max_rounds}: best responses kept changing the profile "
                   f"(last improvements {np.round(finite, 6).tolist()})")
        if warn:
            warn_caller(f"active_equilibrium {message}", ConvergenceWarning)
    cert = np.where(np.isfinite(improvements), improvements, np.nan)
    return ActiveEquilibrium(current, tuple(current.names()), ev.values, ev.stderr, cert, eps, converged, rounds,
                             history, message)
