"""ToM probes as experiment trials: a grid spec through activeq.experiments, stored, resumed, and against a real server."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ProbeError
from activeq.experiments import Experiment, Store
from activeq.experiments import run as run_experiment
from activeq.tom import probe
from activeq.tom.partners import parse_partner
from activeq.tom.trials import TRIAL, make_baseline, probe_trial


def _grid(name="tom_grid", **params):
    return Experiment.from_dict({"name": name, "function": TRIAL, "seeds": [0, 1, 2],
                                 "params": {"game": "rock_paper_scissors", "rounds": 30, **params},
                                 "grid": {"agent": ["model_based", "predicts_well"], "partner": ["single:0", "tft"]}})


def test_a_grid_spec_runs_stores_and_resumes_and_equals_probe(tmp_path):
    first = run_experiment(_grid(), tmp_path, workers=1, progress=False)
    assert first.report.ran == 12 and all(r.status == "done" for r in first)
    again = run_experiment(_grid(), tmp_path, workers=1, progress=False)
    assert again.report.ran == 0 and again.report.already_done == 12
    game = load_game("rock_paper_scissors")
    for rec in again:
        p = rec.params
        direct = probe(game, parse_partner(p["partner"]), make_baseline(p["agent"]), rounds=30, seeds=[rec.seed])
        assert rec.result["functional_regret"] == pytest.approx(direct.functional_regret)
        assert rec.result["accuracy"] == pytest.approx(direct.accuracy)
        curve = rec.series("regret")
        assert list(curve["round"]) == list(range(1, 31))
        assert curve["regret"][-1] == pytest.approx(30 * rec.result["functional_regret"])
        assert rec.result["total_reward"] == pytest.approx(rec.result["oracle_value"] - curve["regret"][-1])
    # the claim, read from the store: predicts well (~0.99) but acts at random (Delta_F/T ~ 1) vs single-action
    pw = [r.result for r in again if r.params["agent"] == "predicts_well" and r.params["partner"] == "single:0"]
    assert np.mean([r["accuracy"] for r in pw]) > 0.9 and np.mean([r["functional_regret"] for r in pw]) > 0.6


def test_a_trial_resumes_from_the_checkpoint_in_its_own_directory(tmp_path):
    written = {}
    ctx = SimpleNamespace(checkpoint_dir=tmp_path / "trial", write_series=lambda n, **c: written.update({n: c}))
    full = probe_trial(3, game="prisoners_dilemma", partner="tft", agent="model_based", rounds=20, context=ctx)
    (ckpt,) = (tmp_path / "trial" / "probe").glob("*_seed3.jsonl")
    lines = ckpt.read_text().splitlines()
    assert len(lines) == 20 and len(written["regret"]["regret"]) == 20
    # keep the first 10 rounds, as a killed trial would, and mark one: a resumed trial keeps it, a fresh one would not
    rec = json.loads(lines[4])
    rec["reward"] += 100.0
    ckpt.write_text("\n".join([*lines[:4], json.dumps(rec), *lines[5:10]]) + "\n")
    resumed = probe_trial(3, game="prisoners_dilemma", partner="tft", agent="model_based", rounds=20, context=ctx)
    assert resumed["total_reward"] == pytest.approx(full["total_reward"] + 100.0)
    assert len(ckpt.read_text().splitlines()) == 20


def test_an_llm_trial_over_a_real_http_server(tiny_server, tmp_path):
    spec = Experiment.from_dict({"name": "tom_http", "function": TRIAL, "seeds": [0, 1],
                                 "params": {"game": "bach_or_stravinsky", "partner": "tft", "agent": "llm",
                                            "backend": "openai", "base_url": tiny_server.base_url,
                                            "model": "tiny-llama", "rounds": 8, "max_tokens": 3,
                                            "cache": str(tmp_path / "answers.jsonl")},
                                 "grid": {"style": ["plain", "social"]}})
    res = run_experiment(spec, tmp_path / "store", workers=2, progress=False)
    assert res.report.ran == 4 and all(r.status == "done" for r in res)
    for r in res:
        out = r.result
        assert out["model"] == "tiny-llama" and out["style"] == r.params["style"] and out["rounds"] == 8
        assert out["template_hash"] and 0.0 <= out["parse_failure_rate"] <= 1.0
        assert out["retry_rate"] >= out["parse_failure_rate"]  # a failure is only recorded after its retry
        assert (out["accuracy"] is None) == (r.params["style"] == "plain")  # only the social style predicts
    assert (tmp_path / "answers.jsonl").exists()


@pytest.mark.parametrize("kw, match", [
    ({"agent": "gpt"}, "agent must be 'llm' or a baseline"),
    ({"agent": "llm"}, "needs a prompt style"),
    ({"agent": "llm", "style": "plain", "backend": "vllm", "model": "m"}, "backend must be one of"),
    ({"agent": "llm", "style": "plain", "backend": "openai"}, "needs a model"),
    ({"agent": "llm", "style": "plain", "backend": "openai", "model": "m"}, "needs a base_url"),
])
def test_bad_trial_parameters_are_refused_before_any_model_is_loaded(kw, match):
    with pytest.raises(ProbeError, match=match):
        probe_trial(0, rounds=5, **kw)


def test_an_llm_trial_on_a_local_model_loads_it_once_per_process(tiny_model_dir):
    from activeq.tom.trials import _local_model

    _local_model.cache_clear()
    kw = dict(game="rock_paper_scissors", partner="single:0", agent="llm", style="qa", backend="transformers",
              model=str(tiny_model_dir), rounds=4, max_tokens=3, cache=None)
    a, b = probe_trial(0, **kw), probe_trial(1, **kw)
    assert _local_model.cache_info().misses == 1 and _local_model.cache_info().hits == 1
    assert a["style"] == b["style"] == "qa" and a["rounds"] == 4 and a["accuracy"] is None
    assert probe_trial(0, **kw)["functional_regret"] == a["functional_regret"]  # greedy and seeded: reproducible
