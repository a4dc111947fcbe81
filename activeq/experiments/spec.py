"""Experiment specs: a trial function, its parameter sweep and its seeds, expanded into trials with stable keys.

An experiment names a *trial function* by import path (``"package.module:function"``), called as
``trial(seed, **params) -> dict`` of JSON-serialisable results. Its parameter points are the product of four parts,
each optional: fixed ``params``, a cartesian ``grid``, ``zip`` groups of equal-length lists (one point per position;
several groups, given as a list of tables, are crossed with each other) and a ``random`` sweep (``samples`` draws
from named distributions with their own ``seed``). Every point runs once per seed; ``seeds`` is a count
(``0..n-1``) or a list.

Each :class:`Trial` has a stable key ``"<name>/<params hash>/<seed>"``: the hash is the first 16 hex digits of the
SHA-256 of the params' canonical JSON (sorted keys, no spaces), so a changed parameter makes a new key and the
order in which a spec lists its parameters never matters.

The same spec in TOML (:func:`load_spec`)::

    name = "bandit"
    function = "activeq.experiments.examples:bandit"
    seeds = 10                      # or [0, 3, 7]
    retries = 1                     # re-runs of a trial that raised, before it is recorded failed
    num_cpus = 1                    # CPUs a trial takes (Ray)
    [params]
    steps = 500
    [grid]
    epsilon = [0.0, 0.1]
    [zip]                           # zipped: (arms=2, gap=0.5), (arms=5, gap=0.2); [[zip]] tables: crossed groups
    arms = [2, 5]
    gap = [0.5, 0.2]
    [random]
    samples = 4
    seed = 0
    [random.params]
    lr = {log_uniform = [1e-3, 1e-1]}   # also uniform = [lo, hi], int = [lo, hi] (inclusive), choice = [...]

Parsing never imports or runs code; :meth:`Experiment.resolve` imports the function and checks every parameter
point against its signature. Raises :class:`activeq.errors.ExperimentError` naming the field: an unknown key, a
malformed value, a parameter in two parts, a sweep larger than ``max_trials``, a function that does not import or
is not callable, params that do not fit the function's signature.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import itertools
import json
import math
import numbers
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .._checks import check_positive_int, show
from ..errors import ArgumentTypeError, ExperimentError

SPEC_KEYS = ("name", "function", "seeds", "params", "grid", "zip", "random", "retries", "num_cpus", "description",
             "keep_checkpoints")
RESERVED_PARAMS = ("seed", "context")
DISTRIBUTIONS = ("uniform", "log_uniform", "int", "choice")
MAX_TRIALS = 1_000_000
MAX_SPEC_BYTES = 1_000_000
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,199}$")
_PATH = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_PARAM = re.compile(r"^[A-Za-z_]\w*$")


def canonical_json(value: Any) -> str:
    """The canonical JSON text of ``value``: sorted keys, no spaces, shortest float repr, NaN/inf rejected."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def params_hash(params: Mapping[str, Any]) -> str:
    """First 16 hex digits of the SHA-256 of ``canonical_json(params)``."""
    return hashlib.sha256(canonical_json(dict(params)).encode()).hexdigest()[:16]


def trial_key(name: str, params: Mapping[str, Any], seed: int) -> str:
    """The stable key of a trial: ``"<name>/<params hash>/<seed>"``."""
    if not isinstance(name, str):
        raise ArgumentTypeError(f"name must be a str, got {show(name)}")
    if not isinstance(params, Mapping):
        raise ArgumentTypeError(f"params must be a mapping of parameter names to values, got {show(params)}")
    try:
        digest = params_hash(params)
    except (TypeError, ValueError) as exc:
        raise ExperimentError(f"params must be JSON-serialisable (finite numbers, str, lists, tables): {exc}") from None
    return f"{name}/{digest}/{check_positive_int(seed, 'seed', minimum=0)}"


