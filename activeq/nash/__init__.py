"""Nash equilibria (and their certificates) of normal-form games.

``solve(game, method="auto")`` is the front door: it checks which registered methods apply, runs one, re-verifies
every profile and returns deduplicated, deterministically sorted :class:`Equilibrium` objects.
Solver modules register themselves on import (see :mod:`activeq.nash.registry`), so each is imported here.
"""

from .equilibrium import Equilibrium, certify, deduplicate, is_nash, make_equilibrium, nash_conv, regrets
from .registry import METHODS, applicable, register

# 2-player and pure methods (each module registers its method on import)
from . import pure, support, vertex, lemke_howson, zerosum  # noqa: E402,F401
from .zerosum import MatrixGameSolution, solve_matrix_game  # noqa: E402
from .solve import solve  # noqa: E402
# n-player methods and correlated equilibria (H4)
from . import logit, global_newton, dynamics  # noqa: E402,F401
from .logit import QuantalResponseEquilibrium, qre  # noqa: E402
from .correlated import CorrelatedEquilibrium, correlated, incentive_matrix, max_incentive  # noqa: E402
# stochastic games (H5): activeq.nash.stochastic.{shapley, stationary, best_response, exploitability}
from . import stochastic  # noqa: E402,F401

__all__ = ["solve", "Equilibrium", "is_nash", "regrets", "nash_conv", "make_equilibrium", "certify", "deduplicate",
           "METHODS", "applicable", "register", "solve_matrix_game", "MatrixGameSolution"]
__all__ += ["qre", "QuantalResponseEquilibrium", "correlated", "CorrelatedEquilibrium", "incentive_matrix",
            "max_incentive"]
__all__ += ["stochastic"]
# equilibrium components of 2-player games (maximal Nash subsets)
from .components import Components, NashSubset, components  # noqa: E402
__all__ += ["components", "Components", "NashSubset"]
