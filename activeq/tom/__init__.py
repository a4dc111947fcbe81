"""LLM theory-of-mind probes in repeated games: literal (predicting the partner) vs functional (acting on it) ToM.

An agent (scripted, tabular model-based, or an LLM through a backend and prompt style) plays T rounds of a 2-player
matrix game against a partner automaton; the exact oracle (backward induction over round x partner state) gives the
best response to the partner's actual policy, and :func:`probe` scores functional regret, prediction accuracy,
Delta_ToM, consistency and parse failures (DESIGN.md, "Functional vs literal theory of mind").

Submodules: ``partners``, ``agents``, ``backends``, ``oracle``, ``probe``, ``prompting``, ``results``. Importing this
package is light: backends import httpx/transformers/torch only when used.
"""

from __future__ import annotations

# Eager imports of the light modules: binding the functions here also keeps ``activeq.tom.oracle`` / ``.probe`` the
# functions after their submodules are imported. Backends (httpx, transformers, torch) stay lazy.
from . import agents, partners, prompting, results
from .oracle import OracleResult, oracle
from .probe import play, probe, sweep
from .prompting import STYLES
from .results import ProbeResult, ProbeTable, Trajectory

__all__ = ["oracle", "probe", "sweep", "play", "OracleResult", "ProbeResult", "ProbeTable", "Trajectory", "STYLES",
           "partners", "agents", "backends", "prompting", "results"]


def __getattr__(name: str):
    if name == "backends":
        from importlib import import_module

        mod = import_module(".backends", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