def plain_value(value: Any, where: str, depth: int = 0) -> Any:
    """``value`` as plain JSON data (dict with str keys, list, str, int, finite float, bool, None).

    Tuples become lists and numpy scalars/arrays their Python equivalents; anything else raises
    :class:`ExperimentError` naming ``where`` (e.g. ``"grid.steps[2]"``).
    """
    if depth > 64:
        raise ExperimentError(f"{where} is nested more than 64 levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise ExperimentError(f"{where} must be a finite number, got {v}")
        return v
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ExperimentError(f"{where} has a non-string key {k!r}; parameter tables need string keys")
            out[k] = plain_value(v, f"{where}.{k}", depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [plain_value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    raise ExperimentError(f"{where} must be JSON data (number, string, bool, list, table), got "
                          f"{type(value).__name__}")


@dataclass(frozen=True)
class RandomSweep:
    """``samples`` parameter points drawn from ``params`` (name -> ``(distribution, arguments)``) with ``seed``.

    Draws are made with ``numpy.random.default_rng(seed)``, sample by sample, parameters in sorted name order;
    floats are rounded to 12 significant digits so the points (and so the trial keys) are the same on every machine.
    """

    samples: int
    seed: int
    params: Mapping[str, tuple[str, tuple[Any, ...]]]

    def points(self) -> list[dict[str, Any]]:
        rng = np.random.default_rng(self.seed)
        out = []
        for _ in range(self.samples):
            point = {}
            for name in sorted(self.params):
                kind, args = self.params[name]
                if kind == "uniform":
                    point[name] = _round(rng.uniform(args[0], args[1]))
                elif kind == "log_uniform":
                    point[name] = _round(math.exp(rng.uniform(math.log(args[0]), math.log(args[1]))))
                elif kind == "int":
                    point[name] = int(rng.integers(args[0], args[1], endpoint=True))
                else:
                    point[name] = args[int(rng.integers(len(args)))]
            out.append(point)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"samples": self.samples, "seed": self.seed,
                "params": {k: {kind: list(args)} for k, (kind, args) in self.params.items()}}


def _round(x: float) -> float:
    return float(f"{float(x):.12g}")


@dataclass(frozen=True)
class Trial:
    """One call of the trial function: ``function(seed, **params)``, stored under :attr:`key`."""

    experiment: str
    function: str
    params: Mapping[str, Any]
    seed: int
    params_hash: str

    @property
    def key(self) -> str:
        return f"{self.experiment}/{self.params_hash}/{self.seed}"


@dataclass(frozen=True)
class Experiment:
    """A declarative experiment: trial function, parameter sweep, seeds (see the module docstring).

    Parameters
    ----------
    name : str
        Letters, digits and ``_.@+-``; names the experiment in the store and starts every trial key.
    function : str or callable
        ``"package.module:function"``, or a module-level function (its import path is stored).
    seeds : int or sequence of int
        A count ``n`` (seeds ``0..n-1``) or distinct non-negative seeds.
    params, grid : mapping, optional
        Fixed parameters; a cartesian grid (name -> list of values).
    zip : mapping or sequence of mappings, optional
        Zipped lists of equal length (one point per position); several groups are crossed with each other.
    random : mapping, optional
        ``{"samples": n, "seed": s, "params": {name: {distribution: args}}}``.
    retries : int
        How often a trial that raised is run again before it is recorded as failed (default 1).
    num_cpus : float
        CPUs reserved per trial by the Ray executor (default 1).
    description : str
        Free text kept with the experiment in the store.
    keep_checkpoints : bool
        Keep a finished trial's checkpoint directory (default: removed once its result is committed).
    max_trials : int
        Refuse specs expanding to more trials than this (checked before expanding; default 1,000,000).
    """

    name: str
    function: str
    seeds: tuple[int, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    grid: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    zip: tuple[Mapping[str, tuple[Any, ...]], ...] = ()
    random: RandomSweep | None = None
    retries: int = 1
    num_cpus: float = 1.0
    description: str = ""
    keep_checkpoints: bool = False
    max_trials: int = MAX_TRIALS

    def __init__(self, name: str, function: str | Callable[..., Any], seeds: int | Sequence[int] = 1, *,
                 params: Mapping[str, Any] | None = None, grid: Mapping[str, Sequence[Any]] | None = None,
                 zip: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Sequence[Any]]] | None = None,
                 random: Mapping[str, Any] | None = None, retries: int = 1, num_cpus: float = 1.0,
                 description: str = "", keep_checkpoints: bool = False, max_trials: int = MAX_TRIALS) -> None:
        set_ = object.__setattr__
        set_(self, "name", _check_name(name))
        set_(self, "function", _function_path(function))
        set_(self, "seeds", _check_seeds(seeds))
        fixed = _check_table(params, "params")
        set_(self, "params", fixed)
        set_(self, "grid", _check_lists(grid, "grid"))
        set_(self, "zip", _check_zip(zip))
        set_(self, "random", _check_random(random))
        set_(self, "retries", _check_int(retries, "retries", 0))
        set_(self, "num_cpus", _check_cpus(num_cpus))
        if not isinstance(description, str):
            raise ExperimentError(f"description must be a string, got {type(description).__name__}")
        set_(self, "description", description)
        if not isinstance(keep_checkpoints, bool):
            raise ExperimentError(f"keep_checkpoints must be true or false, got {keep_checkpoints!r}")
        set_(self, "keep_checkpoints", keep_checkpoints)
        set_(self, "max_trials", _check_int(max_trials, "max_trials", 1))
        seen: dict[str, str] = {}
        zips = [(f"zip[{i}]" if len(self.zip) > 1 else "zip", g) for i, g in enumerate(self.zip)]
        parts = [("params", fixed), ("grid", self.grid), *zips,
                 ("random.params", self.random.params if self.random else {})]
        for part, names in parts:
            for p in names:
                if p in RESERVED_PARAMS:
                    raise ExperimentError(f"{part}.{p}: {p!r} is reserved (the trial function receives it from "
                                          "the runner)")
                if p in seen:
                    raise ExperimentError(f"{part}.{p}: parameter {p!r} is also given in {seen[p]}")
                seen[p] = part
        n = self.size
        if n > self.max_trials:
            raise ExperimentError(f"experiment {self.name!r} expands to {n} trials, more than max_trials="
                                  f"{self.max_trials}; raise max_trials if that is intended")

    @property
    def size(self) -> int:
        """Number of trials, computed without expanding the sweep."""
        n = math.prod(len(v) for v in self.grid.values())
        for group in self.zip:
            n *= len(next(iter(group.values())))
        if self.random is not None:
            n *= self.random.samples
        return n * len(self.seeds)

    def points(self) -> list[dict[str, Any]]:
        """Every parameter point (grid x zip x random, each merged into the fixed params), in spec order."""
        grid_names = list(self.grid)
        grid_points = [dict(zip(grid_names, combo)) for combo in itertools.product(*self.grid.values())]
        zip_points: list[dict[str, Any]] = [{}]
        for group in self.zip:
            length = len(next(iter(group.values())))
            zip_points = [{**z, **{k: v[i] for k, v in group.items()}} for z in zip_points for i in range(length)]
        random_points = self.random.points() if self.random is not None else [{}]
        return [{**self.params, **g, **z, **r} for g in grid_points for z in zip_points for r in random_points]

    def trials(self) -> list[Trial]:
        """Every trial: each point once per seed (seed varies fastest). Raises if two trials share a key."""
        out: list[Trial] = []
        keys: set[str] = set()
        for point in self.points():
            h = params_hash(point)
            for seed in self.seeds:
                t = Trial(self.name, self.function, point, seed, h)
                if t.key in keys:
                    raise ExperimentError(f"experiment {self.name!r} lists the trial params={canonical_json(point)} "
                                          f"seed={seed} twice; remove the repeated value from grid/zip/random")
                keys.add(t.key)
                out.append(t)
        return out

    def resolve(self) -> Callable[..., Any]:
        """Import the trial function and check every parameter point against its signature; returns it."""
        fn = import_function(self.function)
        sig = _signature(fn, self.function)
        wants_context = accepts_context(sig)
        checked: set[tuple[str, ...]] = set()
        for point in self.points():
            names = tuple(sorted(point))
            if names in checked:
                continue
            checked.add(names)
            try:
                sig.bind(0, **point, **({"context": None} if wants_context else {}))
            except TypeError as exc:
                raise ExperimentError(f"params of experiment {self.name!r} do not match {self.function}"
                                      f"{_bare(sig)}: {exc}") from None
        return fn

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (the TOML layout); ``Experiment.from_dict(e.to_dict()) == e``."""
        d: dict[str, Any] = {"name": self.name, "function": self.function, "seeds": list(self.seeds)}
        if self.params:
            d["params"] = dict(self.params)
        if self.grid:
            d["grid"] = {k: list(v) for k, v in self.grid.items()}
        if self.zip:
            groups = [{k: list(v) for k, v in g.items()} for g in self.zip]
            d["zip"] = groups[0] if len(groups) == 1 else groups
        if self.random is not None:
            d["random"] = self.random.to_dict()
        d.update(retries=self.retries, num_cpus=self.num_cpus, description=self.description,
                 keep_checkpoints=self.keep_checkpoints)
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "spec", max_trials: int = MAX_TRIALS) -> "Experiment":
        """An experiment from the TOML layout (see the module docstring); ``source`` prefixes error messages."""
        if not isinstance(data, Mapping):
            raise ExperimentError(f"{source}: a spec must be a table of keys, got {type(data).__name__}")
        unknown = [k for k in data if k not in SPEC_KEYS]
        if unknown:
            raise ExperimentError(f"{source}: unknown key {unknown[0]!r} in the spec; known keys: "
                                  f"{', '.join(SPEC_KEYS)}")
        for required in ("name", "function"):
            if required not in data:
                raise ExperimentError(f"{source}: the spec needs {required!r}")
        kwargs = {k: data[k] for k in SPEC_KEYS[2:] if k in data}
        try:
            return cls(data["name"], data["function"], max_trials=max_trials, **kwargs)
        except ExperimentError as exc:
            raise ExperimentError(f"{source}: {exc}") from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Experiment) and canonical_json(self.to_dict()) == canonical_json(other.to_dict())

    def __hash__(self) -> int:
        return hash(canonical_json(self.to_dict()))



def load_spec(path: str | Path, *, max_trials: int = MAX_TRIALS) -> Experiment:
    """Read an :class:`Experiment` from a TOML file (at most 1 MB; nothing in it is executed).

    Parameters
    ----------
    path : str or Path
        The ``.toml`` file.
    max_trials : int
        Refuse a sweep larger than this (checked before expanding it).

    Returns
    -------
    Experiment
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ArgumentTypeError(f"path (the spec file) must be a non-empty str or os.PathLike, got {show(path)}")
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExperimentError(f"spec {path}: cannot read it ({exc.strerror or exc})") from None
    if size > MAX_SPEC_BYTES:
        raise ExperimentError(f"spec {path} is {size} bytes; a spec must be under {MAX_SPEC_BYTES} bytes")
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ExperimentError(f"spec {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"spec {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ExperimentError(f"spec {path} nests arrays or tables too deeply") from None
    except OSError as exc:
        raise ExperimentError(f"spec {path}: cannot read it ({exc.strerror or exc})") from None
    return Experiment.from_dict(data, source=f"spec {path}", max_trials=max_trials)


def import_function(path: str) -> Callable[..., Any]:
    """The callable at ``"package.module:qualname"``; ExperimentError if it does not import or is not callable."""
    path = _function_path(path)
    module_name, qualname = path.split(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # any failure while importing user code is reported the same way
        raise ExperimentError(f"function {path!r}: cannot import module {module_name!r} "
                              f"({type(exc).__name__}: {exc})") from None
    for part in qualname.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ExperimentError(f"function {path!r}: module {module_name!r} has no attribute {qualname!r}") from None
    if not callable(obj):
        raise ExperimentError(f"function {path!r} is not callable (it is a {type(obj).__name__})")
    return obj


def accepts_context(sig: inspect.Signature) -> bool:
    """Whether a trial function declares a ``context`` parameter (it then receives a TrialContext)."""
    p = sig.parameters.get("context")
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


def _signature(fn: Callable[..., Any], path: str) -> inspect.Signature:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise ExperimentError(f"function {path!r}: cannot read its signature ({exc})") from None
    try:
        sig.bind_partial(0)
    except TypeError:
        raise ExperimentError(f"function {path!r}{_bare(sig)} must take the seed as its first argument: "
                              "trial(seed, **params)") from None
    return sig


def _bare(sig: inspect.Signature) -> inspect.Signature:
    """``sig`` without annotations, for messages."""
    return sig.replace(parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                       return_annotation=sig.empty)


def _function_path(function: Any) -> str:
    if callable(function) and not isinstance(function, str):
        module, qualname = getattr(function, "__module__", None), getattr(function, "__qualname__", None)
        if not module or not qualname or "<" in qualname or module == "__main__":
            raise ExperimentError(f"function {function!r} must be importable by path (a module-level function in "
                                  "an importable module): workers import it by name")
        function = f"{module}:{qualname}"
    if not isinstance(function, str) or not _PATH.match(function):
        raise ExperimentError(f"function must be an import path 'package.module:function', got {function!r}")
    return function


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ExperimentError(f"name must be 1-200 letters, digits or '_.@+-' (starting with a letter or digit), "
                              f"got {name!r}")
    return name


def _check_int(x: Any, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise ExperimentError(f"{name} must be an integer, got {type(x).__name__} {x!r}")
    if int(x) < minimum:
        raise ExperimentError(f"{name} must be >= {minimum}, got {x}")
    return int(x)


def _check_cpus(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(float(x)) or float(x) <= 0:
        raise ExperimentError(f"num_cpus must be a positive number, got {x!r}")
    return float(x)


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        n = _check_int(seeds, "seeds", 1)
        if n > MAX_TRIALS:
            raise ExperimentError(f"seeds must be at most {MAX_TRIALS}, got {n}")
        return tuple(range(n))
    if isinstance(seeds, (str, bytes, Mapping)) or not isinstance(seeds, (Sequence, range, np.ndarray)):
        raise ExperimentError(f"seeds must be a count or a list of integers, got {type(seeds).__name__}")
    if len(seeds) == 0:
        raise ExperimentError("seeds must not be empty")
    if len(seeds) > MAX_TRIALS:
        raise ExperimentError(f"seeds must list at most {MAX_TRIALS} seeds, got {len(seeds)}")
    out = tuple(_check_int(s, f"seeds[{i}]", 0) for i, s in enumerate(seeds))
    if len(set(out)) != len(out):
        dup = next(s for s in out if out.count(s) > 1)
        raise ExperimentError(f"seeds must be distinct; {dup} is listed twice")
    return out


def _check_table(table: Any, where: str) -> dict[str, Any]:
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise ExperimentError(f"{where} must be a table of parameters, got {type(table).__name__}")
    out = {}
    for k, v in table.items():
        if not isinstance(k, str) or not _PARAM.match(k):
            raise ExperimentError(f"{where}: parameter names must be Python identifiers, got {k!r}")
        out[k] = plain_value(v, f"{where}.{k}")
    return out


def _check_lists(table: Any, where: str) -> dict[str, tuple[Any, ...]]:
    out = {}
    for k, v in _check_table(table, where).items():
        if not isinstance(v, list) or not v:
            raise ExperimentError(f"{where}.{k} must be a non-empty list of values, got {v!r}")
        out[k] = tuple(v)
    return out


def _check_zip(zip_: Any) -> tuple[dict[str, tuple[Any, ...]], ...]:
    if zip_ is None:
        return ()
    many = isinstance(zip_, (list, tuple))
    groups = list(zip_) if many else [zip_]
    out = []
    for i, group in enumerate(groups):
        where = f"zip[{i}]" if many else "zip"
        lists = _check_lists(group, where)
        if not lists:
            if many:
                raise ExperimentError(f"{where} must be a non-empty table of lists")
            continue
        lengths = {len(v) for v in lists.values()}
        if len(lengths) > 1:
            raise ExperimentError(f"{where}: every list must have the same length, got "
                                  + ", ".join(f"{k}: {len(v)}" for k, v in lists.items()))
        out.append(lists)
    return tuple(out)


def _check_random(random: Any) -> RandomSweep | None:
    if random is None:
        return None
    if not isinstance(random, Mapping):
        raise ExperimentError(f"random must be a table with samples, seed and params, got {type(random).__name__}")
    unknown = [k for k in random if k not in ("samples", "seed", "params")]
    if unknown:
        raise ExperimentError(f"random: unknown key {unknown[0]!r}; known keys: samples, seed, params")
    samples = _check_int(random.get("samples", 1), "random.samples", 1)
    seed = _check_int(random.get("seed", 0), "random.seed", 0)
    table = random.get("params")
    if not isinstance(table, Mapping) or not table:
        raise ExperimentError("random.params must be a non-empty table of {distribution = [arguments]}")
    params = {}
    for name, dist in _check_table(table, "random.params").items():
        where = f"random.params.{name}"
        if not isinstance(dist, dict) or len(dist) != 1:
            raise ExperimentError(f"{where} must be one of {{uniform = [lo, hi]}}, {{log_uniform = [lo, hi]}}, "
                                  f"{{int = [lo, hi]}}, {{choice = [values]}}; got {dist!r}")
        (kind, args), = dist.items()
        if kind not in DISTRIBUTIONS:
            raise ExperimentError(f"{where}: unknown distribution {kind!r}; known: {', '.join(DISTRIBUTIONS)}")
        if not isinstance(args, list) or not args:
            raise ExperimentError(f"{where}.{kind} must be a non-empty list, got {args!r}")
        if kind != "choice":
            if len(args) != 2 or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
                raise ExperimentError(f"{where}.{kind} must be [low, high] numbers, got {args!r}")
            lo, hi = args
            if kind == "int" and not all(isinstance(a, int) for a in args):
                raise ExperimentError(f"{where}.int must be [low, high] integers, got {args!r}")
            if not lo <= hi:
                raise ExperimentError(f"{where}.{kind} must have low <= high, got {args!r}")
            if kind == "log_uniform" and lo <= 0:
                raise ExperimentError(f"{where}.log_uniform needs 0 < low <= high, got {args!r}")
        params[name] = (kind, tuple(args))
    return RandomSweep(samples, seed, params)

