"""Fuzz activeq.experiments: specs, spec files, the results store and its readers, and the statistical assertions.

The assertions' contract differs from the solvers' in one way: a check that does not hold raises ``AssertionError``
by design (it is what fails a test), so here a verdict either way counts as a result; only a raw error, or an
activeq error that names no argument, fails.
"""

import functools
import tempfile
from pathlib import Path
from typing import Any, Callable

from activeq import experiments
from activeq.experiments import testing

from ._harness import Entry, fuzz_test

TRIAL = "activeq.experiments.examples:noop"


def _verdict(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def call(**kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except AssertionError:
            return None  # the check ran and did not hold: a result, not a crash

    return call


def _spec_file() -> str:
    path = Path(tempfile.mkdtemp(prefix="fuzz-exp-")) / "spec.toml"
    path.write_text(f'name = "spec"\nfunction = "{TRIAL}"\nseeds = 2\n')
    return str(path)


def _store() -> experiments.Store:
    st = experiments.Store(Path(tempfile.mkdtemp(prefix="fuzz-exp-")) / "store")
    return st


ENTRIES = [
    Entry("Experiment", experiments.Experiment,
          lambda: {"name": "fz", "function": "activeq.experiments.examples:bandit", "seeds": 2,
                   "params": {"steps": 10}, "grid": {"epsilon": [0.0, 0.1]}, "zip": None, "random": None,
                   "retries": 1, "num_cpus": 1.0, "description": "", "keep_checkpoints": False, "max_trials": 100}),
    Entry("Experiment(zip)", experiments.Experiment,
          lambda: {"name": "fz", "function": TRIAL, "seeds": [0, 5], "zip": {"a": [1, 2], "b": [3, 4]}}),
    Entry("Experiment(random)", experiments.Experiment,
          lambda: {"name": "fz", "function": TRIAL, "seeds": 1,
                   "random": {"samples": 3, "seed": 0, "params": {"epsilon": {"uniform": [0.0, 0.5]}}}}),
    Entry("load_spec", experiments.load_spec, lambda: {"path": _spec_file(), "max_trials": 10},
          aliases={"path": ("spec",)}),  # "spec <file>: ..." names the file given as path
    Entry("Store", experiments.Store, lambda: {"path": Path(tempfile.mkdtemp(prefix="fuzz-exp-")) / "s",
                                               "create": True, "timeout": 5.0},
          aliases={"path": ("store",)}),  # "no results store at <path>" names the directory given as path
    Entry("status", experiments.status, lambda: {"store": _store()}),
    Entry("results", experiments.results, lambda: {"store": _store(), "experiment": "fz", "status": "done"}),
    Entry("run", experiments.run,
          lambda: {"experiment": experiments.Experiment("fz", TRIAL, seeds=2), "store": _store(), "executor": "local",
                   "workers": 1, "address": None, "progress": False, "rerun_failed": True, "lock_wait": 0.0},
          aliases={"experiment": ("spec",), "store": ("path",)}),
    Entry("trial_key", experiments.trial_key, lambda: {"name": "fz", "params": {"a": 1}, "seed": 0}),
    Entry("assert_mean_at_least", _verdict(testing.assert_mean_at_least),
          lambda: {"values": [1.0, 2.0, 3.0, 2.5], "bound": 0.5, "confidence": 0.95, "method": "t", "name": "v",
                   "resamples": 200, "seed": 0}),
    Entry("assert_better", _verdict(testing.assert_better),
          lambda: {"a": [2.0, 3.0, 2.5], "b": [1.0, 1.5, 1.0], "paired": True, "confidence": 0.9,
                   "larger_is_better": True, "margin": 0.0, "method": "bootstrap", "names": ("a", "b"),
                   "resamples": 200, "seed": 0}),
    Entry("assert_fraction_at_least", _verdict(testing.assert_fraction_at_least),
          lambda: {"values": [0.9, 0.95, 0.2, 0.99], "threshold": 0.5, "k": 3, "n": 4, "below": False,
                   "name": "v"}),
]

test_experiments_entry_points_fail_clearly = fuzz_test(ENTRIES, examples=25)
