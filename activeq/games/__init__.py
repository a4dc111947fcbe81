"""Game model: normal-form, stochastic and iterated games, the catalog, converters and PettingZoo envs.

The converters of :mod:`activeq.games.interop` are re-exported here (``activeq.games.to_pyspiel`` is
``activeq.games.interop.to_pyspiel``); the peer libraries are imported only when a converter is called.

The bottom layer of activeq: nothing here imports another activeq subpackage.
"""

from .catalog import CatalogEntry, list_games, load_game
from .interop import from_nashpy, from_pyspiel, read_nfg, to_nashpy, to_nfg, to_pyspiel, write_nfg
from .iterated import IteratedGame
from .normal_form import NormalFormGame
from .stochastic import StochasticGame

__all__ = ["NormalFormGame", "StochasticGame", "IteratedGame", "load_game", "list_games", "CatalogEntry",
           "to_nashpy", "from_nashpy", "to_pyspiel", "from_pyspiel", "read_nfg", "write_nfg", "to_nfg"]
