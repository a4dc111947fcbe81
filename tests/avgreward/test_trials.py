"""Regret trials at CI scale, run through activeq.experiments: the model-based gain learner beats Q-learning on
bottleneck rooms (the plugin's statistical assertions); trial results equal direct runs; resume from the store and
from a mid-run checkpoint; the two defects of the old runner (orphaned workers after kill -9, a changed --steps
stopping on a stale checkpoint) stay fixed; summaries, CSV, curves, the CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from activeq.avgreward.environments import ENVIRONMENTS
from activeq.avgreward.learners import make_learner, run
from activeq.avgreward.trials import RegretRuns, regret_spec, regret_trial
from activeq.errors import ExperimentError
from activeq.experiments import Experiment, Store
from activeq.experiments import run as run_experiment
from activeq.experiments.testing import assert_better, assert_fraction_at_least

ROOMS = {"rooms": 4, "length": 3}


@pytest.mark.slow
@pytest.mark.experiment
@pytest.mark.parametrize("switching", ["cycles", "random"])
def test_model_based_gain_learner_beats_q_learning_on_rooms(seeded, switching):
    """4 rooms of 3x3 (144 states incl. the task), 5000 steps, 5 seeds: on-policy rho's regret is lower than
    Q-learning's (paired one-sided t at 95%) and lower in at least 4 of the 5 seeds."""
    env = {**ROOMS, "switching": switching}
    rho = seeded(regret_trial, seeds=5, env_params=env, learner="rho_on", steps=5000)
    q = seeded(regret_trial, seeds=5, env_params=env, learner="q_learning", steps=5000)
    assert_better(rho["total_regret"], q["total_regret"], larger_is_better=False, names=("rho_on", "q_learning"))
    assert_fraction_at_least(q["total_regret"] - rho["total_regret"], 1e-9, k=4, n=5,
                             name="Q-learning's regret minus rho_on's")
    gains = {r.result["optimal_gain"][-1] for res in (rho, q) for r in res.records}
    assert max(gains) - min(gains) < 1e-12          # both charged against the same exact optimal gain


def test_trial_equals_a_direct_run_at_every_report_step():
    out = regret_trial(1, environment="random_mdp", env_params={"states": 5, "actions": 2, "seed": 3},
                       learner="rho_on", steps=400, report_steps=[100, 400])
    env = ENVIRONMENTS["random_mdp"](states=5, actions=2, seed=3)
    direct = run(make_learner("rho_on", 5, 2), env, 400, 1, progress=False)
    assert out["report_steps"] == [100, 400] and out["learner"] == "rho_on"
    assert out["regret"] == pytest.approx([direct.regret_at(100), direct.total_regret], abs=1e-9)
    assert out["total_regret"] == pytest.approx(direct.total_regret, abs=1e-9)
    assert out["mean_reward"] == pytest.approx([direct.rewards[:100].mean(), direct.rewards.mean()])
    assert out["optimal_gain"] == pytest.approx([direct.optimal_gains[:100].mean(), direct.optimal_gains.mean()])


def _small(store, **kw):
    spec = regret_spec("small", [("random_mdp", {"states": 5, "actions": 2, "seed": 3})],
                       ["rho_on", ("differential_q", {"lr": 0.2})], seeds=2, steps=400, report_steps=[100, 400],
                       curve_points=20)
    return run_experiment(Experiment.from_dict(spec), store, workers=1, progress=False, **kw)


def test_runs_resume_from_the_store_and_summarise(tmp_path):
    first = _small(tmp_path)
    assert first.report.ran == 4
    again = _small(tmp_path)
    assert again.report.ran == 0 and again.report.already_done == 4
    assert [(r.result, r.ended) for r in again] == [(r.result, r.ended) for r in first]   # read back, not rerun
    runs = RegretRuns.from_records(again)
    assert runs.learners == ["rho_on", "differential_q(lr=0.2)"] and runs.environments == ["random_mdp5x2"]
    rows = {(r["learner"], r["step"]): r for r in runs.summary()}
    vals = [r.regret_at(400) for r in runs.select(learner="rho_on")]
    assert rows[("rho_on", 400)]["regret_mean"] == pytest.approx(np.mean(vals))
    assert rows[("rho_on", 400)]["regret_se"] == pytest.approx(np.std(vals, ddof=1) / np.sqrt(2))
    # each row's mean reward is over the steps up to that row's step (issue 14: it used to repeat the final one)
    for lea in runs.learners:
        assert rows[(lea, 100)]["mean_reward"] != rows[(lea, 400)]["mean_reward"]
        assert rows[(lea, 100)]["mean_reward"] == pytest.approx(
            np.mean([r.mean_reward[0] for r in runs.select(learner=lea)]))
    text = runs.table().splitlines()
    assert len(text) == 2 + 4 and text[2].split()[:3] == ["random_mdp5x2", "rho_on", "100"]
    runs.to_csv(tmp_path / "s.csv")
    with open(tmp_path / "s.csv") as f:
        assert len(list(csv.DictReader(f))) == 4 * 2


