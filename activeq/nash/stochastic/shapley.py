"""Shapley's value iteration for two-player zero-sum discounted stochastic games (Shapley 1953).

``V_{k+1}(s) = val[ R_0(s, ., .) + gamma sum_{s'} T(s' | s, ., .) V_k(s') ]`` where ``val`` is the minimax value of the
matrix game (player 0 maximises). The operator is a gamma-contraction, so ``||V_{k+1} - V*|| <=
gamma / (1 - gamma) ||V_{k+1} - V_k||``: we stop when that bound is below ``tol``. All states' matrix games are solved
together each sweep (batched equalising solves on the previous supports, one block-diagonal LP for the rest).
The returned stationary strategies are optimal in the stage games at the final values; their exact exploitability
(best-response gain, by policy iteration) is reported too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from ..._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from ..._checks import as_float_array, check_in_range, check_positive_int
from ..._warn import caller_stacklevel
from ...errors import ConvergenceWarning, SolverError
from ...games import StochasticGame
from .best_response import exploitability
from .evaluation import check_discounted
from .matrix_games import solve_matrix_games


@dataclass(frozen=True, eq=False)
class ShapleyResult:
    """Solution of a zero-sum discounted stochastic game.

    ``values[s]``: player 0's value (player 1's is ``c(s)``-shifted: for a zero-sum game, ``-values``);
    ``strategies``: ``(S, A_0)`` and ``(S, A_1)`` stationary strategies; ``iterations``: Shapley sweeps;
    ``error_bound``: ``gamma/(1-gamma) ||V_{k+1} - V_k||_inf`` (a bound on ``||values - V*||_inf``);
    ``converged``: ``error_bound <= tol``; ``exploitability``: max over players and states of the exact
    best-response gain against ``strategies``; ``lp_solves``: stage games that needed the LP (others reused supports).
    """

    values: np.ndarray
    strategies: tuple[np.ndarray, np.ndarray]
    iterations: int
    error_bound: float
    converged: bool
    exploitability: float
    lp_solves: int

    @property
    def player_values(self) -> np.ndarray:
        """``(S, 2)``: both players' values (player 1's = minus player 0's in a zero-sum game)."""
        return np.stack([self.values, -self.values], axis=1)


def _check_zero_sum(sg: StochasticGame) -> None:
    if sg.num_players != 2:
        raise SolverError(f"shapley needs a two-player zero-sum game; {sg!r} has {sg.num_players} players. "
                          f"For general-sum n-player games use activeq.nash.stochastic.stationary")
    total = sg.rewards.sum(axis=1)
    scale = max(1.0, float(np.abs(sg.rewards).max()))
    if np.abs(total).max() > 1e-9 * scale:
        s = int(np.unravel_index(np.argmax(np.abs(total)), total.shape)[0])
        raise SolverError(f"shapley needs a zero-sum game (rewards[s, 0] + rewards[s, 1] == 0); in state {s} the "
                          f"rewards sum to up to {np.abs(total[s]).max():.3g}. For general-sum games use "
                          f"activeq.nash.stochastic.stationary")


def shapley(sg: StochasticGame, tol: float = 1e-10, max_iter: int = 100_000, *, initial_values: Any = None,
            progress: bool = False) -> ShapleyResult:
    """Values and optimal stationary strategies of a two-player zero-sum discounted stochastic game.

    ``tol``: target for the a-posteriori error bound on the values (absolute, in reward units);
    ``max_iter``: cap on sweeps (a ConvergenceWarning is issued if reached; the result says ``converged=False``);
    ``initial_values``: optional ``(S,)`` start (default 0).
    """
    sg = check_discounted(sg, "shapley")
    _check_zero_sum(sg)
    tol = check_in_range(tol, "tol", 0.0, None, low_open=True)
    max_iter = check_positive_int(max_iter, "max_iter")
    S = sg.num_states
    gamma = sg.discount
    m, n = sg.num_actions
    if initial_values is None:
        V = np.zeros(S)
    else:
        V = as_float_array(initial_values, "initial_values", error=SolverError)
        if V.shape != (S,):
            raise SolverError(f"initial_values must be a finite array of shape ({S},), got shape {V.shape}")
    R0 = sg.rewards[:, 0]
    T = sg.transitions.reshape(S, m * n, S)
    row_ok, col_ok = sg.legal_actions
    factor = gamma / (1.0 - gamma) if gamma > 0 else 0.0
    supports = None
    lp_solves = 0
    bound = np.inf
    it = 0
    bar = tqdm(total=max_iter, desc="shapley", disable=not progress, leave=False)
    try:
        for it in range(1, max_iter + 1):
            M = R0 + gamma * (T @ V).reshape(S, m, n)
            sol = solve_matrix_games(M, row_ok, col_ok, supports)
            lp_solves += sol.lp_states
            supports = sol.supports
            diff = float(np.abs(sol.values - V).max())
            V = sol.values
            bound = factor * diff
            bar.update(1)
            if bound <= tol:
                break
    finally:
        bar.close()
    converged = bool(bound <= tol)
    if not converged:
        warnings.warn(f"shapley stopped after max_iter={max_iter} sweeps with error bound {bound:.3g} > tol={tol:g}",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    strategies = (sol.x, sol.y)
    expl = exploitability(sg, strategies)
    for a in (V, sol.x, sol.y):
        a.setflags(write=False)
    return ShapleyResult(V, strategies, it, float(bound), converged, expl.max_gain, lp_solves)

