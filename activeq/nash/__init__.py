"""Nash equilibria (and their certificates) of normal-form games, learning dynamics, correlated equilibria, QRE.

- :func:`solve` is the front door: it runs a registered method and returns only *certified* equilibria (max regret
  <= ``tol`` x payoff scale, recomputed from the game) as a :class:`SolveResult`; ``help(solve)`` lists every method
  and its options.
- :func:`approximate` runs a learning dynamic (fictitious play, replicator, regret matching) and returns its end point
  as a labelled :class:`Approximation` (``converged``, ``tol``, ``seed``, optionally the trajectory).
- Certificates: :func:`is_nash`, :func:`regrets`, :func:`nash_conv`. Tables: :func:`to_frame` (pandas, optional).
- Solver modules register their method on import (:mod:`activeq.nash.registry`): ``pure``, ``support``,
  ``vertex``, ``lemke_howson``, ``zerosum`` (2-player and pure), ``logit``, ``global_newton``, ``dynamics``
  (n-player); ``correlated`` (CE/CCE); ``components`` (maximal Nash subsets of degenerate 2-player games);
  ``stochastic`` (stochastic games: ``shapley``, ``stationary``, ...).
"""

from . import dynamics, global_newton, lemke_howson, logit, pure, solve as _solve_module, stochastic, support, vertex
from . import zerosum
from .components import Components, NashSubset, components
from .correlated import CorrelatedEquilibrium, correlated, incentive_matrix, max_incentive
from .equilibrium import (Approximation, Equilibrium, certify, deduplicate, is_nash, make_equilibrium, nash_conv,
                          regrets)
from .logit import QuantalResponseEquilibrium, qre
from .registry import METHODS, applicable, register
from .result import SolveResult, to_frame
from .solve import approximate, solve
from .zerosum import MatrixGameSolution, solve_matrix_game

_solve_module._document_methods()  # every method is registered now: list them in help(solve)

__all__ = ["solve", "approximate", "SolveResult", "Equilibrium", "Approximation", "to_frame", "is_nash", "regrets",
           "nash_conv", "make_equilibrium", "certify", "deduplicate", "METHODS", "applicable", "register",
           "solve_matrix_game", "MatrixGameSolution", "qre", "QuantalResponseEquilibrium", "correlated",
           "CorrelatedEquilibrium", "incentive_matrix", "max_incentive", "components", "Components", "NashSubset",
           "stochastic", "dynamics", "global_newton", "lemke_howson", "logit", "pure", "support", "vertex", "zerosum"]
