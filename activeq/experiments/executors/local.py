"""The local executor: a process pool on this machine (one worker per core by default), no server needed.

Workers die with their parent. Each worker asks the Linux kernel for SIGKILL when its parent dies
(``prctl(PR_SET_PDEATHSIG)``; elsewhere a watchdog thread polls the parent's pid), so a driver killed with
``kill -9`` leaves no orphans to race a restarted sweep. Workers ignore SIGINT: Ctrl-C reaches the driver, which
stops them and hands their trials back to the store as pending.

A worker that dies while running a trial (a segfault, the OOM killer) fails that attempt and every other trial in
flight (the pool cannot tell which one killed it); the pool is restarted and the driver retries them.

Raises :class:`activeq.errors.ExperimentError` for a bad ``workers`` or ``start_method``.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from concurrent.futures.process import BrokenProcessPool

from ..._checks import show
from ...errors import ExperimentError
from ..spec import Experiment
from ..trial import Outcome, TrialPayload, execute, provenance
from . import Executor

_PR_SET_PDEATHSIG = 1


MAX_WORKERS = 1024
"""Largest local pool accepted (a process each)."""


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: die when the driver dies, and leave SIGINT to the driver."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (OSError, AttributeError):  # pragma: no cover - no libc symbol
            armed = False
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(1)
    if not armed:  # pragma: no cover - non-Linux
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - non-Linux
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGKILL)


class LocalExecutor(Executor):
    """A process pool of ``workers`` processes (default: one per core).

    Parameters
    ----------
    workers : int, optional
        Pool size; default :func:`default_workers`.
    start_method : str, optional
        ``"fork"`` (default on Linux: workers start in milliseconds with the trial function already imported),
        ``"forkserver"`` or ``"spawn"`` (default elsewhere).
    """

    name = "local"

    def __init__(self, workers: int | None = None, *, start_method: str | None = None) -> None:
        if workers is None:
            workers = default_workers()
        if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
            raise ExperimentError(f"workers must be an integer in [1, {MAX_WORKERS}], got {show(workers)}")
        methods = multiprocessing.get_all_start_methods()
        if start_method is None:
            start_method = "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"
        if start_method not in methods:
            raise ExperimentError(f"start_method must be one of {methods}; got {start_method!r}")
        self.workers = workers
        self.start_method = start_method
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, TrialPayload] = {}

    @property
    def capacity(self) -> int:
        return 4 * self.workers   # queued work per worker hides the pool's round trip on short trials

    @property
    def in_flight(self) -> int:
        return len(self._futures)

    def describe(self) -> str:
        return f"local, {self.workers} worker{'s' if self.workers > 1 else ''}"

    def start(self, experiment: Experiment) -> None:
        if self._pool is None:
            provenance()  # computed once here, so forked workers inherit it instead of each asking git
            ctx = multiprocessing.get_context(self.start_method)
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_die_with_parent,
                                             initargs=(os.getpid(),))

    def submit(self, payload: TrialPayload) -> None:
        if self._pool is None:
            raise ExperimentError("the local executor was not started")
        self._futures[self._pool.submit(execute, payload)] = payload

    def wait(self) -> list[Outcome]:
        if not self._futures:
            return []
        done, _ = wait_futures(list(self._futures), return_when=FIRST_COMPLETED)
        outcomes, broken = [], False
        for fut in done:
            payload = self._futures.pop(fut)
            try:
                outcomes.append(fut.result())
            except BrokenProcessPool as exc:
                broken = True
                outcomes.append(_lost(payload, f"a worker process died while this trial was in flight ({exc})"))
            except Exception as exc:  # e.g. params that cannot be pickled to the worker
                outcomes.append(_lost(payload, f"the trial could not be sent to a worker: {type(exc).__name__}: "
                                               f"{exc}", retryable=False))
        if broken:   # every other trial in flight is lost with the pool: report them and start a new pool
            for payload in self._futures.values():
                outcomes.append(_lost(payload, "a worker process died while this trial was in flight"))
            self._futures.clear()
            self._kill()
            self.start(None)  # type: ignore[arg-type]
        return outcomes

    def close(self, cancel: bool = False) -> None:
        if self._pool is None:
            return
        if cancel:
            self._kill()
        else:
            self._pool.shutdown(wait=True)
        self._pool = None
        self._futures.clear()

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        procs = list(getattr(pool, "_processes", {}).values())
        for p in procs:
            if p.is_alive():
                p.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.join(timeout=5)


def _lost(payload: TrialPayload, message: str, retryable: bool = True) -> Outcome:
    host, version, commit = provenance()
    now = time.time()
    return Outcome(payload.key, payload.attempt, False, None, message, retryable, now, now, host, 0, version, commit)
