"""The table of equilibrium methods that :func:`activeq.nash.solve` dispatches to.

Each solver module registers its method with :func:`register`; ``solve`` checks applicability (player count,
zero-sum) before calling it, so a wrong method gets an error that lists the methods that do apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..games import NormalFormGame


@dataclass(frozen=True)
class Method:
    name: str
    func: Callable[..., list[Any]]  # func(game, **options) -> list[Equilibrium] or list of strategy profiles
    players: str  # "2" (bimatrix only), "n" (any number), "1+" etc.
    zero_sum_only: bool = False
    complete: bool = False  # returns every (extreme) equilibrium
    summary: str = ""

    def applies_to(self, game: NormalFormGame) -> tuple[bool, str]:
        if self.players == "2" and game.num_players != 2:
            return False, f"needs 2 players, game has {game.num_players}"
        if self.zero_sum_only and not game.is_constant_sum:
            return False, "needs a zero-sum (constant-sum) game"
        return True, ""


METHODS: dict[str, Method] = {}


def register(name: str, *, players: str, zero_sum_only: bool = False, complete: bool = False,
             summary: str = "") -> Callable[[Callable[..., list[Any]]], Callable[..., list[Any]]]:
    """Decorator: add ``func(game, **options)`` to :data:`METHODS` under ``name``.

    ``func`` returns a list of :class:`~activeq.nash.Equilibrium` (its ``info`` is kept) or of bare strategy
    profiles (one probability vector per player); either way ``solve`` recomputes payoffs and certificates.
    """
    def deco(func: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        METHODS[name] = Method(name, func, players, zero_sum_only, complete, summary or (func.__doc__ or "").split("\n")[0])
        return func
    return deco


def applicable(game: NormalFormGame) -> list[str]:
    return [m.name for m in METHODS.values() if m.applies_to(game)[0]]
