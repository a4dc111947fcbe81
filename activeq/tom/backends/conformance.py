"""The shipped conformance check for model backends (as PettingZoo ships ``parallel_api_test``).

``check_backend(backend)`` asserts what :class:`~activeq.tom.agents.LLMAgent` relies on: ``model`` is a non-empty
string; ``temperature`` a float >= 0; ``sampling()`` a JSON-serialisable dict with ``temperature``; ``complete``
returns a :class:`Completion` with a string text, non-negative token counts and latency; the same call twice at
temperature 0 (or with the same seed when sampling) gives the same text; malformed messages raise
ArgumentTypeError. Run it in your own backend's tests. Raises AssertionError naming the failed property.
"""

from __future__ import annotations

import json
from typing import Any

from ...errors import ArgumentTypeError
from .base import Completion

PROBE = [{"role": "system", "content": "Answer with one word."},
         {"role": "user", "content": "Rock, paper or scissors?"}]


def check_backend(backend: Any, max_tokens: int = 8) -> None:
    """Run the backend protocol's checks on ``backend`` (see the module docstring).

    Parameters
    ----------
    backend : Backend
        The backend under test.
    max_tokens : int
        Tokens per test call.

    Returns
    -------
    None
    """
    assert isinstance(getattr(backend, "model", None), str) and backend.model, "backend.model must be a non-empty str"
    assert isinstance(backend.temperature, float) and backend.temperature >= 0, "temperature must be a float >= 0"
    s = backend.sampling()
    assert isinstance(s, dict) and "temperature" in s, "sampling() must be a dict with 'temperature'"
    json.dumps(s)
    a = backend.complete(PROBE, max_tokens=max_tokens, seed=123)
    assert isinstance(a, Completion), f"complete() must return a Completion, got {type(a).__name__}"
    assert isinstance(a.text, str), "Completion.text must be a str"
    assert a.prompt_tokens >= 0 and a.completion_tokens >= 0 and a.latency >= 0, "counts must be >= 0"
    b = backend.complete(PROBE, max_tokens=max_tokens, seed=123)
    assert a.text == b.text, f"same call, same seed must give the same text: {a.text!r} vs {b.text!r}"
    try:
        backend.complete("not a message list", max_tokens=max_tokens, seed=0)
    except ArgumentTypeError:
        pass
    else:
        raise AssertionError("complete() must raise ArgumentTypeError for malformed messages")
