"""Realtime learning runs as experiment trials: a sweep spec through activeq.experiments, stored, resumed mid-run."""

import pytest

from activeq.errors import ArgumentError
from activeq.experiments import Experiment, Store
from activeq.experiments import run as run_experiment
from activeq.realtime.agents import ppo
from activeq.realtime.agents._common import load_checkpoint, save_checkpoint
from activeq.realtime.trials import TRIAL, make_args, train_trial

TINY = dict(game="breakout", network="cnn", channels=[4, 4, 4], hidden=[16], skip="all", history=2,
            schedule="sequential", total_frames=384, num_envs=2, num_steps=16, num_minibatches=2, update_epochs=1,
            checkpoint_every=2, critic_hidden=[16])


def _spec(name="rt"):
    return Experiment.from_dict({"name": name, "function": TRIAL, "seeds": [3], "params": {"algo": "ppo", **TINY},
                                 "grid": {"inference_frames": [1, 2]}})


def test_a_sweep_spec_runs_stores_and_equals_a_direct_run(tmp_path):
    first = run_experiment(_spec(), tmp_path, workers=1, progress=False)
    assert first.report.ran == 2 and all(r.status == "done" for r in first)
    assert run_experiment(_spec(), tmp_path, workers=1, progress=False).report.ran == 0
    for rec in first:
        tau = rec.params["inference_frames"]
        direct = ppo.train(make_args("ppo", 3, **TINY, inference_frames=tau), progress=False)
        out = rec.result
        assert (out["env_delay"], out["delay"], out["frames"]) == (tau, direct.delay, direct.frames)
        assert out["episodes"] == len(direct.episodes.returns) > 5
        assert out["final_return"] == pytest.approx(direct.final_return())
        ep = rec.series("episodes")
        assert list(ep["episode_return"]) == pytest.approx(direct.episodes.returns)
        assert sum(ep["length"]) <= out["frames"]


def test_a_killed_trial_resumes_from_its_checkpoint_and_equals_an_uninterrupted_run(tmp_path):
    spec = Experiment.from_dict({"name": "rt_ck", "function": TRIAL, "seeds": [5],
                                 "params": {"algo": "ppo", **TINY, "inference_frames": 2}})
    key = spec.trials()[0].key
    ckpt = Store(tmp_path).checkpoint_dir(key) / "train.json"
    ckpt.parent.mkdir(parents=True)
    part = ppo.train(make_args("ppo", 5, **TINY, inference_frames=2), checkpoint=ckpt, stop_after=1, progress=False)
    full = ppo.train(make_args("ppo", 5, **TINY, inference_frames=2), progress=False)
    assert part.frames < full.frames and len(part.episodes.returns) > 0
    # mark the first episode in the checkpoint: a resumed trial keeps the mark, a fresh one would not
    state = load_checkpoint(ckpt)
    state["episodes"]["returns"][0] += 1000.0
    save_checkpoint(ckpt, state)
    (rec,) = run_experiment(spec, tmp_path, workers=1, progress=False)
    assert rec.result["frames"] == full.frames and rec.result["episodes"] == len(full.episodes.returns)
    resumed = list(rec.series("episodes")["episode_return"])
    assert resumed[0] == pytest.approx(full.episodes.returns[0] + 1000.0)
    assert resumed[1:] == pytest.approx(full.episodes.returns[1:])  # the rest equals an uninterrupted run


@pytest.mark.parametrize("kw, match", [
    ({"algo": "a2c"}, "algo must be one of ppo, dqn"),
    ({"algo": "ppo", "learning_rat": 0.1}, "ppo has no argument 'learning_rat'"),
    ({"algo": "ppo", "inference_frames": 0}, "inference_frames"),
    ({"algo": "ppo", "final_fraction": 0.0}, "final_fraction"),
])
def test_bad_trial_parameters_are_refused_before_any_environment_is_built(kw, match):
    with pytest.raises(ArgumentError, match=match):
        train_trial(0, **kw)
