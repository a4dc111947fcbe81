"""Experiments at scale: declarative sweeps, local and Ray executors, a crash-safe results store, and seeded
statistical assertions for pytest.

Sits above every other subpackage (``games`` <- ``nash``/``avgreward`` <- ``active`` <- ``realtime``/``tom`` <-
``experiments`` <- ``cli``): trial functions live in their own modules and never import this one.

Example::

    from activeq import experiments

    spec = experiments.Experiment("bandit", "activeq.experiments.examples:bandit", seeds=8,
                                  params={"steps": 500}, grid={"epsilon": [0.0, 0.1]})
    res = experiments.run(spec, store="results/store", workers=2)      # resumes if run again
    res.to_frame()                                                        # pandas, one row per trial

Modules: :mod:`~activeq.experiments.spec` (specs, sweeps, trial keys), :mod:`~activeq.experiments.store` (SQLite
results store), :mod:`~activeq.experiments.executors` (local processes, Ray), :mod:`~activeq.experiments.sweep`
(``run``), :mod:`~activeq.experiments.trial` (what a worker runs; ``TrialContext``),
:mod:`~activeq.experiments.records` (records, tables, ``to_frame``), :mod:`~activeq.experiments.testing`
(statistical assertions) and :mod:`~activeq.experiments.pytest_plugin`.
"""

import importlib
from typing import Any

_EXPORTS = {"Experiment": "spec", "Trial": "spec", "load_spec": "spec", "trial_key": "spec", "Store": "store",
            "run": "sweep", "status": "sweep", "results": "sweep", "Results": "records", "RunReport": "records",
            "TrialRecord": "records", "TrialContext": "trial"}


def __getattr__(name: str) -> Any:   # imported on first use: the pytest plugin loads this package in every session
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = list(_EXPORTS)
