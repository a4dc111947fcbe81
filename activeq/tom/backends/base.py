"""The model-backend protocol: ``complete(messages, max_tokens=, seed=)`` -> :class:`Completion`.

A backend is a chat model behind any transport (HTTP, in-process transformers, a script). It declares ``model`` and
``temperature`` (0 = greedy, deterministic) and answers one chat request; sampling backends must give the same answer
for the same ``seed``. ``sampling()`` returns the parameters that, with the model and the rendered prompt, key the
record/replay cache (:mod:`activeq.tom.backends.cache`). :func:`activeq.tom.backends.conformance.check_backend` runs
the protocol's checks on any backend.

Raises :class:`activeq.errors.BackendError` (and its subclasses ContextLengthError, ResponseFormatError) from
``complete`` when the model cannot answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol, Sequence, runtime_checkable

from ..._checks import check_in_range
from ...errors import ArgumentTypeError, ProbeError

Messages = Sequence[dict[str, str]]


@dataclass(frozen=True)
class Completion:
    """One answer: its text, token counts (prompt, completion), wall latency in seconds, whether it was replayed."""

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency: float = 0.0
    cached: bool = False


@runtime_checkable
class Backend(Protocol):
    """What an :class:`~activeq.tom.agents.LLMAgent` needs from a model."""

    model: str
    temperature: float

    def complete(self, messages: Messages, *, max_tokens: int = 32, seed: int = 0) -> Completion: ...

    def sampling(self) -> dict[str, Any]: ...


def check_temperature(temperature: Any) -> float:
    return check_in_range(temperature, "temperature", 0.0, 10.0)


def check_messages(messages: Any) -> list[dict[str, str]]:
    """``messages`` as a list of ``{"role", "content"}`` string dicts, else ArgumentTypeError."""
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence) or not messages:
        raise ArgumentTypeError("messages must be a non-empty list of {'role', 'content'} dicts")
    out = []
    for k, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            raise ArgumentTypeError(f"messages[{k}] must be a dict with string 'role' and 'content', got {m!r}")
        out.append({"role": m["role"], "content": m["content"]})
    return out


def derive_seed(*parts: Any) -> int:
    """A 31-bit seed from any parts (stable across processes: SHA-256, not ``hash``)."""
    h = hashlib.sha256(repr(tuple(parts)).encode()).digest()
    return int.from_bytes(h[:4], "little") & 0x7FFFFFFF


BACKENDS = ("openai", "transformers", "scripted")


def check_backend_name(name: Any) -> str:
    if name not in BACKENDS:
        raise ProbeError(f"backend must be one of {', '.join(BACKENDS)}; got {name!r}")
    return name
