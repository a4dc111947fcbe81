"""activeq: multiagent learning and game theory.

Active equilibria (``activeq.active``), Nash and correlated equilibria of matrix and stochastic games
(``activeq.nash``), average-reward learning under long mixing times (``activeq.avgreward``), on a common game model
(``activeq.games``) with figures in ``activeq.plot``; realtime asynchronous inference (``activeq.realtime``: clocks,
staggered inference workers, inaction/delay regret, delay-aware pipelined networks) and LLM theory-of-mind probes
(``activeq.tom``) build on them, and ``activeq.experiments`` runs all of them as resumable sweeps. See README.md for
a tour.
"""

from . import errors
from .games import IteratedGame, NormalFormGame, StochasticGame, list_games, load_game

__version__ = "0.1.0"
__all__ = ["errors", "NormalFormGame", "StochasticGame", "IteratedGame", "load_game", "list_games", "__version__"]
