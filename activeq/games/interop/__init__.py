"""Converters between activeq games and peer libraries: nashpy, OpenSpiel (``pyspiel``) and Gambit ``.nfg`` files.

Peer libraries are imported inside the functions, so ``import activeq`` stays fast and a missing optional library
only matters when its converter is called. The ``.nfg`` reader/writer is pure text and needs no pygambit.
"""

from .gambit import read_nfg, to_nfg, write_nfg
from .nashpy import from_nashpy, to_nashpy
from .pyspiel import from_pyspiel, to_pyspiel

__all__ = ["to_nashpy", "from_nashpy", "to_pyspiel", "from_pyspiel", "read_nfg", "write_nfg", "to_nfg"]
