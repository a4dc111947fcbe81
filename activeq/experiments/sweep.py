"""``run``: expand an experiment into trials, skip the stored ones, execute the rest, commit each as it ends.

The driver (this module) is the store's only writer. It validates the spec (imports the trial function, checks
every parameter point against its signature) and the executor's options before touching the store, then takes the
experiment's lock, registers the trials, and keeps the executor's capacity filled. A trial that raises is run again
up to ``experiment.retries`` times, then recorded as ``failed`` with its traceback; the sweep goes on. A failure the
trial cannot fix by running again (a result that is not JSON) is recorded at once.

Resume is re-running the same spec: ``done`` trials are skipped, trials left ``running`` by a driver that died are
run again, ``failed`` ones too (unless ``rerun_failed=False``). Ctrl-C stops the workers and returns the trials in
flight to ``pending``.

Raises :class:`activeq.errors.ExperimentError` for a bad spec, executor, or store (see those modules); nothing
already stored is changed by a call that raises before running.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import deque
from typing import Any

from tqdm import tqdm  # the plain bar: tqdm.auto warns in Jupyter without ipywidgets

from .._checks import check_bool, check_in_range
from .executors import Executor, make_executor
from .records import Results, RunReport
from .spec import Experiment, load_spec
from .store import Store
from .trial import TrialPayload


def run(experiment: Experiment | str | os.PathLike[str], store: Store | str | os.PathLike[str], *,
        executor: str | Executor = "local", workers: int | None = None, address: str | None = None,
        progress: bool = True, rerun_failed: bool = True, lock_wait: float = 0.0,
        **executor_options: Any) -> Results:
    """Run every trial of ``experiment`` not yet stored in ``store``; return all its trials' records.

    Parameters
    ----------
    experiment : Experiment or path
        The spec, or a TOML file holding it.
    store : Store or path
        The results store (a directory; created if missing).
    executor : {"local", "ray"} or Executor
        Where trials run.
    workers : int, optional
        Local: processes (default one per core). Ray: CPUs of a local Ray started for this run.
    address : str, optional
        Ray: address of an existing cluster.
    progress : bool
        Show one tqdm bar over the trials.
    rerun_failed : bool
        Run trials stored as failed again (default True).
    lock_wait : float
        Seconds to wait for another driver running the same experiment in this store (default: refuse at once).
    **executor_options
        Passed to the executor (e.g. ``start_method`` for local, ``checkpoint_root`` for Ray).

    Returns
    -------
    Results
        One record per trial of the spec, in spec order; ``results.report`` says what this call did.
    """
    t0 = time.perf_counter()
    progress = check_bool(progress, "progress")
    rerun_failed = check_bool(rerun_failed, "rerun_failed")
    lock_wait = check_in_range(lock_wait, "lock_wait", 0.0)
    if not isinstance(experiment, Experiment):
        experiment = load_spec(experiment)
    experiment.resolve()
    trials = experiment.trials()
    exe = make_executor(executor, workers=workers, address=address, **executor_options)
    own_store = not isinstance(store, Store)
    st = Store(store) if own_store else store
    try:
        with st.lock(experiment.name, wait=lock_wait):
            statuses, interrupted = st.register(experiment, trials)
            already = sum(s == "done" for s in statuses.values())
            todo = [t for t in trials if statuses[t.key] == "pending" or statuses[t.key] == "running"
                    or (rerun_failed and statuses[t.key] == "failed")]
            done = failed = 0
            planned = time.perf_counter() - t0
            if todo:
                done, failed = _drive(exe, st, experiment, todo, already, len(trials), progress)
        results = st.results(keys=[t.key for t in trials])
    finally:
        if own_store:
            st.close()
    report = RunReport(experiment.name, str(st.root), exe.describe(), len(trials), already, done + failed,
                       sum(r.status == "done" for r in results), sum(r.status == "failed" for r in results),
                       interrupted, time.perf_counter() - t0, planned)
    return Results(results.records, report)


def _drive(exe: Executor, st: Store, experiment: Experiment, todo: list, already: int, total: int,
           progress: bool) -> tuple[int, int]:
    root = os.fspath(exe.checkpoint_root() or st.checkpoint_dir(""))
    queue = deque(todo)            # trials, or payloads of retries (made when submitted: nothing to do up front)
    flying: dict[str, TrialPayload] = {}
    done = failed = 0
    bar = tqdm(total=total, initial=already, desc=experiment.name, unit="trial", disable=not progress,
               dynamic_ncols=True)
    exe.start(experiment)
    ok = False
    try:
        while queue or flying:
            batch = []
            while queue and len(flying) < exe.capacity:
                p = queue.popleft()
                if not isinstance(p, TrialPayload):
                    p = TrialPayload(p.key, p.function, dict(p.params), p.seed, 0, os.path.join(root, p.key))
                flying[p.key] = p
                batch.append(p)
            if batch:
                st.mark_running([p.key for p in batch if p.attempt == 0])
                for p in batch:
                    exe.submit(p)
            for out in exe.wait():
                payload = flying.pop(out.key)
                if not out.ok and out.retryable and payload.attempt < experiment.retries:
                    st.record_attempt(out.key, out.error or "")
                    queue.appendleft(TrialPayload(payload.key, payload.function, payload.params, payload.seed,
                                                  payload.attempt + 1, payload.checkpoint_dir))
                    continue
                st.commit(out)
                if out.ok:
                    done += 1
                    if not experiment.keep_checkpoints and payload.checkpoint_dir:
                        _remove_tree(payload.checkpoint_dir)
                else:
                    failed += 1
                    bar.set_postfix(failed=failed)
                bar.update()
        ok = True
    finally:
        bar.close()
        exe.close(cancel=not ok)
        if flying:
            st.release(list(flying))
    return done, failed


def _remove_tree(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)


def status(store: Store | str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Per experiment in ``store``: trial counts by status (see :meth:`Store.status`)."""
    if isinstance(store, Store):
        return store.status()
    with Store(store, create=False) as st:
        return st.status()


def results(store: Store | str | os.PathLike[str], experiment: str | None = None, *,
            status: str | None = None) -> Results:
    """The stored trials of ``experiment`` (all experiments if None), optionally only those with ``status``."""
    if isinstance(store, Store):
        return store.results(experiment, status=status)
    with Store(store, create=False) as st:
        return st.results(experiment, status=status)


__all__ = ["run", "status", "results"]
