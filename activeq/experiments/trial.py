"""Running one trial where a worker is (a pool process or a Ray task): the trial context and the outcome.

:func:`execute` imports the trial function (once per worker), calls ``function(seed, **params)`` (plus
``context=TrialContext(...)`` when the function declares a ``context`` parameter), checks that the result is a
JSON-serialisable dict and packs everything the driver needs into an :class:`Outcome`. Workers never write the
store: metric series travel back inside the outcome and the driver writes them.

:class:`TrialContext` is what a long trial uses to survive a crash: ``checkpoint_dir`` is a directory of its own,
named after the trial key (so a changed parameter or seed never shares it), that lives until the trial's result is
committed; ``log`` / ``write_series`` record metric time series (learning curves) that the store keeps as CSV
files beside the row. Trial functions below :mod:`activeq.experiments` use the context by duck typing and never
import this module.

Raises :class:`activeq.errors.ExperimentError` (recorded as the trial's failure, not retried) for a result that is
not a dict of JSON data and for a malformed metric series.
"""

from __future__ import annotations

import functools
import inspect
import json
import numbers
import os
import re
import socket
import subprocess
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import ExperimentError
from .spec import accepts_context, import_function

_SERIES_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
_COLUMN = re.compile(r"^[A-Za-z_]\w{0,99}$")


class TrialContext:
    """Handed to a trial function that declares a ``context`` parameter.

    Attributes
    ----------
    key : str
        The trial key ``"<experiment>/<params hash>/<seed>"``.
    seed : int
        The trial's seed.
    params : dict
        The trial's parameters.
    attempt : int
        0 on the first run, 1 on the first retry, ...
    """

    def __init__(self, key: str, seed: int, params: Mapping[str, Any], attempt: int = 0,
                 checkpoint_dir: str | os.PathLike[str] | None = None) -> None:
        self.key, self.seed, self.params, self.attempt = key, int(seed), dict(params), int(attempt)
        self._checkpoint_dir = None if checkpoint_dir is None else Path(checkpoint_dir)
        self.series: dict[str, dict[str, list[float]]] = {}

    @property
    def checkpoint_dir(self) -> Path | None:
        """This trial's own directory (created on first use), kept across crashes and removed once the trial's
        result is committed; ``None`` when the trial runs without a store."""
        if self._checkpoint_dir is not None:
            self._checkpoint_dir.mkdir(parents=True, exist_ok=True)
        return self._checkpoint_dir

    def log(self, name: str, value: float, step: int | None = None) -> None:
        """Append ``(step, value)`` to the metric series ``name`` (``step`` defaults to the series length)."""
        cols = self.series.setdefault(_series_name(name), {"step": [], "value": []})
        if set(cols) != {"step", "value"}:
            raise ExperimentError(f"series {name!r} was written with columns {sorted(cols)}; log() needs step/value")
        cols["step"].append(len(cols["step"]) if step is None else _number(step, f"series {name!r} step"))
        cols["value"].append(_number(value, f"series {name!r} value"))

    def write_series(self, name: str, **columns: Sequence[float] | np.ndarray) -> None:
        """Set the metric series ``name`` to ``columns`` (equal-length 1-D sequences of numbers), e.g.
        ``context.write_series("regret", step=steps, regret=values)``."""
        name = _series_name(name)
        if not columns:
            raise ExperimentError(f"series {name!r} needs at least one column")
        out: dict[str, list[float]] = {}
        for col, values in columns.items():
            if not _COLUMN.match(col):
                raise ExperimentError(f"series {name!r}: column names must be identifiers, got {col!r}")
            arr = np.asarray(values)
            if arr.ndim != 1 or arr.dtype.kind not in "biuf":
                raise ExperimentError(f"series {name!r}: column {col!r} must be a 1-D sequence of numbers, got "
                                      f"shape {arr.shape} of {arr.dtype}")
            out[col] = arr.tolist()
        lengths = {len(v) for v in out.values()}
        if len(lengths) != 1:
            raise ExperimentError(f"series {name!r}: columns must have equal lengths, got "
                                  + ", ".join(f"{k}: {len(v)}" for k, v in out.items()))
        self.series[name] = out


def _series_name(name: Any) -> str:
    if not isinstance(name, str) or not _SERIES_NAME.match(name):
        raise ExperimentError(f"series name must be 1-100 letters, digits or '_.-', got {name!r}")
    return name


