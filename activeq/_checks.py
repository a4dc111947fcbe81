"""Input validation shared by every subpackage: turn bad input into clear ``activeq.errors``.

Each helper takes the argument's *name* so the message says which argument was wrong.
"""

from __future__ import annotations

import numbers
from typing import Any, Sequence

import numpy as np

from .errors import ArgumentError, ArgumentTypeError

SeedLike = int | np.random.Generator | None


def as_generator(seed: SeedLike, name: str = "seed") -> np.random.Generator:
    """A numpy Generator from an int seed, a Generator (returned as is) or None (fresh entropy)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an int or numpy.random.Generator, got {type(seed).__name__}")
    if int(seed) < 0:
        raise ArgumentError(f"{name} must be a non-negative int, got {seed}")
    return np.random.default_rng(int(seed))


def as_float_array(x: Any, name: str, *, ndim: int | None = None, error: type[Exception] = ArgumentError) -> np.ndarray:
    """``x`` as a finite float64 array (optionally of a given ndim), else a clear error.

    Real numbers and booleans only: complex values (whose imaginary part a cast would drop) and strings (which
    numpy would parse) are rejected, not converted.
    """
    if x is None:
        raise error(f"{name} must be an array of numbers (real-valued), got None")
    try:
        raw = x if isinstance(x, np.ndarray) else np.asarray(x)
        if raw.dtype.kind in "cUSVmM":
            raise TypeError(f"got {_dtype_words(raw.dtype)}")
        if raw.dtype.kind == "O" and any(isinstance(v, (complex, np.complexfloating, str, bytes)) for v in raw.flat):
            raise TypeError("got complex numbers or strings among the entries")
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise error(f"{name} must be an array of numbers (real-valued): {exc}") from None
    if ndim is not None and arr.ndim != ndim:
        raise error(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise error(f"{name} must be finite, found {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}")
    return arr


def _dtype_words(dtype: np.dtype) -> str:
    words = {"c": "complex numbers", "U": "strings", "S": "bytes", "V": "structured records", "m": "timedeltas",
             "M": "datetimes"}
    return words.get(dtype.kind, str(dtype))


def check_bool(x: Any, name: str) -> bool:
    """``x`` as a bool; only ``True``/``False`` (and numpy bools) are accepted, never truthy strings or numbers."""
    if not isinstance(x, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {show(x)}")
    return bool(x)


def check_nbytes(nbytes: int, what: str, max_bytes: int | None = None, *, error: type[Exception] = ArgumentError) -> None:
    """Refuse to allocate ``nbytes`` (an estimate made *before* allocating) above the limit.

    ``max_bytes`` overrides :data:`activeq.limits.MAX_BYTES` for one call; the message states both numbers and how
    to raise the limit.
    """
    from . import limits

    limit = limits.MAX_BYTES if max_bytes is None else check_positive_int(max_bytes, "max_bytes")
    if nbytes > limit:
        raise error(f"{what} would need about {limits.format_bytes(nbytes)} ({nbytes:.3g} bytes), above the limit of "
                    f"{limits.format_bytes(limit)} ({limit} bytes); pass max_bytes=... (or set "
                    f"activeq.limits.MAX_BYTES) to allow more")


def check_probability_vector(x: Any, name: str, size: int | None = None, tol: float = 1e-9,
                             error: type[Exception] = ArgumentError) -> np.ndarray:
    """A 1-D probability vector (non-negative up to ``tol``, summing to 1 within ``tol``), clipped and renormalised."""
    p = as_float_array(x, name, ndim=1, error=error)
    if size is not None and p.shape[0] != size:
        raise error(f"{name} must have {size} entries, got {p.shape[0]}")
    if p.size == 0:
        raise error(f"{name} must not be empty")
    if p.min() < -tol:
        raise error(f"{name} must be non-negative, got minimum {p.min():.3g}")
    total = p.sum()
    if abs(total - 1.0) > max(tol, 1e-12) * max(1, p.size):
        raise error(f"{name} must sum to 1, sums to {total:.12g}")
    p = np.clip(p, 0.0, None)
    return p / p.sum()


def show(x: Any, width: int = 60) -> str:
    """``repr(x)`` for an error message, shortened: huge ints by their bit length (their decimal form can take
    seconds, or fail past Python's 4300-digit limit), long reprs clipped."""
    if isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_)) and int(x).bit_length() > 64:
        return f"{'-' if x < 0 else ''}a {int(x).bit_length()}-bit integer"
    text = repr(x)
    return text if len(text) <= width else text[:width] + "..."


def check_positive_int(x: Any, name: str, minimum: int = 1) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Integral):
        raise ArgumentTypeError(f"{name} must be an int, got {type(x).__name__}")
    if int(x) < minimum:
        raise ArgumentError(f"{name} must be >= {minimum}, got {show(x)}")
    return int(x)


