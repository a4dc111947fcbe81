"""The front door: ``solve(game, method="auto", **options) -> list[Equilibrium]``."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..errors import SolverError
from ..games import NormalFormGame, StochasticGame
from .equilibrium import Equilibrium, certify, deduplicate
from .registry import METHODS, Method, applicable

#: "auto" enumerates all extreme equilibria of 2-player games up to this many actions for the smaller player;
#: beyond it, Lemke-Howson (one path, or every label with ``all=True``).
AUTO_VERTEX_MAX = 12


def solve(game: NormalFormGame | Any, method: str = "auto", *, all: bool = True, **options: Any) -> list[Equilibrium]:
    """Nash equilibria of ``game``, certified, deduplicated and sorted deterministically.

    ``method``: a name from :data:`activeq.nash.METHODS` or ``"auto"``, which picks, for 2 players, ``"vertex"``
    (every extreme equilibrium, exact on degenerate games) when the smaller player has at most
    ``AUTO_VERTEX_MAX`` actions, else ``"lp"`` for constant-sum games and ``"lemke-howson"`` otherwise;
    for more players ``"logit"`` when available, else ``"pure"``.
    ``all``: return every equilibrium the method finds (True) or only the first in sorted order (False); for
    ``"lemke-howson"`` it also means "follow every label" unless ``label`` is given.
    Other ``options`` go to the method (e.g. ``tol``, ``label``); unknown ones raise :class:`SolverError`.

    Each returned :class:`Equilibrium` has its payoffs and ``max_regret`` recomputed from the game here, so the
    certificate never depends on the solver's own bookkeeping.
    """
    game = _as_game(game)
    if not isinstance(all, (bool, np.bool_)):
        raise SolverError(f"all must be True or False, got {all!r}")
    name = _choose(game, method, bool(all))
    m = METHODS[name]
    ok, reason = m.applies_to(game)
    if not ok:
        raise SolverError(f"method {name!r} does not apply: it {reason}. Methods that apply: "
                          f"{', '.join(applicable(game))}")
    if name == "lemke-howson" and all and "label" not in options:
        options.setdefault("all_labels", True)
    _check_options(m, options)
    found = [eq if isinstance(eq, Equilibrium) else Equilibrium(tuple(eq), np.empty(0), np.nan, name)
             for eq in m.func(game, **options)]
    certified = []
    for meth in dict.fromkeys(eq.method or name for eq in found):  # (re-)certify, grouped by reporting method
        group = [eq for eq in found if (eq.method or name) == meth]
        certified += certify(game, [eq.strategies for eq in group], meth, [eq.info for eq in group])
    result = deduplicate(certified)
    return result if all else result[:1]


def _as_game(game: Any) -> NormalFormGame:
    if isinstance(game, NormalFormGame):
        return game
    if isinstance(game, StochasticGame):
        raise SolverError("game is a StochasticGame; solve() handles normal-form games. Use "
                          "activeq.nash.stochastic (shapley, stationary) for stochastic games")
    if not isinstance(game, (np.ndarray, list, tuple)):
        raise SolverError(f"game must be a NormalFormGame or a payoff tensor (n_players, *n_actions), "
                          f"got {type(game).__name__}")
    return NormalFormGame(game)


def _choose(game: NormalFormGame, method: Any, all: bool) -> str:
    if not isinstance(method, str):
        raise SolverError(f"method must be a string, got {type(method).__name__}")
    if method == "auto":
        if game.num_players == 2:
            small = min(game.num_actions)
            if small <= AUTO_VERTEX_MAX and (all or not game.is_constant_sum):
                return "vertex"
            return "lp" if game.is_constant_sum else "lemke-howson"
        return "logit" if "logit" in METHODS else "pure"
    if method not in METHODS:
        raise SolverError(f"unknown method {method!r}. Methods that apply to this game: "
                          f"{', '.join(applicable(game))} (or 'auto'); all methods: {', '.join(sorted(METHODS))}")
    return method


def _check_options(m: Method, options: dict[str, Any]) -> None:
    if not options:
        return
    params = inspect.signature(m.func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    allowed = [p for p in list(params)[1:]]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise SolverError(f"method {m.name!r} does not take option(s) {', '.join(unknown)}; "
                          f"it takes: {', '.join(allowed) or 'no options'}")

