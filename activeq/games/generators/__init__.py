"""Registry of game generators: named Python functions that build games from parameters.

Catalog files never execute code. A TOML entry for a large game says ``generator = "<registered name>"`` plus a
``[params]`` table; :func:`activeq.load_game` looks the name up here and calls ``generate(name, **params)``.

Adding a generator::

    from activeq.games.generators import register_generator

    @register_generator("my_family", kind="stochastic")
    def my_family(size: int = 3, discount: float | None = None) -> StochasticGame:
        ...

and import its module at the bottom of this file so it registers when the package is imported.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

from ...errors import CatalogError

KINDS = ("normal_form", "stochastic")


@dataclass(frozen=True)
class Generator:
    """A registered generator: its ``name``, the ``kind`` of game it returns and the function itself."""

    name: str
    kind: str
    func: Callable[..., Any]

    @property
    def parameters(self) -> tuple[str, ...]:
        """Names of the keyword parameters the function accepts."""
        return tuple(p.name for p in inspect.signature(self.func).parameters.values()
                     if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.func) or ""


GENERATORS: dict[str, Generator] = {}


def register_generator(name: str, *, kind: str = "stochastic") -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering ``func`` under ``name``; ``kind`` is ``"normal_form"`` or ``"stochastic"``."""
    if not isinstance(name, str) or not name.isidentifier():
        raise CatalogError(f"generator name must be an identifier-like string, got {name!r}")
    if kind not in KINDS:
        raise CatalogError(f"generator kind must be one of {KINDS}, got {kind!r}")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        existing = GENERATORS.get(name)
        if existing is not None and existing.func is not func and (
                existing.func.__module__, existing.func.__qualname__) != (func.__module__, func.__qualname__):
            raise CatalogError(f"generator {name!r} is already registered by {existing.func.__module__}")
        GENERATORS[name] = Generator(name, kind, func)
        return func

    return decorate


def get_generator(name: str) -> Generator:
    """The registered generator ``name``; unknown names raise :class:`CatalogError` listing close matches."""
    try:
        return GENERATORS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(str(name), list(GENERATORS), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(GENERATORS))}"
        raise CatalogError(f"unknown generator {name!r}{hint}") from None


def generate(name: str, *, max_bytes: int | None = None, **params: Any) -> Any:
    """Build a game with generator ``name``; unknown parameters raise :class:`CatalogError` naming them.

    ``max_bytes`` (default :data:`activeq.limits.MAX_BYTES`) reaches generators that take it: those whose size
    grows with their parameters check their estimate against it before allocating.
    """
    gen = get_generator(name)
    sig = inspect.signature(gen.func)
    accepts_any = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = sorted(set(params) - set(gen.parameters) - {"max_bytes"})
    if "max_bytes" in params or (unknown and not accepts_any):
        bad = ", ".join(unknown or ["max_bytes"])
        raise CatalogError(f"generator {name!r} got unknown parameter(s) {bad}; "
                           f"it accepts {', '.join(p for p in gen.parameters if p != 'max_bytes') or 'none'}")
    if "max_bytes" in gen.parameters:
        params["max_bytes"] = max_bytes
    return gen.func(**params)


# Generator modules register themselves on import (keep these at the bottom).
from . import grid, scalable, zero_sum  # noqa: E402,F401

__all__ = ["Generator", "GENERATORS", "register_generator", "get_generator", "generate", "KINDS"]