def check_in_range(x: Any, name: str, low: float | None = None, high: float | None = None,
                   *, low_open: bool = False, high_open: bool = False) -> float:
    """``x`` as a float within [low, high] (ends open when asked), else ArgumentError with the interval."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a real number, got {type(x).__name__}")
    try:
        v = float(x)
    except OverflowError:  # an int past the float range: infinite for the interval test below
        v = float("inf") if x > 0 else float("-inf")
    lo_bad = low is not None and (v <= low if low_open else v < low)
    hi_bad = high is not None and (v >= high if high_open else v > high)
    if not np.isfinite(v) or lo_bad or hi_bad:
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        interval = f"{lb}{'-inf' if low is None else low}, {'inf' if high is None else high}{rb}"
        raise ArgumentError(f"{name} must be in {interval}, got {show(x)}")
    return v


def check_choice(x: Any, name: str, choices: Sequence[Any], *, error: type[Exception] = ArgumentError) -> Any:
    """``x`` if it is one of ``choices``, compared only with choices of its own kind (str with str, numbers with
    numbers, never bools): an array or an odd object is refused, never truth-tested."""
    if not any(_same_kind(x, c) and x == c for c in choices):
        raise error(f"{name} must be one of {', '.join(map(repr, choices))}; got {show(x)}")
    return x


def _same_kind(x: Any, c: Any) -> bool:
    if isinstance(c, str) or c is None:
        return type(x) is type(c) or isinstance(x, str) and isinstance(c, str)
    if isinstance(c, numbers.Number) and not isinstance(c, (bool, np.bool_)):
        return isinstance(x, numbers.Number) and not isinstance(x, (bool, np.bool_, np.ndarray))
    return type(x) is type(c)


def check_tolerance(x: Any, name: str = "tol", *, error: type[Exception] = ArgumentError) -> float:
    """A tolerance: a finite real number >= 0 (a negative or nan tolerance silently fails every comparison)."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real) or not np.isfinite(float(x)) or x < 0:
        raise error(f"{name} must be a finite number >= 0, got {show(x)}")
    return float(x)


def check_optional_str(x: Any, name: str, *, error: type[Exception] = ArgumentTypeError) -> str | None:
    """``x`` if it is a str or None (a name, title or description)."""
    if x is not None and not isinstance(x, str):
        raise error(f"{name} must be a string or None, got {type(x).__name__}")
    return x


def as_bool_mask(x: Any, name: str, shape: tuple[int, ...], *, error: type[Exception] = ArgumentError) -> np.ndarray:
    """A boolean array of ``shape``: bools, or numbers that are exactly 0 or 1 (never 0.5 read as True)."""
    if isinstance(x, (str, bytes)) or x is None:
        raise error(f"{name} must be a boolean array of shape {shape}, got {type(x).__name__}")
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise error(f"{name} must be a boolean array of shape {shape}: {exc}") from None
    if raw.dtype != np.bool_:
        if raw.dtype.kind not in "iuf" or not np.all((raw == 0) | (raw == 1)):
            raise error(f"{name} must be a boolean array (True/False or 0/1) of shape {shape}, got "
                        f"{'values ' + show(raw.ravel()[:4].tolist()) if raw.dtype.kind in 'iuf' else raw.dtype}")
    if raw.shape != shape:
        raise error(f"{name} must have shape {shape}, got {raw.shape}")
    return raw.astype(bool)


def as_index_array(x: Any, name: str, n: int, *, error: type[Exception] = ArgumentError) -> np.ndarray:
    """A 1-D array of distinct-or-not indices in ``[0, n)``: ints only (no floats, bools, strings)."""
    if isinstance(x, (str, bytes)) or not isinstance(x, (list, tuple, range, np.ndarray)):
        raise error(f"{name} must be a list of indices in [0, {n}), got {type(x).__name__}")
    items = list(np.asarray(x).ravel()) if isinstance(x, np.ndarray) else list(x)
    bad = [v for v in items if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral)]
    if bad:
        raise error(f"{name} must hold int indices in [0, {n}), got {show(bad[0])}")
    out_of_range = [v for v in items if not 0 <= v < n]
    if out_of_range:
        raise error(f"{name} must hold indices in [0, {n}), got {show(out_of_range[0])}")
    return np.array([int(v) for v in items], dtype=np.int64)


def check_names(given: Any, count: int, name: str, *, error: type[Exception] = ArgumentError) -> tuple[str, ...]:
    """``count`` distinct labels from a list/tuple/array of strings (ints are accepted and written as strings)."""
    if isinstance(given, (str, bytes)) or not isinstance(given, (list, tuple, np.ndarray)):
        raise error(f"{name} must be a list of {count} names, got {type(given).__name__}")
    items = list(given)
    bad = [v for v in items if isinstance(v, (bool, np.bool_)) or not isinstance(v, (str, numbers.Integral))]
    if bad:
        raise error(f"{name} must hold strings, got {show(bad[0])}")
    names = tuple(str(v) for v in items)
    if len(names) != count:
        raise error(f"{name} must have {count} entries, got {len(names)}: {show(list(names))}")
    if len(set(names)) != len(names):
        raise error(f"{name} must be distinct, got {show(list(names))}")
    return names
