"""The table of equilibrium methods that :func:`activeq.nash.solve` dispatches to, and its documentation.

Each solver module registers its method with :func:`register`; ``solve`` checks applicability (player count,
zero-sum) before calling it, so a wrong method gets an error that lists the methods that do apply. A method's
options are its function's keyword parameters; :func:`describe` renders every method with its options (defaults
from the signature, one-line descriptions from the numpydoc ``Parameters`` section), which is what
``help(activeq.nash.solve)`` shows.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any, Callable

from .._checks import check_bool
from ..games import NormalFormGame


@dataclass(frozen=True)
class Method:
    """A registered method: ``func(game, **options)``, who it applies to, and what kind of answer it gives.

    ``dynamics``: a learning dynamic whose end point is an approximation; ``solve`` returns it only when it meets
    the certificate (else :class:`~activeq.errors.NotConvergedError`), :func:`activeq.nash.approximate` always.
    """

    name: str
    func: Callable[..., list[Any]]  # func(game, **options) -> list of Equilibrium / Approximation / strategy profiles
    players: str  # "2" (bimatrix only) or "n" (any number)
    zero_sum_only: bool = False
    complete: bool = False  # returns every (extreme) equilibrium
    summary: str = ""
    dynamics: bool = False

    def applies_to(self, game: NormalFormGame) -> tuple[bool, str]:
        if self.players == "2" and game.num_players != 2:
            return False, f"needs 2 players, game has {game.num_players}"
        if self.zero_sum_only and not game.is_constant_sum:
            return False, "needs a zero-sum (constant-sum) game"
        return True, ""

    def options(self) -> dict[str, inspect.Parameter]:
        """The method's options: every parameter after ``game``, by name."""
        return dict(list(inspect.signature(self.func).parameters.items())[1:])

    def default(self, option: str, fallback: Any = None) -> Any:
        p = self.options().get(option)
        return fallback if p is None or p.default is inspect.Parameter.empty else p.default


METHODS: dict[str, Method] = {}


#: A method's on/off option as a bool: only ``True``/``False`` (numpy bools too), never truthy strings.
check_flag = check_bool


def register(name: str, *, players: str, zero_sum_only: bool = False, complete: bool = False,
             summary: str = "", dynamics: bool = False) -> Callable[[Callable[..., list[Any]]], Callable[..., list[Any]]]:
    """Decorator: add ``func(game, **options)`` to :data:`METHODS` under ``name``.

    ``func`` returns a list of :class:`~activeq.nash.Equilibrium` (its ``info`` is kept), of
    :class:`~activeq.nash.Approximation` (dynamics) or of bare strategy profiles (one probability vector per player);
    either way ``solve`` recomputes payoffs and certificates.
    """
    def deco(func: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
        METHODS[name] = Method(name, func, players, zero_sum_only, complete,
                               summary or (func.__doc__ or "").split("\n")[0], dynamics)
        return func
    return deco


def applicable(game: NormalFormGame) -> list[str]:
    """Names of the registered methods that apply to ``game`` (player count, zero-sum)."""
    return [m.name for m in METHODS.values() if m.applies_to(game)[0]]


def _parameter_docs(func: Callable[..., Any]) -> dict[str, str]:
    """First sentence of each entry of a numpydoc ``Parameters`` section (empty when there is none)."""
    doc = inspect.getdoc(func) or ""
    match = re.search(r"^Parameters\n-+\n(.*?)(?:\n\n[A-Z][A-Za-z ]+\n-+\n|\Z)", doc, re.S | re.M)
    if not match:
        return {}
    out: dict[str, str] = {}
    name = None
    for line in match.group(1).splitlines():
        head = re.match(r"^(\w+)\s*(?::.*)?$", line)
        if head and not line.startswith(" "):
            name = head.group(1)
            out[name] = ""
        elif name and line.strip():
            out[name] = (out[name] + " " + line.strip()).strip()
    return {k: v.split(". ")[0].rstrip(".") for k, v in out.items()}


def describe() -> str:
    """Every registered method with its players, kind and options (defaults and one line each), as reStructuredText."""
    lines = []
    order = sorted(METHODS.values(), key=lambda m: (m.dynamics, m.players != "2"))  # stable: registration order
    for m in order:
        kind = ["2 players" if m.players == "2" else "any number of players"]
        if m.zero_sum_only:
            kind.append("zero-sum only")
        if m.complete:
            kind.append("lists every (extreme) equilibrium")
        if m.dynamics:
            kind.append("learning dynamics: certified to tol or NotConvergedError; see approximate()")
        lines += [f'``"{m.name}"`` ({"; ".join(kind)})', f"    {m.summary[:1].upper() + m.summary[1:]}.", ""]
        docs = _parameter_docs(m.func)
        opts = m.options()
        if not opts:
            lines += ["    No options.", ""]
        for opt, p in opts.items():
            default = "" if p.default is inspect.Parameter.empty else f" (default ``{p.default!r}``)"
            text = docs.get(opt, "")
            lines.append(f"    - ``{opt}``{default}{': ' + text if text else ''}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
