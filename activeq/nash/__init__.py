"""Nash equilibria (and their certificates) of normal-form games.

``solve(game, method="auto")`` is the front door: it checks which registered methods apply, runs one, re-verifies
every profile and returns deduplicated, deterministically sorted :class:`Equilibrium` objects.
Solver modules register themselves on import (see :mod:`activeq.nash.registry`), so each is imported here.
"""

from .equilibrium import Equilibrium, deduplicate, is_nash, make_equilibrium, nash_conv, regrets
from .registry import METHODS, applicable, register

__all__ = ["Equilibrium", "is_nash", "regrets", "nash_conv", "make_equilibrium", "deduplicate",
           "METHODS", "applicable", "register"]
