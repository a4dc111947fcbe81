"""Equilibria of discounted stochastic games: Shapley's iteration (zero-sum), logit homotopy for stationary
(Markov perfect) equilibria (general-sum, n players), best responses and exploitability.
"""

from .best_response import BestResponse, Exploitability, best_response, exploitability
from .evaluation import one_shot_gains, policy_values
from .homotopy import StationaryEquilibrium, stationary
from .shapley import ShapleyResult, shapley

__all__ = ["shapley", "ShapleyResult", "stationary", "StationaryEquilibrium", "best_response", "BestResponse", "exploitability", "Exploitability",
           "policy_values", "one_shot_gains"]
