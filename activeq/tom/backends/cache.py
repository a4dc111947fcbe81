"""A record/replay cache of model answers in a JSONL file, keyed by model, rendered prompt and sampling parameters.

Each line is ``{"key", "model", "messages", "sampling", "max_tokens", "seed", "text", "prompt_tokens",
"completion_tokens"}``. The key is the SHA-256 of the model name, the messages, ``max_tokens``, the backend's sampling
parameters and, *only when the temperature is above 0*, the call's seed: at temperature 0 the answer does not depend
on the seed, so one record serves every seed; a sampled answer is replayed only for its own seed, so caching never
hides sampling variability. :func:`default_cache` turns the cache on by default only at temperature 0 (``"auto"``).

Concurrent calls with the same key (seeds of a sweep running in threads, identical at temperature 0 until a fallback
makes them diverge) ask the model once: the first caller asks, the others wait for its answer. The file is appended
to under a lock, one line per new answer, so an interrupted run keeps what it had and a re-run is served from disk.
Keys are recomputed from each record's fields when the file is read, so a file written under another key rule
(e.g. one that keyed greedy answers by seed) is still served. Lines that are not valid JSON (a torn last line) are
skipped. Raises ArgumentTypeError for a cache argument that is neither a path, None, False nor "auto".
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...errors import ArgumentTypeError
from .base import Completion, Messages, check_messages


def default_cache_dir() -> Path:
    """``$ACTIVEQ_CACHE_DIR`` or ``$XDG_CACHE_HOME/activeq`` (``~/.cache/activeq``)."""
    env = os.environ.get("ACTIVEQ_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "activeq"


class CachedBackend:
    """Wrap ``backend`` with the JSONL record/replay cache at ``path`` (see the module docstring).

    Parameters
    ----------
    backend : Backend
        The model to call on a miss.
    path : str or Path
        The JSONL file (created with its directory).
    """

    def __init__(self, backend: Any, path: str | os.PathLike):
        self.backend = backend
        self.path = Path(path)
        self.model = backend.model
        self.temperature = backend.temperature
        self._lock = threading.Lock()
        self._store: dict[str, dict[str, Any]] = {}
        self._inflight: dict[str, Future] = {}
        self.hits = 0
        self.misses = 0
        if self.path.exists():
            with open(self.path, encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rec = json.loads(line)
                        k = _key(rec["model"], rec["messages"], rec["max_tokens"], rec["sampling"], rec["seed"])
                    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
                        continue
                    self._store[k] = rec

    def sampling(self) -> dict[str, Any]:
        return self.backend.sampling()

    def key(self, messages: Messages, max_tokens: int, seed: int) -> str:
        return _key(self.model, messages, max_tokens, self.backend.sampling(), seed)

    def __len__(self) -> int:
        return len(self._store)

    def complete(self, messages: Messages, *, max_tokens: int = 32, seed: int = 0) -> Completion:
        msgs = check_messages(messages)
        k = self.key(msgs, max_tokens, seed)
        with self._lock:
            rec = self._store.get(k)
            asking = self._inflight.get(k) if rec is None else None
            if rec is None and asking is None:  # this call asks the model; same-key calls meanwhile wait for it
                mine: Future = Future()
                self._inflight[k] = mine
        if asking is not None:
            rec = asking.result()  # the asker's error, if it failed, is raised here too
        if rec is not None:
            with self._lock:
                self.hits += 1
            return Completion(rec["text"], rec["prompt_tokens"], rec["completion_tokens"], 0.0, True)
        try:
            out = self.backend.complete(msgs, max_tokens=max_tokens, seed=seed)
        except BaseException as exc:
            with self._lock:
                del self._inflight[k]
            mine.set_exception(exc)
            raise
        rec = {"key": k, "model": self.model, "messages": msgs, "sampling": self.backend.sampling(),
               "max_tokens": int(max_tokens), "seed": int(seed), "text": out.text,
               "prompt_tokens": out.prompt_tokens, "completion_tokens": out.completion_tokens}
        with self._lock:
            self.misses += 1
            self._store[k] = rec
            del self._inflight[k]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(rec) + "\n")
        mine.set_result(rec)
        return replace(out, cached=False)


def _key(model: str, messages: Any, max_tokens: Any, sampling: dict[str, Any], seed: Any) -> str:
    """SHA-256 of model, messages, ``max_tokens``, sampling parameters and, above temperature 0 only, the seed."""
    parts = {"model": model, "messages": list(messages), "max_tokens": int(max_tokens), "sampling": sampling}
    if float(sampling.get("temperature", 0.0)) > 0.0:
        parts["seed"] = int(seed)
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def default_cache(backend: Any, cache: Any = "auto") -> Any:
    """``backend`` wrapped per ``cache``: ``"auto"`` caches only at temperature 0 (in :func:`default_cache_dir`),
    a path always caches there, None/False never.

    Parameters
    ----------
    backend : Backend
        The model.
    cache : {"auto"} or path or None or False
        Where and whether to cache.

    Returns
    -------
    Backend
        ``backend`` itself or a :class:`CachedBackend`.
    """
    if isinstance(backend, CachedBackend) or cache is None or cache is False:
        return backend
    if cache == "auto":
        if float(backend.temperature) > 0.0:
            return backend
        return CachedBackend(backend, default_cache_dir() / "tom_responses.jsonl")
    if isinstance(cache, (str, os.PathLike)):
        return CachedBackend(backend, cache)
    raise ArgumentTypeError(f"cache must be 'auto', a path, None or False; got {type(cache).__name__}")
