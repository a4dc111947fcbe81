"""The Ray executor: each trial is a Ray task, on a local Ray started for the sweep or on a cluster at ``address``.

Tasks reserve ``experiment.num_cpus`` CPUs each. A task runs :func:`activeq.experiments.trial.execute` and returns
its outcome to the driver, which alone writes the store, so workers on other nodes never touch it. Ray's own task
retries are off: a trial that raises, or whose worker dies, is retried by the driver up to ``experiment.retries``
times exactly as with the local executor, then recorded as failed with its traceback.

Workers import the trial function by its path: the driver's own import paths (its working directory, a tests or
scripts folder; not the Python installation) are put on the workers' ``PYTHONPATH`` through Ray's ``runtime_env``.
Checkpoint directories are the store's unless ``checkpoint_root`` names a directory every node can reach.

Ray is optional (``pip install 'activeq[ray]'``). Raises :class:`activeq.errors.ExperimentError` when Ray is not
installed, when ``address`` is malformed or nothing answers there, when the cluster refuses the connection, and when
this process is already connected to a different cluster.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

from ...errors import ExperimentError
from ..spec import Experiment
from ..trial import Outcome, TrialPayload, execute, provenance
from . import Executor

MAX_IN_FLIGHT = 10_000


def _ray():
    try:
        import ray
    except ImportError:
        raise ExperimentError("executor 'ray' needs Ray, which is not installed: pip install 'activeq[ray]' "
                              "(or use executor='local')") from None
    return ray


def import_paths() -> list[str]:
    """The driver's import paths that are not part of the Python installation (cwd, project and test folders)."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    out = []
    for p in sys.path:
        full = os.path.realpath(p or os.getcwd())
        if os.path.isdir(full) and not any(full == pre or full.startswith(pre + os.sep) for pre in prefixes) \
                and full not in out:
            out.append(full)
    return out


def ray_init_options(*, num_cpus: int | None = None, address: str | None = None, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``ray.init`` as this executor uses them: no dashboard, quiet workers, and the driver's
    import paths on the workers' ``PYTHONPATH`` (so trial functions outside installed packages import there).

    Parameters
    ----------
    num_cpus : int, optional
        CPUs of a local Ray (ignored with ``address``).
    address : str, optional
        An existing cluster.
    **extra
        More ``ray.init`` arguments (e.g. ``object_store_memory``, ``_temp_dir``).

    Returns
    -------
    dict
    """
    opts: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "WARNING",
                            "runtime_env": {"env_vars": {"PYTHONPATH": os.pathsep.join(import_paths())}}}
    if address is not None:
        opts["address"] = address
    elif num_cpus is not None:
        opts["num_cpus"] = num_cpus
    opts.update(extra)
    return opts


def check_address(address: str, timeout: float = 3.0) -> None:
    """Raise ExperimentError unless something accepts TCP connections at ``address`` (``"host:port"``; ``"auto"``
    is left to Ray)."""
    if address == "auto":
        return
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ExperimentError(f"address must be 'host:port' of a Ray head node (or 'auto'), got {address!r}")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ExperimentError(f"address: no Ray cluster is reachable at {address!r} "
                              f"({exc.strerror or type(exc).__name__})") from None


def _remote_execute(payload: TrialPayload) -> Outcome:
    return execute(payload)


class RayExecutor(Executor):
    """Trials as Ray tasks.

    Parameters
    ----------
    address : str, optional
        ``"host:port"`` of a running cluster (``ray start --head``), or ``"auto"``. Default: use the Ray this
        process is already connected to, else start a local one for the sweep (and stop it afterwards).
    num_cpus : int, optional
        CPUs of the local Ray started for the sweep (default: all).
    checkpoint_root : str, optional
        Directory for trials' checkpoint directories, reachable from every node (default: the store's).
    init_options : dict, optional
        More ``ray.init`` arguments.
    """

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None, *,
                 checkpoint_root: str | None = None, init_options: dict[str, Any] | None = None) -> None:
        self._ray_module = _ray()
        if address is not None:
            if not isinstance(address, str):
                raise ExperimentError(f"address must be a string 'host:port', got {type(address).__name__}")
            check_address(address)
        if num_cpus is not None and (isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or num_cpus < 1):
            raise ExperimentError(f"workers (Ray CPUs) must be a positive integer, got {num_cpus!r}")
        self.address, self.num_cpus = address, num_cpus
        self._checkpoint_root = checkpoint_root
        self._init_options = dict(init_options or {})
        self._owns = False
        self._remote: Any = None
        self._refs: dict[Any, TrialPayload] = {}
        self._capacity = 1

    @property
    def capacity(self) -> int:
        return self._capacity

    @property
    def in_flight(self) -> int:
        return len(self._refs)

    def describe(self) -> str:
        return f"ray, {self.address or 'local'}"

    def checkpoint_root(self) -> str | None:
        return self._checkpoint_root

    def start(self, experiment: Experiment) -> None:
        ray = self._ray_module
        if ray.is_initialized():
            current = ray.get_runtime_context().gcs_address
            if self.address not in (None, "auto") and not _same_address(self.address, current):
                raise ExperimentError(f"address: this process is already connected to the Ray cluster at {current}; "
                                      f"it cannot also connect to {self.address!r}")
        else:
            try:
                ray.init(**ray_init_options(num_cpus=self.num_cpus, address=self.address, **self._init_options))
            except (ConnectionError, RuntimeError, TimeoutError, ValueError) as exc:
                last = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
                raise ExperimentError(f"address: cannot connect to a Ray cluster at {self.address or 'a new local Ray'}"
                                      f" ({last})") from None
            self._owns = True
        cpus = float(ray.cluster_resources().get("CPU", 1.0))
        self._capacity = min(MAX_IN_FLIGHT, max(1, int(cpus // experiment.num_cpus)) * 2)
        self._remote = ray.remote(_remote_execute).options(num_cpus=experiment.num_cpus, max_retries=0,
                                                           retry_exceptions=False)

    def submit(self, payload: TrialPayload) -> None:
        if self._remote is None:
            raise ExperimentError("the Ray executor was not started")
        self._refs[self._remote.remote(payload)] = payload

    def wait(self) -> list[Outcome]:
        ray = self._ray_module
        if not self._refs:
            return []
        refs = list(self._refs)
        ready, rest = ray.wait(refs, num_returns=1)
        if rest:
            more, _ = ray.wait(rest, num_returns=len(rest), timeout=0)
            ready = list(ready) + list(more)
        outcomes = []
        for ref in ready:
            payload = self._refs.pop(ref)
            try:
                outcomes.append(ray.get(ref))
            except ray.exceptions.RayError as exc:   # the worker or node died, or the task was cancelled
                host, version, commit = provenance()
                now = time.time()
                outcomes.append(Outcome(payload.key, payload.attempt, False, None,
                                        f"Ray lost the task: {type(exc).__name__}: {exc}", True, now, now, host, 0,
                                        version, commit))
        return outcomes

    def close(self, cancel: bool = False) -> None:
        ray = self._ray_module
        if cancel:
            for ref in list(self._refs):
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # already finished or gone: nothing to stop
                    pass
        self._refs.clear()
        self._remote = None
        if self._owns:
            ray.shutdown()
            self._owns = False


def _same_address(a: str, b: str) -> bool:
    """Whether two ``host:port`` addresses name the same head node (Ray reports a node's own IP where the user
    typed 127.0.0.1, so only the GCS port is compared)."""
    return a.rpartition(":")[2] == b.rpartition(":")[2]
