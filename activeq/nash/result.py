"""What :func:`activeq.nash.solve` returns: the certified equilibria, kept apart from any uncertified approximations.

:class:`SolveResult` is a read-only sequence of :class:`~activeq.nash.Equilibrium` (index it, iterate it, take its
``len``), so ``solve(game)[0]`` is the first equilibrium. Beside the sequence it records the method, the certificate
tolerance, whether the method lists every (extreme) equilibrium, and ``approximations``: profiles the method reached
that failed the certificate. Those are never part of the sequence.

:func:`to_frame` turns equilibria and approximations into a pandas ``DataFrame`` (pandas is optional: install it to
use this; everything else works without it). Raises :class:`~activeq.errors.ArgumentError` when pandas is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..errors import ArgumentError
from .equilibrium import Approximation, Equilibrium


@dataclass(frozen=True, eq=False)
class SolveResult(Sequence):
    """Certified equilibria of one game from one method, as a sequence, with what was left out beside it.

    ``equilibria``: the certified profiles, deduplicated and sorted (the sequence itself). ``method``: the method that
    ran (``"auto"`` resolved). ``tol``: the certificate: each equilibrium's max regret is at most ``tol`` x
    ``max(1, payoff range)``. ``complete``: the method lists every extreme equilibrium (``"vertex"``, ``"pure"``'s
    pure ones, ``"support"`` on nondegenerate games) and all were asked for. ``approximations``: profiles the method
    returned that failed the certificate (labelled, ``converged=False``). ``players``/``actions``: names, for tables.
    ``info``: method-level extras (e.g. ``path_complete`` of a path follower).
    """

    equilibria: tuple[Equilibrium, ...]
    method: str
    tol: float
    complete: bool = False
    approximations: tuple[Approximation, ...] = ()
    players: tuple[str, ...] = ()
    actions: tuple[tuple[str, ...], ...] = ()
    info: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, index):  # type: ignore[override]
        return self.equilibria[index]

    def __len__(self) -> int:
        return len(self.equilibria)

    def __add__(self, other: Any) -> list:
        """``result + other``: a plain list of both sides' items (e.g. equilibria from two methods)."""
        return list(self.equilibria) + list(other)

    def __radd__(self, other: Any) -> list:
        return list(other) + list(self.equilibria)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "tol": float(self.tol), "complete": bool(self.complete),
                "equilibria": [e.to_dict() for e in self.equilibria],
                "approximations": [a.to_dict() for a in self.approximations]}

    def to_frame(self, approximations: bool = True):
        """One row per equilibrium (then per approximation, labelled, unless ``approximations=False``)."""
        items = list(self.equilibria) + (list(self.approximations) if approximations else [])
        return to_frame(items, players=self.players, actions=self.actions)

    def __repr__(self) -> str:
        n = len(self.equilibria)
        head = (f"SolveResult(method={self.method!r}, {n} equilibri{'um' if n == 1 else 'a'} certified to "
                f"tol={self.tol:g} x payoff scale{', complete' if self.complete else ''}"
                + (f", {len(self.approximations)} uncertified approximation(s) kept apart" if self.approximations
                   else "") + ")")
        return "\n".join([head] + [f"  {e!r}" for e in self.equilibria])


def to_frame(items: Iterable[Equilibrium | Approximation], players: Sequence[str] = (),
             actions: Sequence[Sequence[str]] = ()):
    """A pandas DataFrame with one row per :class:`Equilibrium` or :class:`Approximation`.

    Parameters
    ----------
    items : iterable of Equilibrium or Approximation
        e.g. a :class:`SolveResult`, a list of equilibria, or approximations.
    players : sequence of str, optional
        Player names for the column labels (default ``player0``, ``player1``, ...).
    actions : sequence of sequence of str, optional
        Action names per player (default ``a0``, ``a1``, ...).

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``"equilibrium"`` or ``"approximation"``), ``method``, ``converged``, ``max_regret``,
        ``tol``, ``payoff[<player>]`` per player, then ``<player>:<action>`` with each action's probability.
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas ships with the test extra
        raise ArgumentError("to_frame needs pandas (an optional dependency): pip install pandas") from None
    items = list(items)
    for k, it in enumerate(items):
        if not isinstance(it, (Equilibrium, Approximation)):
            raise ArgumentError(f"items[{k}] must be an Equilibrium or Approximation, got {type(it).__name__}")
    rows = []
    for it in items:
        names = list(players) or [f"player{i}" for i in range(len(it.strategies))]
        row: dict[str, Any] = {"kind": "equilibrium" if isinstance(it, Equilibrium) else "approximation",
                               "method": it.method, "converged": bool(it.converged),
                               "max_regret": float(it.max_regret), "tol": float(it.tol)}
        for p, v in zip(names, it.payoffs):
            row[f"payoff[{p}]"] = float(v)
        for i, (p, s) in enumerate(zip(names, it.strategies)):
            acts = list(actions[i]) if i < len(actions) else [f"a{a}" for a in range(len(s))]
            for a, prob in zip(acts, s):
                row[f"{p}:{a}"] = float(prob)
        rows.append(row)
    return pd.DataFrame(rows)
