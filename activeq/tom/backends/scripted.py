"""A scripted backend: answers from a list (cycled) or a function of the messages. For tests and baselines.

Raises ArgumentTypeError when ``answers`` is neither a non-empty sequence of strings nor a callable.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any, Callable, Sequence

from ...errors import ArgumentTypeError
from .base import Completion, Messages, check_messages


class Scripted:
    """Answer with ``answers`` in turn (cycled), or ``answers(messages, seed)`` when it is callable.

    Parameters
    ----------
    answers : sequence of str or callable
        The answers, or a function ``(messages, seed) -> str``.
    model : str
        A label for tables and the cache key.
    """

    temperature = 0.0

    def __init__(self, answers: Sequence[str] | Callable[[Messages, int], str], model: str = "scripted"):
        if callable(answers):
            self._fn = answers
        else:
            if isinstance(answers, str) or not isinstance(answers, Sequence) or not answers or \
                    not all(isinstance(a, str) for a in answers):
                raise ArgumentTypeError("answers must be a non-empty sequence of strings or a callable")
            it = itertools.cycle(list(answers))
            lock = threading.Lock()

            def nxt(messages: Messages, seed: int) -> str:
                with lock:
                    return next(it)

            self._fn = nxt
        self.model = model
        self.calls = 0

    def sampling(self) -> dict[str, Any]:
        return {"temperature": 0.0}

    def complete(self, messages: Messages, *, max_tokens: int = 32, seed: int = 0) -> Completion:
        msgs = check_messages(messages)
        t0 = time.perf_counter()
        text = str(self._fn(msgs, seed))
        self.calls += 1
        return Completion(text, sum(len(m["content"].split()) for m in msgs), len(text.split()),
                          time.perf_counter() - t0)
