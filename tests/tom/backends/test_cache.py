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
