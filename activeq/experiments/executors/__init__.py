"""Executors run trials where the compute is and hand their outcomes back to the driver, which owns the store.

An executor is started once per sweep, takes :class:`~activeq.experiments.trial.TrialPayload` s through
:meth:`Executor.submit` (at most :attr:`Executor.capacity` in flight), and returns finished
:class:`~activeq.experiments.trial.Outcome` s from :meth:`Executor.wait`. Retries are the driver's business
(:mod:`activeq.experiments.sweep`), so both executors count attempts the same way.

- ``"local"`` (:class:`LocalExecutor`): a process pool on this machine, one worker per core by default; workers die
  with their parent.
- ``"ray"`` (:class:`RayExecutor`): Ray tasks, on a local Ray started for the sweep or on a cluster at ``address``.

Raises :class:`activeq.errors.ExperimentError` for an unknown executor name or bad options.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from ...errors import ExperimentError
from ..spec import Experiment
from ..trial import Outcome, TrialPayload

EXECUTORS = ("local", "ray")


class Executor(ABC):
    """Base of the executors: start, submit payloads, wait for outcomes, close."""

    name: str = "executor"

    @property
    @abstractmethod
    def capacity(self) -> int:
        """How many trials to keep in flight."""

    @property
    @abstractmethod
    def in_flight(self) -> int:
        """Trials submitted and not yet returned by :meth:`wait`."""

    @abstractmethod
    def start(self, experiment: Experiment) -> None:
        """Get ready to run ``experiment``'s trials (start processes, connect to a cluster)."""

    @abstractmethod
    def submit(self, payload: TrialPayload) -> None:
        """Start one trial."""

    @abstractmethod
    def wait(self) -> list[Outcome]:
        """Block until at least one trial in flight has finished; return the finished ones."""

    @abstractmethod
    def close(self, cancel: bool = False) -> None:
        """Release the workers; ``cancel=True`` stops trials still running."""

    def describe(self) -> str:
        return self.name

    def checkpoint_root(self) -> str | None:
        """Where trials of this executor keep checkpoints, if not in the store (None: the store's directory)."""
        return None


def make_executor(executor: str | Executor = "local", *, workers: int | None = None, address: str | None = None,
                  **options: Any) -> Executor:
    """An executor by name (``"local"`` or ``"ray"``) with its options, or ``executor`` itself if already one.

    Parameters
    ----------
    executor : str or Executor
        ``"local"`` or ``"ray"``.
    workers : int, optional
        Local: pool size (default: one per core). Ray: CPUs of a local Ray started for the sweep.
    address : str, optional
        Ray only: the address of an existing cluster (``"host:port"`` or ``"auto"``).
    **options
        Passed to the executor's constructor.

    Returns
    -------
    Executor
    """
    if isinstance(executor, Executor):
        if workers is not None or address is not None or options:
            raise ExperimentError("workers/address/options go to the executor's constructor, not with an instance")
        return executor
    if executor == "local":
        if address is not None:
            raise ExperimentError("address is a Ray option; the local executor runs on this machine")
        from .local import LocalExecutor
        return LocalExecutor(workers, **options)
    if executor == "ray":
        from .ray import RayExecutor
        return RayExecutor(address=address, num_cpus=workers, **options)
    raise ExperimentError(f"executor must be one of {', '.join(map(repr, EXECUTORS))}; got {executor!r}")


__all__ = ["Executor", "EXECUTORS", "make_executor"]
