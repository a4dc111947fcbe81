"""activeq: multiagent learning and game theory.

Active equilibria (``activeq.active``), Nash and correlated equilibria of matrix and stochastic games
(``activeq.nash``), average-reward learning under long mixing times (``activeq.avgreward``), on a common game model
(``activeq.games``) with figures in ``activeq.plot``. Realtime asynchronous inference and LLM theory-of-mind probes
are the design's other shared modules (``activeq.realtime``, ``activeq.tom``); the API reference of the
documentation lists the subpackages this version ships. See README.md for a tour.
"""

from . import errors
from .games import IteratedGame, NormalFormGame, StochasticGame, list_games, load_game

__version__ = "0.1.0"
__all__ = ["errors", "NormalFormGame", "StochasticGame", "IteratedGame", "load_game", "list_games", "__version__"]
