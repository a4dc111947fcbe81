"""Game model: normal-form, stochastic and iterated games, the catalog, converters and PettingZoo envs.

The bottom layer of activeq: nothing here imports another activeq subpackage.
"""

from .catalog import CatalogEntry, list_games, load_game
from .iterated import IteratedGame
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

__all__ = ["NormalFormGame", "StochasticGame", "IteratedGame", "load_game", "list_games", "CatalogEntry"]