def test_a_long_run_resumes_from_its_checkpoint_in_the_trial_directory(tmp_path):
    spec = Experiment.from_dict(regret_spec("ck", [("rooms", {"rooms": 2, "length": 2})], ["rho_on"], seeds=[4],
                                            steps=1000, checkpoint_every=300))
    key = spec.trials()[0].key
    # leave a half-finished checkpoint where the trial keeps it, as a killed driver would
    env = ENVIRONMENTS["rooms"](rooms=2, length=2)
    ckpt = Store(tmp_path).checkpoint_dir(key) / "run.json"
    ckpt.parent.mkdir(parents=True)
    run(make_learner("rho_on", env.num_states, env.num_actions), env, 1000, 4, progress=False, checkpoint=ckpt,
        checkpoint_every=300, stop_after=600)
    assert json.loads(ckpt.read_text())["t"] == 600
    resumed = run_experiment(spec, tmp_path, workers=1, progress=False)
    full = regret_trial(4, environment="rooms", env_params={"rooms": 2, "length": 2}, steps=1000)
    assert resumed[0].result["regret"] == full["regret"]
    assert not ckpt.exists()


def _cli(*args):
    code = "import sys; from activeq.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, "regret", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_changed_steps_is_a_new_trial_not_a_conflict(tmp_path, capsys):
    """The old runner overwrote the finished 200-step record and then stopped on a stale checkpoint ("belongs to a
    different run (differs in ['steps'])"); now --steps is part of the trial key."""
    from activeq.cli import main

    common = ["regret", "--env", "random_mdp", "--params", '{"states": 4, "actions": 2}', "--learners", "q_learning",
              "--seeds", "2", "--store", str(tmp_path), "--workers", "1", "--json"]
    assert main([*common, "--steps", "200"]) == 0
    with Store(tmp_path) as s:
        before = [(r.key, r.result, r.ended) for r in s.results("regret")]
    capsys.readouterr()
    assert main([*common, "--steps", "300"]) == 0
    assert {r["step"] for r in json.loads(capsys.readouterr().out)["summary"]} == {10, 100, 300}
    with Store(tmp_path) as s:
        after = s.results("regret")
    assert len(after) == 4 and [(r.key, r.result, r.ended) for r in after[:2]] == before
    assert [r.result["steps"] for r in after] == [200, 200, 300, 300]


def test_regret_workers_die_with_a_killed_driver_and_the_rerun_finishes(tmp_path):
    """The old runner's pool workers outlived a kill -9 and raced the restarted sweep on one checkpoint file."""
    from experiments._procs import alive, children, count, wait_until

    args = ["--env", "random_mdp", "--params", '{"states": 6, "actions": 3}', "--learners", "q_learning,r_learning",
            "--steps", "10000", "--seeds", "4", "--store", str(tmp_path), "--workers", "2", "--json"]
    p = _cli(*args)
    try:
        assert wait_until(lambda: len(children(p.pid)) == 2 or p.poll() is not None, timeout=120)
        workers = children(p.pid)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    finally:
        if p.poll() is None:
            p.kill()
    assert len(workers) == 2 and wait_until(lambda: not any(alive(w) for w in workers), timeout=5)
    assert count(tmp_path / "activeq.sqlite", "done") < 8
    p = _cli(*args)
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    rows = {(r["learner"], r["step"]): r["regret_mean"] for r in json.loads(out)["summary"]}
    fresh = [regret_trial(s, environment="random_mdp", env_params={"states": 6, "actions": 3}, learner="q_learning",
                          steps=10000) for s in range(4)]
    assert rows[("q_learning", 10000)] == pytest.approx(np.mean([f["total_regret"] for f in fresh]), abs=1e-9)


def test_bad_regret_input():
    with pytest.raises(ExperimentError, match="unknown learner 'sarsa'"):
        regret_spec("x", [("rooms", {})], ["sarsa"], 1, 10)
    with pytest.raises(ExperimentError, match="unknown environment builder 'nowhere'"):
        regret_trial(0, environment="nowhere", steps=10)
    with pytest.raises(ExperimentError, match="report_steps must be <= steps"):
        regret_trial(0, environment="random_mdp", steps=10, report_steps=[20])


def test_regret_curve_plot_from_a_sweep(tmp_path):
    from activeq.plot.curves import plot_regret_curves

    runs = RegretRuns.from_records(_small(tmp_path))
    steps, curves = runs.curves("random_mdp5x2")
    assert steps[-1] == 400 and curves["rho_on"].shape == (2, len(steps))
    assert curves["rho_on"][:, -1].tolist() == [r.regret_at(400) for r in runs.select(learner="rho_on")]
    fig = plot_regret_curves(curves, x=steps, logx=True, title="regret")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2   # a mean line and a seed band per learner
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata()[-1], curves["rho_on"][:, -1].mean())


def test_cli_regret_command_json_and_csv(capsys):
    from activeq.cli import main

    args = ["regret", "--env", "random_mdp", "--params", '{"states": 4, "actions": 2}', "--steps", "200", "--seeds",
            "2", "--learners", "rho_on,q_learning", "--workers", "1"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(r["learner"], r["step"]): r for r in data["summary"]}
    assert set(rows) == {(n, t) for n in ("rho_on", "q_learning") for t in (10, 100, 200)}
    env = ENVIRONMENTS["random_mdp"](states=4, actions=2)
    direct = [run(make_learner("q_learning", 4, 2), env, 200, s, progress=False).total_regret for s in (0, 1)]
    assert rows[("q_learning", 200)]["regret_mean"] == pytest.approx(np.mean(direct))
    assert main([*args, "--csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == 6 and float(table[-1]["regret_mean"]) == pytest.approx(np.mean(direct))
    assert main(["regret", "--params", "[1]"]) == 2
    assert main(["regret", "--learners", "sarsa"]) == 2


def test_avgreward_does_not_import_the_experiments_layer():
    code = ("import sys, activeq.avgreward, activeq.avgreward.trials; "
            "print(sorted(m for m in sys.modules if m.startswith('activeq.experiments')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
