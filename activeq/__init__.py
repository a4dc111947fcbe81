"""activeq: multiagent learning and game theory.

Active equilibria, Nash and correlated equilibria of matrix and stochastic games, average-reward learning under
long mixing times, realtime asynchronous inference and theory-of-mind probes. See README.md for a tour.
"""

from . import errors
from .games import IteratedGame, NormalFormGame, StochasticGame, list_games, load_game

__version__ = "0.1.0"
__all__ = ["errors", "NormalFormGame", "StochasticGame", "IteratedGame", "load_game", "list_games", "__version__"]