def _number(x: Any, where: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise ExperimentError(f"{where} must be a number, got {type(x).__name__}")
    return int(x) if isinstance(x, numbers.Integral) else float(x)


@dataclass(frozen=True)
class TrialPayload:
    """What a worker needs to run one trial."""

    key: str
    function: str
    params: Mapping[str, Any]
    seed: int
    attempt: int = 0
    checkpoint_dir: str | None = None


@dataclass
class Outcome:
    """What a worker sends back to the driver: the result or the traceback, metric series and provenance."""

    key: str
    attempt: int
    ok: bool
    result: dict[str, Any] | None
    error: str | None
    retryable: bool
    started: float
    ended: float
    host: str
    pid: int
    activeq_version: str
    git_commit: str | None
    series: dict[str, dict[str, list[float]]] = field(default_factory=dict)


@functools.lru_cache(maxsize=256)
def _load(path: str) -> tuple[Callable[..., Any], bool]:
    fn = import_function(path)
    try:
        wants = accepts_context(inspect.signature(fn))
    except (TypeError, ValueError):
        wants = False
    return fn, wants


@functools.lru_cache(maxsize=1)
def provenance() -> tuple[str, str, str | None]:
    """``(host, activeq version, git commit)`` of this process; the commit gets ``+dirty`` for local changes and is
    ``None`` outside a git checkout."""
    from .. import __version__

    return socket.gethostname(), __version__, git_commit()


def git_commit() -> str | None:
    """The git commit of the activeq checkout this code runs from (``+dirty`` if tracked files changed), or None."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


@functools.lru_cache(maxsize=1)
def _sources_digest() -> str:
    import hashlib
    import platform
    from importlib import metadata

    from ..games.catalog import catalog_dir

    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parents[1]
    for path in sorted(pkg.rglob("*.py")):
        h.update(path.relative_to(pkg).as_posix().encode())
        h.update(path.read_bytes())
    for path in sorted(Path(catalog_dir()).glob("*.toml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(platform.python_version().encode())
    for dist in ("numpy", "scipy", "torch"):
        try:
            h.update(f"{dist}=={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            pass
    return h.hexdigest()


def code_version(path: str) -> str:
    """A SHA-256 of the code a trial function runs: activeq's sources and game catalog, the versions of Python,
    numpy, scipy and torch, and the source file of the function's module (``"package.module:function"``)."""
    import hashlib
    import importlib.util

    module = path.split(":", 1)[0]
    h = hashlib.sha256(_sources_digest().encode())
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin and os.path.isfile(spec.origin):
        h.update(Path(spec.origin).read_bytes())
    return h.hexdigest()


def json_result(result: Any, key: str) -> dict[str, Any]:
    """``result`` as a dict of JSON data (numpy scalars and arrays converted; NaN and inf kept, as Python's json
    module writes them), else ExperimentError naming the offending entry."""
    if not isinstance(result, Mapping):
        raise ExperimentError(f"trial {key!r} returned {type(result).__name__}; a trial function must return a dict "
                              "of JSON-serialisable results")
    return _plain(result, "result", key, 0)


def _plain(value: Any, where: str, key: str, depth: int) -> Any:
    if depth > 64:
        raise ExperimentError(f"result of trial {key!r} is not JSON-serialisable: {where} nests too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise ExperimentError(f"result of trial {key!r} is not JSON-serialisable: {where} is an array of "
                                  f"{value.dtype}")
        return value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
        if not isinstance(value, (bool, int, float, str)):
            raise ExperimentError(f"result of trial {key!r} is not JSON-serialisable: {where} is "
                                  f"{type(value).__name__}")
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ExperimentError(f"result of trial {key!r} is not JSON-serialisable: {where} has the "
                                      f"non-string key {k!r}")
            out[k] = _plain(v, f"{where}[{k!r}]", key, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]", key, depth + 1) for i, v in enumerate(value)]
    raise ExperimentError(f"result of trial {key!r} is not JSON-serialisable: {where} is a {type(value).__name__}")


def execute(payload: TrialPayload) -> Outcome:
    """Run one trial and report its :class:`Outcome` (never raises for a failing trial)."""
    host, version, commit = provenance()
    started = time.time()
    series: dict[str, dict[str, list[float]]] = {}
    try:
        fn, wants_context = _load(payload.function)
    except ExperimentError:
        return Outcome(payload.key, payload.attempt, False, None, traceback.format_exc(), False, started,
                       time.time(), host, os.getpid(), version, commit)
    try:
        if wants_context:
            ctx = TrialContext(payload.key, payload.seed, payload.params, payload.attempt, payload.checkpoint_dir)
            raw = fn(payload.seed, **payload.params, context=ctx)
            series = ctx.series
        else:
            raw = fn(payload.seed, **payload.params)
    except (Exception, SystemExit):   # a trial calling sys.exit() fails; it does not stop the worker
        return Outcome(payload.key, payload.attempt, False, None, traceback.format_exc(), True, started,
                       time.time(), host, os.getpid(), version, commit)
    try:
        result = json_result(raw, payload.key)
        json.dumps(result)  # the final word on serialisability (e.g. a float subclass with a broken repr)
    except (ExperimentError, TypeError, ValueError, RecursionError):
        return Outcome(payload.key, payload.attempt, False, None, traceback.format_exc(limit=0), False, started,
                       time.time(), host, os.getpid(), version, commit)
    return Outcome(payload.key, payload.attempt, True, result, None, False, started, time.time(), host,
                   os.getpid(), version, commit, series)

