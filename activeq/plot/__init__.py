"""Matplotlib figures: strategy trajectories, learning/regret curves, mixing-time scaling, best-response regions,
strategy simplices and QRE paths.

One module per kind of figure (``trajectories``, ``curves``, ``scaling``, ``regions``, ``simplex``, ``qre``); each
function takes data and an optional ``ax`` and returns what it drew on (the matplotlib ``Figure`` for the curve and
scaling figures, the ``Axes`` for the game pictures), so notebooks show it and scripts save it. Uses the Agg backend
when no display is available. The game pictures are re-exported here:
:func:`best_response_regions`, :func:`plot_simplex_trajectories`, :func:`plot_qre_path`.
"""

from .qre import plot_qre_path
from .regions import best_response_regions
from .simplex import plot_simplex_trajectories, simplex_axes, to_cartesian

__all__ = ["best_response_regions", "plot_simplex_trajectories", "simplex_axes", "to_cartesian", "plot_qre_path"]
