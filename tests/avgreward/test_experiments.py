"""Regret experiments at CI scale: model-based gain learner vs Q-learning on bottleneck rooms; sweep bookkeeping
(resume, mid-run checkpoints, CSV, summaries, workers) and the regret-curve plot."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from activeq.avgreward.experiments import ENVIRONMENTS, EnvSpec, LearnerSpec, regret_sweep
from activeq.avgreward.learners import make_learner, run
from activeq.errors import ExperimentError


@pytest.mark.slow
@pytest.mark.parametrize("switching", ["cycles", "random"])
def test_model_based_gain_learner_beats_q_learning_on_rooms(switching):
    """4 rooms of 3x3 (144 states incl. the task), 5000 steps: on-policy rho has lower regret than Q-learning in
    at least 4 of 5 seeds (paired by seed), and its mean reward is closer to the exact optimal gain."""
    env = EnvSpec(switching, "rooms", {"rooms": 4, "length": 3, "switching": switching})
    res = regret_sweep([env], [LearnerSpec("rho_on", "rho_on"), LearnerSpec("q", "q_learning")], seeds=range(5),
                       steps=5000, progress=False)
    wins, n = res.paired_wins(switching, "rho_on", "q", 5000)
    assert n == 5 and wins >= 4
    rows = {r["learner"]: r for r in res.summary() if r["step"] == 5000}
    assert rows["rho_on"]["regret_mean"] < rows["q"]["regret_mean"]
    assert rows["rho_on"]["optimal_gain"] == pytest.approx(rows["q"]["optimal_gain"])


def _small_sweep(out_dir, **kw):
    envs = [EnvSpec("rand", "random_mdp", {"states": 5, "actions": 2, "seed": 3})]
    learners = [LearnerSpec("rho", "rho_on"), LearnerSpec("dq", "differential_q", {"lr": 0.2})]
    return regret_sweep(envs, learners, seeds=[0, 1], steps=400, report_steps=[100, 400], out_dir=out_dir,
                        curve_points=20, progress=False, **kw)


def test_sweep_records_match_direct_runs_and_resume(tmp_path):
    first = _small_sweep(tmp_path)
    assert len(first.records) == 4
    env = ENVIRONMENTS["random_mdp"](states=5, actions=2, seed=3)
    direct = run(make_learner("rho_on", 5, 2), env, 400, 1, progress=False)
    rec = first.select("rand", "rho")[1]
    assert rec.seed == 1
    assert rec.regret_at(400) == pytest.approx(direct.total_regret, abs=1e-9)
    assert rec.regret_at(100) == pytest.approx(direct.regret_at(100), abs=1e-9)
    assert rec.curve[-1] == pytest.approx(direct.total_regret, abs=1e-9) and rec.curve_steps[-1] == 400
    # resume: finished runs are read back, not recomputed (timings identical), results identical
    files = sorted((tmp_path / "runs").glob("*.json"))
    assert len(files) == 4
    stamps = [f.stat().st_mtime_ns for f in files]
    again = _small_sweep(tmp_path)
    assert again.records == first.records
    assert [f.stat().st_mtime_ns for f in files] == stamps
    # a deleted run is recomputed identically (apart from its timing)
    files[0].unlink()
    third = _small_sweep(tmp_path)
    for a, b in zip(third.records, first.records):
        assert (a.regret, a.curve, a.mean_reward) == (b.regret, b.curve, b.mean_reward)


def test_sweep_resumes_an_interrupted_run_from_its_checkpoint(tmp_path):
    envs = [EnvSpec("rooms", "rooms", {"rooms": 2, "length": 2})]
    learners = [LearnerSpec("rho", "rho_on")]
    full = regret_sweep(envs, learners, seeds=[4], steps=1000, progress=False)
    # leave a half-finished checkpoint where the sweep keeps it, as a killed process would
    env = envs[0].build()
    ckpt = tmp_path / "checkpoints" / "rooms__rho__seed4.json"
    ckpt.parent.mkdir(parents=True)
    run(make_learner("rho_on", env.num_states, env.num_actions), env, 1000, 4, progress=False, checkpoint=ckpt,
        checkpoint_every=300, stop_after=600)
    assert json.loads(ckpt.read_text())["t"] == 600
    resumed = regret_sweep(envs, learners, seeds=[4], steps=1000, out_dir=tmp_path, checkpoint_every=300,
                           progress=False)
    assert resumed.records[0].regret == full.records[0].regret
    assert not ckpt.exists()


def test_csv_summary_and_table(tmp_path):
    res = _small_sweep(tmp_path)
    with open(tmp_path / "summary.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 * 2
    by = {(r["learner"], r["seed"], r["step"]): float(r["regret"]) for r in rows}
    summary = {(r["learner"], r["step"]): r for r in res.summary()}
    for lea in ("rho", "dq"):
        vals = [by[(lea, s, "400")] for s in ("0", "1")]
        assert summary[(lea, 400)]["regret_mean"] == pytest.approx(np.mean(vals))
        assert summary[(lea, 400)]["regret_se"] == pytest.approx(np.std(vals, ddof=1) / np.sqrt(2))
    text = res.table()
    assert "rho" in text and "dq" in text and len(text.splitlines()) == 2 + 4


def test_sweep_with_worker_processes_matches_serial():
    envs = [EnvSpec("rand", "random_mdp", {"states": 4, "actions": 2, "seed": 0})]
    learners = [LearnerSpec("q", "q_learning")]
    serial = regret_sweep(envs, learners, seeds=[0, 1], steps=200, progress=False)
    parallel = regret_sweep(envs, learners, seeds=[0, 1], steps=200, progress=False, workers=2)
    assert [r.regret for r in serial.records] == [r.regret for r in parallel.records]


def test_regret_curve_plot_from_a_sweep(tmp_path):
    from activeq.plot.curves import plot_regret_curves

    res = _small_sweep(tmp_path)
    steps, curves = res.curves("rand")
    fig = plot_regret_curves(curves, x=steps, logx=True, title="regret")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2   # a mean line and a seed band per learner
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata()[-1], curves["rho"][:, -1].mean())
    fig.savefig(tmp_path / "regret.png")
    assert (tmp_path / "regret.png").stat().st_size > 0


def test_bad_sweep_input():
    with pytest.raises(ExperimentError, match="unknown learner"):
        LearnerSpec("x", "sarsa")
    with pytest.raises(ExperimentError, match="unknown environment"):
        regret_sweep([EnvSpec("x", "nowhere")], [LearnerSpec("q", "q_learning")], [0], 10, progress=False)
    with pytest.raises(ExperimentError, match="report_steps"):
        regret_sweep([EnvSpec("r", "random_mdp")], [LearnerSpec("q", "q_learning")], [0], 10, report_steps=[20],
                     progress=False)
    with pytest.raises(ExperimentError, match="unique"):
        regret_sweep([EnvSpec("r", "random_mdp")], [LearnerSpec("q", "q_learning"), LearnerSpec("q", "rho_on")], [0],
                     10, progress=False)


def test_cli_regret_command_json(capsys):
    from activeq.cli import main

    code = main(["regret", "--env", "random_mdp", "--params", '{"states": 4, "actions": 2}', "--steps", "200",
                 "--seeds", "2", "--learners", "rho_on,q_learning", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(r["learner"], r["step"]): r for r in data["summary"]}
    assert set(rows) == {(n, t) for n in ("rho_on", "q_learning") for t in (10, 100, 200)}
    env = ENVIRONMENTS["random_mdp"](states=4, actions=2)
    direct = [run(make_learner("q_learning", 4, 2), env, 200, s, progress=False).total_regret for s in (0, 1)]
    assert rows[("q_learning", 200)]["regret_mean"] == pytest.approx(np.mean(direct))
    assert main(["regret", "--params", "[1]"]) == 2
