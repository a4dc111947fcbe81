"""Model backends for LLM probes: the protocol, OpenAI-compatible HTTP, in-process transformers, scripted, and the
record/replay cache. Heavy imports (httpx, transformers, torch) happen only when a backend class is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .base import BACKENDS, Backend, Completion, derive_seed

_LAZY = {"OpenAIChat": "openai_http", "TransformersChat": "transformers", "Scripted": "scripted",
         "CachedBackend": "cache", "default_cache": "cache", "ChatServer": "server", "check_backend": "conformance"}

__all__ = ["Backend", "Completion", "BACKENDS", "derive_seed", *_LAZY]


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value
