"""A small OpenAI-compatible chat-completions server over any backend (stdlib ``ThreadingHTTPServer``, 127.0.0.1).

``POST /v1/chat/completions`` answers ``{"id", "object", "model", "choices": [{"message": {"role", "content"},
"finish_reason"}], "usage"}``; ``GET /v1/models`` lists the one model. A prompt over the model's context answers 400
with ``code: context_length_exceeded`` (as vLLM and OpenAI do); a body that is not JSON answers 400. It exists so
the HTTP backend, the benchmark and the notebook run against a real server on loopback with a local model (e.g.
:class:`~activeq.tom.backends.transformers.TransformersChat`); production servers (vLLM, llama.cpp) speak the same
protocol. Requests are handled in threads; the backend decides what may run concurrently.

Raises ArgumentError for a host other than a loopback address.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ...errors import ActiveqError, ArgumentError, ContextLengthError


class _Handler(BaseHTTPRequestHandler):
    server_version = "activeq-tom/0.1"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this, ~40 ms delayed-ACK stalls

    def log_message(self, fmt: str, *args: Any) -> None:  # quiet
        return None

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": self.server.backend.model, "object": "model"}]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}", "code": "not_found"}})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, {"error": {"message": f"no route {self.path}", "code": "not_found"}})
            return
        try:
            req = json.loads(raw)
            messages = req["messages"]
            max_tokens = int(req.get("max_tokens") or 32)
            seed = int(req.get("seed") or 0)
            temperature = float(req.get("temperature", 0.0))
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, {"error": {"message": f"bad request: {exc}", "code": "invalid_request"}})
            return
        backend = self.server.backend
        kw: dict[str, Any] = {"max_tokens": max_tokens, "seed": seed}
        if "temperature" in getattr(backend.complete, "__code__", type("", (), {"co_varnames": ()})).co_varnames:
            kw["temperature"] = temperature
        try:
            out = backend.complete(messages, **kw)
        except ContextLengthError as exc:
            self._send(400, {"error": {"message": str(exc), "type": "invalid_request_error",
                                       "code": "context_length_exceeded"}})
            return
        except ActiveqError as exc:
            self._send(500, {"error": {"message": str(exc), "code": "backend_error"}})
            return
        self.server.calls += 1
        self._send(200, {"id": f"chatcmpl-{self.server.calls}", "object": "chat.completion",
                         "created": int(time.time()), "model": backend.model,
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": out.text},
                                      "finish_reason": "length" if out.completion_tokens >= max_tokens else "stop"}],
                         "usage": {"prompt_tokens": out.prompt_tokens, "completion_tokens": out.completion_tokens,
                                   "total_tokens": out.prompt_tokens + out.completion_tokens}})


class ChatServer:
    """Serve ``backend`` on ``http://host:port/v1`` in a background thread (a context manager).

    Parameters
    ----------
    backend : Backend
        The model to serve.
    host : str
        A loopback address.
    port : int
        0 picks a free port.
    """

    def __init__(self, backend: Any, host: str = "127.0.0.1", port: int = 0):
        if not (host.startswith("127.") or host in ("localhost", "::1")):
            raise ArgumentError(f"host must be a loopback address (127.0.0.0/8, localhost, ::1), got {host!r}")
        self.backend = backend
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.backend = backend  # type: ignore[attr-defined]
        self._httpd.calls = 0  # type: ignore[attr-defined]
        self.host, self.port = self._httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def calls(self) -> int:
        return int(self._httpd.calls)  # type: ignore[attr-defined]

    def start(self) -> "ChatServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="activeq-tom-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> "ChatServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m activeq.tom.backends.server MODEL_DIR [--gguf FILE] [--port N] [--max-batch B] [--dtype D]``: serve
    a local model (with ``--max-batch`` > 1, concurrent greedy requests are answered in batches)."""
    import argparse

    from .transformers import TransformersChat

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("--gguf", default=None)
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--name", default=None)
    p.add_argument("--max-batch", type=int, default=1)
    p.add_argument("--dtype", default="float32")
    p.add_argument("--reuse-prefix", type=int, default=4)
    a = p.parse_args(argv)
    srv = ChatServer(TransformersChat(a.model, gguf_file=a.gguf, name=a.name, max_batch=a.max_batch, dtype=a.dtype,
                                      reuse_prefix=a.reuse_prefix), port=a.port).start()
    print(f"serving {srv.backend.model} at {srv.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        srv.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
