"""OpenAI-compatible chat completions over HTTP (vLLM, llama.cpp's server, TGI, OpenAI itself), with httpx.

``POST {base_url}/chat/completions`` with ``{"model", "messages", "temperature", "max_tokens", "seed"}``. Bounded
concurrency: one semaphore per backend object caps the requests in flight (``max_concurrency``), so seeds and cells
can run in threads without flooding the server. Each request has a timeout; connection errors, timeouts, 429 and
5xx answers are retried ``max_retries`` times with exponential backoff (``backoff * 2**k`` seconds, honouring a
``Retry-After`` header), then raise.

Raises (all :class:`activeq.errors.BackendError`): BackendError when the server stays down, keeps timing out or
answers 429/5xx after the retries, or answers another 4xx; ContextLengthError for a 400 that says the prompt exceeds
the context window (``code: context_length_exceeded``, or a message naming the context length); ResponseFormatError
for a body that is not JSON or lacks ``choices[0].message.content``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ..._checks import check_in_range, check_positive_int
from ...errors import ArgumentError, BackendError, ContextLengthError, ResponseFormatError
from .base import Completion, Messages, check_messages, check_temperature

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenAIChat:
    """A chat model behind an OpenAI-compatible HTTP endpoint.

    Parameters
    ----------
    base_url : str
        E.g. ``http://127.0.0.1:8000/v1``.
    model : str
        The model name the server expects.
    temperature : float
        0 = greedy; above 0 the request carries ``seed`` so a seeded server samples reproducibly.
    seed : int
        Base seed mixed into every request's seed.
    timeout : float
        Seconds per request.
    max_retries : int
        Retries after the first try on connection errors, timeouts, 429 and 5xx.
    backoff : float
        First retry delay in seconds (doubled each retry).
    max_concurrency : int
        Requests in flight at once from this object.
    api_key : str, optional
        Sent as a bearer token when given.
    """

    def __init__(self, base_url: str, model: str, temperature: float = 0.0, seed: int = 0, *,
                 timeout: float = 60.0, max_retries: int = 3, backoff: float = 0.5, max_concurrency: int = 4,
                 api_key: str | None = None):
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ArgumentError(f"base_url must be an http(s) URL such as http://127.0.0.1:8000/v1, got {base_url!r}")
        if not isinstance(model, str) or not model:
            raise ArgumentError(f"model must be a non-empty model name, got {model!r}")
        import httpx

        self._httpx = httpx
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.temperature = check_temperature(temperature)
        self.seed = check_positive_int(seed, "seed", minimum=0)
        self.timeout = check_in_range(timeout, "timeout", 0.0, None, low_open=True)
        self.max_retries = check_positive_int(max_retries, "max_retries", minimum=0)
        self.backoff = check_in_range(backoff, "backoff", 0.0, None)
        self.max_concurrency = check_positive_int(max_concurrency, "max_concurrency")
        self._sem = threading.BoundedSemaphore(self.max_concurrency)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=self.max_concurrency, max_keepalive_connections=self.max_concurrency)
        self._client = httpx.Client(timeout=self.timeout, headers=headers, limits=limits)
        self.requests = 0
        self.retries = 0

    def sampling(self) -> dict[str, Any]:
        return {"temperature": self.temperature}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "OpenAIChat":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _post(self, body: dict[str, Any]) -> Any:
        httpx = self._httpx
        url = f"{self.base_url}/chat/completions"
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.retries += 1
            delay = self.backoff * (2 ** attempt)
            try:
                with self._sem:
                    self.requests += 1
                    resp = self._client.post(url, json=body)
            except httpx.TimeoutException as exc:
                last = f"timed out after {self.timeout:g} s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                last = f"could not connect ({type(exc).__name__}: {exc})"
            else:
                if resp.status_code == 200:
                    return resp
                if resp.status_code in RETRY_STATUS:
                    last = f"HTTP {resp.status_code}: {resp.text[:200]}"
                    ra = resp.headers.get("retry-after")
                    if ra:
                        try:
                            delay = max(delay, min(float(ra), 60.0))
                        except ValueError:
                            pass
                else:
                    self._raise_client_error(resp)
            if attempt < self.max_retries:
                time.sleep(delay)
        raise BackendError(f"model server at {self.base_url} failed after {self.max_retries + 1} tries: {last}")

    def _raise_client_error(self, resp: Any) -> None:
        text = resp.text[:500]
        code = ""
        try:
            err = resp.json().get("error", {})
            if isinstance(err, dict):
                code = str(err.get("code") or "")
                text = str(err.get("message") or text)
        except ValueError:
            pass
        low = text.lower()
        if code == "context_length_exceeded" or "context length" in low or "context window" in low \
                or "maximum context" in low:
            raise ContextLengthError(f"prompt too long for model {self.model!r} at {self.base_url}: {text}")
        raise BackendError(f"model server at {self.base_url} rejected the request (HTTP {resp.status_code}): {text}")

    def complete(self, messages: Messages, *, max_tokens: int = 32, seed: int = 0) -> Completion:
        msgs = check_messages(messages)
        body = {"model": self.model, "messages": msgs, "temperature": self.temperature,
                "max_tokens": check_positive_int(max_tokens, "max_tokens"),
                "seed": (self.seed * 1_000_003 + int(seed)) % (2 ** 31)}
        t0 = time.perf_counter()
        resp = self._post(body)
        latency = time.perf_counter() - t0
        try:
            data = resp.json()
        except ValueError:
            raise ResponseFormatError(f"model server at {self.base_url} answered with a body that is not JSON: "
                                      f"{resp.text[:120]!r}") from None
        try:
            text = data["choices"][0]["message"]["content"]
            if not isinstance(text, str):
                raise TypeError
        except (KeyError, IndexError, TypeError):
            raise ResponseFormatError(f"model server at {self.base_url} answered JSON without "
                                      f"choices[0].message.content: {str(data)[:200]}") from None
        usage = data.get("usage") or {}
        return Completion(text, int(usage.get("prompt_tokens", 0) or 0), int(usage.get("completion_tokens", 0) or 0),
                          latency)
