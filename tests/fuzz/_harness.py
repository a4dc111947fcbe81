"""The fuzz property shared by every public entry point: a valid result, or an activeq error that names the argument.

Each fuzz test takes one valid call (a function and keyword arguments that work), replaces *one* argument with a
junk value drawn by hypothesis, and calls it under a time limit and a memory budget. Accepted outcomes:

- it returns (the junk happened to be valid, e.g. ``0`` for a non-negative count);
- it raises an :class:`activeq.errors.ActiveqError` whose message names an argument (or one of its aliases): the
  fuzzed one, or another one that the junk value made wrong.

Anything else fails the test: another exception type (a raw numpy/builtin error), an error that does not say which
argument was wrong, a call slower than ``SECONDS``, or one that allocates more than ``BUDGET_BYTES`` (a
``MemoryError`` under ``RLIMIT_AS``).
"""

from __future__ import annotations

import contextlib
import resource
import signal
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activeq.errors import ActiveqError

SECONDS = 10.0  # generous: CI machines are shared; a hang or a big-integer blow-up takes far longer
BUDGET_BYTES = 1536 * 1024**2
EXAMPLES = 40


class CallTimeout(Exception):
    """Raised by the alarm when one call takes longer than ``SECONDS``."""


@contextlib.contextmanager
def time_limit(seconds: float = SECONDS) -> Iterator[None]:
    def alarm(signum: int, frame: Any) -> None:
        raise CallTimeout(f"call took longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _vm_bytes() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0  # pragma: no cover


@contextlib.contextmanager
def memory_budget(extra: int = BUDGET_BYTES) -> Iterator[None]:
    """Lower the soft address-space limit to the current size plus ``extra`` (restored afterwards)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _vm_bytes() + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _fresh_generator() -> Any:
    return (x for x in ())


#: Junk for any argument: wrong types, out-of-range and non-finite numbers, huge integers (whose decimal form
#: Python refuses past 4300 digits), empty and ragged containers, complex and string arrays, sparse matrices.
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 2, -(10**30), 10**30, 10**5000, 3.5, -0.0, float("nan"), float("inf"), -float("inf")]),
    st.text(max_size=6),
    st.binary(max_size=4),
    st.complex_numbers(allow_nan=False, allow_infinity=False, max_magnitude=10),
    st.sampled_from([[], [[]], [[1], [1, 2]], [[[1.0]]], [0.5, 0.5], [1, 2, 3], [[1, 0], [0, 1]], {"a": 1}, (),
                     "random", "auto", 1j]),
    st.builds(object),
    st.builds(_fresh_generator),
    st.sampled_from(["zeros0", "zeros20", "nan22", "str1", "complex1", "obj1", "deep5", "sparse22", "neg22",
                     "bool22", "big3"]).map(lambda k: _ARRAYS[k]()),
)

_ARRAYS: dict[str, Callable[[], Any]] = {
    "zeros0": lambda: np.zeros(0),
    "zeros20": lambda: np.zeros((2, 0)),
    "nan22": lambda: np.full((2, 2), np.nan),
    "str1": lambda: np.array(["a", "b"]),
    "complex1": lambda: np.array([1 + 1j, 0.5]),
    "obj1": lambda: np.array([None, 1], dtype=object),
    "deep5": lambda: np.zeros((1, 1, 1, 1, 1)),
    "sparse22": lambda: sp.csr_matrix(np.eye(2)),
    "neg22": lambda: -np.ones((2, 2)),
    "bool22": lambda: np.ones((2, 2), dtype=bool),
    "big3": lambda: np.full(3, 1e300),
}


@dataclass
class Entry:
    """One public entry point and a valid call of it (``make()`` returns fresh keyword arguments)."""

    name: str
    func: Callable[..., Any]
    make: Callable[[], dict[str, Any]]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()  # arguments not fuzzed (e.g. a progress flag documented as "truthy")

    def params(self) -> list[str]:
        return [p for p in self.make() if p not in self.fixed]


def check(entry: Entry, param: str, value: Any) -> None:
    """Call ``entry`` with ``param`` replaced by ``value``; fail unless it returns or raises a naming activeq error."""
    kwargs = entry.make()
    kwargs[param] = value
    # the error must name an argument: usually the fuzzed one, but a valid junk value can make another argument
    # the wrong one (text=False turns the .nfg text in ``source`` into a missing file name)
    names = tuple(n for p in kwargs for n in (p, *entry.aliases.get(p, ())))
    shown = _short(value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings are fine; numpy's ComplexWarning is caught below
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            with memory_budget(), time_limit():
                entry.func(**kwargs)
    except ActiveqError as exc:
        msg = str(exc)
        assert any(n in msg for n in names), (
            f"{entry.name}({param}={shown}) raised {type(exc).__name__} without naming an argument: {msg}")
    except CallTimeout:
        raise AssertionError(f"{entry.name}({param}={shown}) took longer than {SECONDS} s") from None
    except MemoryError:
        raise AssertionError(f"{entry.name}({param}={shown}) tried to allocate more than "
                             f"{BUDGET_BYTES / 2**30:.1f} GiB") from None
    except Exception as exc:  # noqa: BLE001 - the point of the test: no other exception type may escape
        raise AssertionError(f"{entry.name}({param}={shown}) raised a raw {type(exc).__name__}: {exc}") from exc


def _short(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"<{value.bit_length()}-bit int>"
    text = repr(value)
    return text if len(text) < 80 else text[:80] + "..."


def fuzz_test(entries: list[Entry], examples: int = EXAMPLES) -> Callable[..., None]:
    """A pytest test (parametrised over ``entries``) that fuzzes every argument of each entry with :data:`JUNK`."""
    import pytest

    @pytest.mark.parametrize("entry", entries, ids=[e.name for e in entries])
    @settings(max_examples=examples, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test(entry: Entry, data: st.DataObject) -> None:
        param = data.draw(st.sampled_from(entry.params()), label="argument")
        value = data.draw(JUNK, label="value")
        check(entry, param, value)

    return test
