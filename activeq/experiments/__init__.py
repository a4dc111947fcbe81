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
:mod:`~activeq.experiments.results` (records, tables, ``to_frame``), :mod:`~activeq.experiments.testing`
(statistical assertions) and :mod:`~activeq.experiments.pytest_plugin`.
"""

from .results import Results, RunReport, TrialRecord
from .spec import Experiment, Trial, load_spec, trial_key
from .store import Store
from .sweep import results, run, status
from .trial import TrialContext

__all__ = ["Experiment", "Trial", "load_spec", "trial_key", "Store", "run", "status", "results", "Results",
           "RunReport", "TrialRecord", "TrialContext"]
