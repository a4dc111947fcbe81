"""Record/replay cache: keyed by model, prompt and sampling parameters; on by default only at temperature 0."""

import json

from activeq.tom.backends import CachedBackend, Scripted, default_cache
from activeq.tom.backends.base import Completion

MSG = [{"role": "user", "content": "rock?"}]


class _Sampler:
    model = "sampler"

    def __init__(self, temperature):
        self.temperature = temperature
        self.calls = 0

    def sampling(self):
        return {"temperature": self.temperature}

    def complete(self, messages, *, max_tokens=32, seed=0):
        self.calls += 1
        return Completion(f"answer-{seed}-{self.calls}", 3, 1, 0.01)


def test_replay_from_disk_after_restart(tmp_path):
    inner = Scripted(["rock", "paper"])
    c = CachedBackend(inner, tmp_path / "c.jsonl")
    a = c.complete(MSG, seed=1)
    assert c.complete(MSG, seed=2).text == a.text and inner.calls == 1  # temperature 0: seed-independent
    again = CachedBackend(Scripted(["never"]), tmp_path / "c.jsonl")
    hit = again.complete(MSG, seed=9)
    assert hit.text == "rock" and hit.cached
    rec = json.loads((tmp_path / "c.jsonl").read_text().splitlines()[0])
    assert rec["model"] == "scripted" and rec["messages"] == MSG and rec["sampling"] == {"temperature": 0.0}


def test_sampled_answers_are_keyed_by_seed_so_variability_is_kept(tmp_path):
    inner = _Sampler(0.7)
    c = CachedBackend(inner, tmp_path / "c.jsonl")
    assert c.complete(MSG, seed=1).text != c.complete(MSG, seed=2).text
    assert c.complete(MSG, seed=1).cached and inner.calls == 2


def test_prompt_and_max_tokens_are_part_of_the_key(tmp_path):
    c = CachedBackend(_Sampler(0.0), tmp_path / "c.jsonl")
    c.complete(MSG, max_tokens=4)
    c.complete(MSG, max_tokens=5)
    c.complete([{"role": "user", "content": "paper?"}], max_tokens=4)
    assert len(c) == 3


def test_auto_is_on_only_at_temperature_zero(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIVEQ_CACHE_DIR", str(tmp_path))
    assert isinstance(default_cache(_Sampler(0.0)), CachedBackend)
    hot = _Sampler(0.5)
    assert default_cache(hot) is hot
    assert isinstance(default_cache(hot, tmp_path / "x.jsonl"), CachedBackend)
    assert default_cache(_Sampler(0.0), None).__class__ is _Sampler


def test_torn_last_line_is_skipped(tmp_path):
    p = tmp_path / "c.jsonl"
    CachedBackend(Scripted(["rock"]), p).complete(MSG)
    with open(p, "a") as fh:
        fh.write('{"key": "abc", "te')
    assert len(CachedBackend(Scripted(["x"]), p)) == 1


class _Slow(_Sampler):
    """Blocks in ``complete`` until released, so that other callers arrive while it is asking."""

    def __init__(self, temperature, fail=False):
        import threading

        super().__init__(temperature)
        self.release, self.fail = threading.Event(), fail

    def complete(self, messages, *, max_tokens=32, seed=0):
        self.calls += 1
        assert self.release.wait(10)
        if self.fail:
            raise ConnectionError("server went away")
        return Completion(f"answer-{seed}-{self.calls}", 3, 1, 0.01)


def _together(c, seeds):
    import time
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(len(seeds))
    futures = [pool.submit(c.complete, MSG, seed=s) for s in seeds]
    time.sleep(0.3)  # every caller is now either asking or waiting
    c.backend.release.set()
    pool.shutdown(wait=True)
    return futures


def test_concurrent_identical_greedy_calls_ask_the_model_once(tmp_path):
    c = CachedBackend(_Slow(0.0), tmp_path / "c.jsonl")
    outs = [f.result() for f in _together(c, range(5))]
    assert c.backend.calls == 1 and len({o.text for o in outs}) == 1
    assert sum(not o.cached for o in outs) == 1 and (c.hits, c.misses) == (4, 1)
    assert len((tmp_path / "c.jsonl").read_text().splitlines()) == 1


def test_concurrent_sampled_calls_with_different_seeds_each_ask(tmp_path):
    c = CachedBackend(_Slow(0.7), tmp_path / "c.jsonl")
    outs = [f.result() for f in _together(c, range(4))]
    assert c.backend.calls == 4 and len({o.text for o in outs}) == 4 and not any(o.cached for o in outs)


def test_a_failed_ask_reaches_every_waiter_and_is_not_cached(tmp_path):
    import pytest

    c = CachedBackend(_Slow(0.0, fail=True), tmp_path / "c.jsonl")
    for f in _together(c, range(3)):
        with pytest.raises(ConnectionError, match="server went away"):
            f.result()
    assert c.backend.calls == 1 and len(c) == 0
    c.backend.fail = False  # the next call asks again
    assert c.complete(MSG).text == "answer-0-2" and len((tmp_path / "c.jsonl").read_text().splitlines()) == 1


def test_records_written_under_another_key_rule_are_served(tmp_path):
    """An older file keyed greedy answers by seed too: its records are re-keyed when read, not asked again."""
    rec = {"key": "stale-key", "model": "sampler", "messages": MSG, "sampling": {"temperature": 0.0},
           "max_tokens": 32, "seed": 123, "text": "paper", "prompt_tokens": 3, "completion_tokens": 1}
    torn = '{"key": "x", "model": "sampler", "mess'
    (tmp_path / "c.jsonl").write_text(json.dumps(rec) + "\n" + torn)
    inner = _Sampler(0.0)
    c = CachedBackend(inner, tmp_path / "c.jsonl")
    out = c.complete(MSG, seed=7)
    assert (out.text, out.cached, inner.calls, len(c)) == ("paper", True, 0, 1)
