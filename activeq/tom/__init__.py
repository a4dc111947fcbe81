"""LLM theory-of-mind probes in repeated games: literal (predicting the partner) vs functional (acting on it) ToM.

An agent (scripted, tabular model-based, or an LLM through a backend and prompt style) plays T rounds of a 2-player
matrix game against a partner automaton; the exact oracle (backward induction over round x partner state) gives the
best response to the partner's actual policy, and :func:`probe` scores functional regret, prediction accuracy,
Delta_ToM, consistency and parse failures (DESIGN.md, "Functional vs literal theory of mind").

Submodules: ``partners``, ``agents``, ``backends``, ``oracle``, ``probe``, ``prompting``, ``results``. Importing this
package is light: backends import httpx/transformers/torch only when used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {"oracle": ("oracle", "oracle"), "OracleResult": ("oracle", "OracleResult"),
         "probe": ("probe", "probe"), "sweep": ("probe", "sweep"), "play": ("probe", "play"),
         "ProbeResult": ("results", "ProbeResult"), "ProbeTable": ("results", "ProbeTable"),
         "Trajectory": ("results", "Trajectory"), "STYLES": ("prompting", "STYLES")}

__all__ = ["oracle", "probe", "sweep", "play", "OracleResult", "ProbeResult", "ProbeTable", "Trajectory", "STYLES",
           "partners", "agents", "backends"]


def __getattr__(name: str) -> Any:
    if name in ("partners", "agents", "backends", "prompting", "results"):
        mod = import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    hit = _LAZY.get(name)
    if hit is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{hit[0]}", __name__), hit[1])
    globals()[name] = value
    return value
