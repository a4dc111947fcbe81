"""The pytest plugin (registered through the ``pytest11`` entry point: installing activeq is enough).

Fixtures and markers only; the work is :func:`activeq.experiments.run` and :mod:`activeq.experiments.testing`.

- Fixture ``seeded``: ``seeded(trial, seeds=5, **params)`` runs ``trial(seed, **params)`` for every seed in parallel
  (local processes) and returns a :class:`SeedResults`; ``results["regret"]`` is the per-seed array (it keeps its
  seeds, for the assertions' tables). Results are cached in a store under pytest's cache directory, keyed by the
  code version (a hash of activeq's sources, its game catalog and the trial function's module), so re-running an
  unchanged test is instant; ``--activeq-no-cache`` (or ``--cache-clear``) runs afresh.
- Marker ``experiment``: label seeded statistical tests (``pytest -m experiment`` selects them).
- At the end of the session a terminal summary lists each test's experiments (function, params, seeds, computed or
  cached) and the statistical assertions it made, passed or failed.

Options: ``--activeq-store PATH`` (the cache store; default ``.pytest_cache/d/activeq_experiments``),
``--activeq-no-cache``, ``--activeq-workers N`` (default: the cores divided among xdist workers).

Raises AssertionError (failing the test, with the traceback) when a trial fails, and
:class:`activeq.errors.ExperimentError` for a bad trial function or params.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Callable

import pytest

_KEY = "activeq_experiment"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("activeq", "activeq experiments")
    group.addoption("--activeq-store", default=None, help="results store caching the `seeded` fixture's trials")
    group.addoption("--activeq-no-cache", action="store_true", help="run `seeded` trials afresh (a temporary store)")
    group.addoption("--activeq-workers", type=int, default=None,
                    help="processes per `seeded` call (default: cores / xdist workers)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "experiment: a seeded statistical experiment test (activeq)")
    config.pluginmanager.register(_Summary(), "activeq-experiments-summary")


class SeedResults:
    """Per-seed results of one ``seeded`` call: ``res["name"]`` is a per-seed array, ``res.records`` the trials."""

    def __init__(self, results: Any, cached: bool) -> None:
        self.results = results
        self.cached = cached
        self.seeds = tuple(r.seed for r in results)

    @property
    def records(self) -> tuple:
        return self.results.records

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, name: str):
        from .testing import SeedValues

        return SeedValues(self.results.values(name), self.seeds)

    def table(self) -> str:
        return self.results.table()

    def __repr__(self) -> str:
        return f"SeedResults({len(self)} seeds, {'cached' if self.cached else 'computed'})"


def _workers(config: pytest.Config) -> int:
    if config.getoption("activeq_workers"):
        return int(config.getoption("activeq_workers"))
    from .executors.local import default_workers

    share = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    return max(1, default_workers() // max(1, share))


def _store_path(config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> str:
    if config.getoption("activeq_no_cache"):
        return str(tmp_path_factory.mktemp("activeq_store"))
    if config.getoption("activeq_store"):
        return config.getoption("activeq_store")
    cache = getattr(config, "cache", None)
    if cache is None:   # cacheprovider disabled: nothing outlives the session
        return tempfile.mkdtemp(prefix="activeq_store")
    return str(cache.mkdir("activeq_experiments"))


@pytest.fixture
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., SeedResults]:
    """``seeded(trial, seeds=5, *, workers=None, retries=0, **params) -> SeedResults``: run ``trial`` over the seeds
    (a count or a list) in parallel, cached by code version; a failing trial fails the test with its traceback."""
    from . import testing
    from .spec import Experiment, _function_path, params_hash
    from .store import Store
    from .sweep import run
    from .trial import code_version

    config = request.config
    store = Store(_store_path(config, tmp_path_factory))
    first_check = len(testing.CHECKS)
    calls: list[dict[str, Any]] = []

    def runner(trial: Any, seeds: int | list[int] = 5, *, workers: int | None = None, retries: int = 0,
               **params: Any) -> SeedResults:
        path = _function_path(trial)
        version = code_version(path)
        probe = Experiment("probe", path, seeds=seeds, params=params, retries=retries)
        # one experiment per (function, params, code version): xdist workers lock only what they share
        name = f"pytest.{path.replace(':', '.')}"[:160] + f".{params_hash(probe.params)[:8]}@{version[:12]}"
        spec = Experiment(name, path, seeds=seeds, params=params, retries=retries)
        res = run(spec, store, workers=workers or _workers(config), progress=False, lock_wait=3600.0)
        failed = [r for r in res if r.status != "done"]
        cached = res.report.ran == 0
        calls.append({"function": path, "params": params, "seeds": len(res), "cached": cached,
                      "seconds": round(res.report.seconds, 3), "failed": len(failed)})
        if failed:
            r = failed[0]
            raise AssertionError(f"{len(failed)} of {len(res)} trials of {path} failed; seed {r.seed} "
                                 f"params {r.params}:\n{r.error}")
        return SeedResults(res, cached)

    yield runner
    store.close()
    checks = testing.CHECKS[first_check:]
    request.node.user_properties.append((_KEY, json.dumps({"calls": calls, "checks": checks})))


class _Summary:
    """Collects the experiments of each test (from its teardown report, so xdist workers' arrive too) and prints
    them at the end of the session."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "teardown":
            return
        for key, value in report.user_properties:
            if key == _KEY:
                self.entries.append((report.nodeid, json.loads(value)))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.entries:
            return
        tr = terminalreporter
        tr.write_sep("=", "activeq experiments")
        for nodeid, entry in self.entries:
            tr.write_line(nodeid)
            for c in entry["calls"]:
                params = ", ".join(f"{k}={v}" for k, v in c["params"].items())
                state = "cached" if c["cached"] else f"computed in {c['seconds']:.1f} s"
                fail = f", {c['failed']} FAILED" if c["failed"] else ""
                tr.write_line(f"  {c['function']}({params}) x {c['seeds']} seeds: {state}{fail}")
            for ch in entry["checks"]:
                tr.write_line(f"  {'PASS' if ch['passed'] else 'FAIL'} {ch['check']}: {ch['summary']}")
