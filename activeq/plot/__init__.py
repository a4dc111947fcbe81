"""Matplotlib figures: strategy trajectories, learning/regret curves, mixing-time scaling.

One module per kind of figure (``trajectories``, ``curves``, ``scaling``); each function takes data and an optional
``ax`` and returns the matplotlib ``Figure``, so notebooks show it and scripts save it. Uses the Agg backend when no
display is available.
"""
