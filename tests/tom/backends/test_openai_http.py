"""The HTTP backend against real servers on 127.0.0.1: the tiny model over the OpenAI protocol (a whole 100-round
probe), and small fault servers for down / timeout / 5xx / non-JSON / context-length, with resume after failure."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import BackendError, ContextLengthError, ProbeError, ResponseFormatError, ArgumentError
from activeq.tom import probe
from activeq.tom.agents import LLMAgent
from activeq.tom.backends import ChatServer, OpenAIChat, Scripted, check_backend
from activeq.tom.partners import single_action, tit_for_tat

RPS = load_game("rock_paper_scissors")
MSG = [{"role": "user", "content": "rock?"}]


def test_tiny_model_over_http_passes_the_conformance_check(tiny_server):
    with OpenAIChat(tiny_server.base_url, "tiny-llama") as backend:
        check_backend(backend)


def test_whole_100_round_probe_over_http_exercises_the_parse_failure_path(tiny_server):
    calls0 = tiny_server.calls
    with OpenAIChat(tiny_server.base_url, "tiny-llama", max_concurrency=2) as backend:
        agent = LLMAgent(backend, "plain", max_tokens=4, cache=None, history_window=20)  # bounded prompts: CI time
        res = probe(RPS, single_action(0), agent, rounds=100, seeds=1)
    traj = res.trajectories[0]
    assert traj.complete and len(traj.records) == 100
    # gibberish: every round is retried once and falls back (uniformly), and every fallback is counted
    assert res.parse_failure_rate == 1.0 and res.mean("retry_rate") == 1.0
    assert tiny_server.calls - calls0 == 200
    assert 0.5 < res.functional_regret < 1.5  # uniform play vs rock: expected gap 1
    assert res.mean("tokens_per_round") > 500  # the rules and the last 20 rounds are in the prompt


def _serve(handler_cls):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/v1"


class _Faulty(BaseHTTPRequestHandler):
    mode = "ok"
    hits = 0

    def log_message(self, *a):
        pass

    def do_POST(self):
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = type(self).mode
        if mode == "slow":
            time.sleep(1.5)
        if mode == "flaky" and type(self).hits < 3 or mode == "500":
            body, status = b'{"error": "overloaded"}', 503
        elif mode == "nonjson":
            body, status = b"<html>gateway</html>", 200
        elif mode == "nocontent":
            body, status = b'{"choices": []}', 200
        else:
            body, status = json.dumps({"choices": [{"message": {"content": "paper"}}],
                                       "usage": {"prompt_tokens": 5, "completion_tokens": 1}}).encode(), 200
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def faulty():
    cls = type("F", (_Faulty,), {"mode": "ok", "hits": 0})
    httpd, url = _serve(cls)
    yield cls, url
    httpd.shutdown()
    httpd.server_close()


def test_server_down_is_retried_then_a_clear_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    b = OpenAIChat(f"http://127.0.0.1:{port}/v1", "m", max_retries=2, backoff=0.01)
    with pytest.raises(BackendError, match="failed after 3 tries: could not connect"):
        b.complete(MSG)
    assert b.retries == 2


def test_timeouts_are_retried_then_a_clear_error(faulty):
    cls, url = faulty
    cls.mode = "slow"
    b = OpenAIChat(url, "m", timeout=0.3, max_retries=1, backoff=0.01)
    with pytest.raises(BackendError, match="timed out after 0.3 s"):
        b.complete(MSG)
    assert cls.hits == 2


def test_5xx_is_retried_with_backoff_and_recovers(faulty):
    cls, url = faulty
    cls.mode = "flaky"
    b = OpenAIChat(url, "m", max_retries=3, backoff=0.01)
    assert b.complete(MSG).text == "paper"
    assert cls.hits == 3 and b.retries == 2


def test_non_json_and_malformed_bodies_are_format_errors(faulty):
    cls, url = faulty
    cls.mode = "nonjson"
    with pytest.raises(ResponseFormatError, match="not JSON"):
        OpenAIChat(url, "m").complete(MSG)
    cls.mode = "nocontent"
    with pytest.raises(ResponseFormatError, match="choices"):
        OpenAIChat(url, "m").complete(MSG)


def test_prompt_longer_than_the_context_is_a_context_length_error(tiny_server):
    huge = [{"role": "user", "content": "rock paper scissors " * 5000}]
    with pytest.raises(ContextLengthError, match="context length 8192"):
        OpenAIChat(tiny_server.base_url, "tiny-llama", max_retries=0).complete(huge)


def test_rounds_played_before_a_server_failure_are_kept_and_resumable(tmp_path):
    state = {"down": True, "n": 0}

    def answer(messages, seed):
        state["n"] += 1
        if state["down"] and state["n"] > 30:
            raise BackendError("simulated crash")
        return "paper"

    with ChatServer(Scripted(answer)) as server:
        agent = LLMAgent(OpenAIChat(server.base_url, "scripted", max_retries=1, backoff=0.01), "plain", cache=None)
        with pytest.raises(BackendError, match="30 rounds kept") as info:
            probe(RPS, tit_for_tat(), agent, rounds=60, seeds=1, checkpoint=tmp_path)
        assert len(info.value.partial.records) == 30
        state["down"] = False
        res = probe(RPS, tit_for_tat(), agent, rounds=60, seeds=1, checkpoint=tmp_path)
    assert res.trajectories[0].complete
    ref = probe(RPS, tit_for_tat(), LLMAgent(Scripted(["paper"]), "plain", cache=None), rounds=60, seeds=1)
    assert np.array_equal(res.per_seed("functional_regret"), ref.per_seed("functional_regret"))


def test_bounded_concurrency_caps_requests_in_flight(faulty):
    cls, url = faulty
    cls.mode = "ok"
    b = OpenAIChat(url, "m", max_concurrency=2)
    inflight, peak, lock = [0], [0], threading.Lock()
    orig = b._client.post

    def post(*a, **k):
        with lock:
            inflight[0] += 1
            peak[0] = max(peak[0], inflight[0])
        time.sleep(0.05)
        try:
            return orig(*a, **k)
        finally:
            with lock:
                inflight[0] -= 1

    b._client.post = post
    threads = [threading.Thread(target=b.complete, args=(MSG,)) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert peak[0] == 2


def test_bad_backend_arguments():
    with pytest.raises(ArgumentError, match="base_url"):
        OpenAIChat("localhost:8000", "m")
    with pytest.raises(ArgumentError, match="temperature"):
        OpenAIChat("http://127.0.0.1:1/v1", "m", temperature=-1)
    from activeq.tom.backends.base import check_backend_name

    with pytest.raises(ProbeError, match="backend must be one of"):
        check_backend_name("telepathy")


def test_server_command_batches_concurrent_requests_in_a_real_process(tiny_model_dir, tiny_backend, tmp_path):
    """``python -m activeq.tom.backends.server DIR --max-batch 4`` in its own process: concurrent greedy requests over
    HTTP get the answers the model gives each prompt alone."""
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from activeq.tom.prompting import render

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "activeq.tom.backends.server", str(tiny_model_dir), "--port",
                             str(port), "--max-batch", "4", "--name", "tiny-llama"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = [proc.stdout.readline()]  # "serving ... at URL" once it listens, after the loader's progress output
        while "serving" not in lines[-1] and lines[-1] and len(lines) < 100:
            lines.append(proc.stdout.readline())
        assert f"127.0.0.1:{port}/v1" in lines[-1], lines
        prompts = [render("social", RPS, [(t % 3, 0)] * t, 100, None, 4) for t in range(8)]
        with OpenAIChat(f"http://127.0.0.1:{port}/v1", "tiny-llama", max_concurrency=8, timeout=120) as backend, \
                ThreadPoolExecutor(8) as pool:
            over_http = list(pool.map(lambda m: backend.complete(m, max_tokens=6).text, prompts))
        assert over_http == [tiny_backend.complete(m, max_tokens=6).text for m in prompts]
    finally:
        proc.kill()
        proc.wait(timeout=30)
