"""``run``: resume after a real ``kill -9`` equals an uninterrupted run; retries, then failures recorded with their
traceback while the sweep goes on; results that are not JSON; long trials resuming from their checkpoint."""

from __future__ import annotations

import json
import signal

import pytest

from activeq.errors import ExperimentError
from activeq.experiments import Experiment, Store, run
from activeq.experiments.store import DB_NAME

from ._procs import alive, children, cli, count, wait_until


def _spec_file(tmp_path):
    p = tmp_path / "walks.toml"
    p.write_text('name = "walks"\nfunction = "experiments._trials:walk"\nseeds = 50\n'
                 '[params]\nsteps = 40\nsleep = 0.01\n[grid]\ndrift = [0.0, 0.5, 1.0, 1.5]\n')
    return p


def test_kill_9_mid_sweep_then_resume_equals_an_uninterrupted_run(tmp_path):
    """200 trials; the driver (a real `activeq run` process with 2 workers) is SIGKILLed after >= 40 trials; its
    workers die with it; re-running the spec finishes the rest, re-running the trials that were in flight; the store
    then equals a run that was never interrupted: each trial once, identical results and series."""
    spec = _spec_file(tmp_path)
    store = tmp_path / "killed"
    db = store / DB_NAME
    proc = cli("run", str(spec), "--store", str(store), "--workers", "2", "--quiet")
    try:
        assert wait_until(lambda: count(db, "done") >= 40 or proc.poll() is not None, timeout=120)
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    assert len(workers) == 2
    assert wait_until(lambda: not any(alive(p) for p in workers), timeout=10), "pool workers outlived the driver"
    done_before, running_before = count(db, "done"), count(db, "running")
    assert 40 <= done_before < 200 and running_before >= 1

    resumed = run(spec, store, workers=2, progress=False)
    assert resumed.report.already_done == done_before and resumed.report.interrupted == running_before
    assert resumed.report.ran == 200 - done_before
    fresh = run(spec, tmp_path / "fresh", workers=2, progress=False)

    assert [r.key for r in resumed] == [r.key for r in fresh] and len({r.key for r in resumed}) == 200
    assert all(r.status == "done" for r in resumed)
    assert [r.result for r in resumed] == [r.result for r in fresh]
    for a, b in zip(resumed, fresh):
        assert a.series("path")["value"].tolist() == b.series("path")["value"].tolist()
    with Store(store) as s:
        assert s.conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM trials").fetchone() == (200, 200)
    assert len(list((store / "metrics").rglob("path.csv"))) == 200


def test_a_raising_trial_is_retried_then_recorded_failed_and_the_sweep_goes_on(tmp_path):
    res = run(Experiment("b", "experiments._trials:broken", seeds=4, retries=2), tmp_path, workers=2, progress=False)
    assert [r.status for r in res] == ["done", "failed", "done", "done"]
    bad = res[1]
    assert bad.attempts == 3 and bad.result is None
    assert "Traceback" in bad.error and "ValueError: seed 1 always fails" in bad.error
    assert res.report.failed == 1 and res.report.done == 3
    flaky = run(Experiment("f", "experiments._trials:flaky", seeds=3, retries=1), tmp_path, workers=2, progress=False)
    assert [r.result for r in flaky] == [{"seed": s, "attempt": 1} for s in range(3)]
    assert all(r.attempts == 2 for r in flaky)
    # failed trials are run again by the next call; done ones are not
    again = run(Experiment("b", "experiments._trials:broken", seeds=4, retries=0), tmp_path, workers=1, progress=False)
    assert again.report.already_done == 3 and again.report.ran == 1 and again[1].attempts == 4
    kept = run(Experiment("b", "experiments._trials:broken", seeds=4, retries=0), tmp_path, workers=1, progress=False,
               rerun_failed=False)
    assert kept.report.ran == 0 and kept[1].status == "failed"


def test_a_result_that_is_not_json_is_recorded_failed_without_retries(tmp_path):
    res = run(Experiment("nj", "experiments._trials:not_json", seeds=2, retries=3), tmp_path, workers=1,
              progress=False)
    assert [r.status for r in res] == ["failed", "failed"]
    assert res[0].attempts == 1
    assert "result of trial 'nj/" in res[0].error and "result['payload'] is a set" in res[0].error


def test_a_trial_calling_sys_exit_fails_alone(tmp_path):
    res = run(Experiment("ex", "experiments._trials:exits", seeds=3, retries=0), tmp_path, workers=1, progress=False)
    assert [r.status for r in res] == ["failed", "done", "done"] and "SystemExit: 3" in res[0].error


def test_a_dying_worker_fails_only_an_attempt(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTIVEQ_TEST_CRASH_MARKER", str(tmp_path / "crashed"))
    res = run(Experiment("crash", "experiments._trials:worker_crash", seeds=4, retries=1), tmp_path / "s", workers=2,
              progress=False)
    assert (tmp_path / "crashed").exists()
    assert [r.status for r in res] == ["done"] * 4 and [r.result["seed"] for r in res] == [0, 1, 2, 3]


def test_a_long_trial_resumes_from_its_checkpoint_directory(tmp_path):
    """The first attempt stops after 6 of 10 steps (its checkpoint is in its own directory); the retry resumes at
    step 6 and gets the uninterrupted answer; the directory is removed once the result is committed."""
    whole = run(Experiment("c", "experiments._trials:counting", seeds=2, params={"steps": 10}), tmp_path / "a",
                workers=1, progress=False)
    cut = run(Experiment("c", "experiments._trials:counting", seeds=2, params={"steps": 10, "stop_at": 6}),
              tmp_path / "b", workers=1, progress=False)
    assert [r.result["total"] for r in cut] == [r.result["total"] for r in whole]
    assert [r.result["resumed_from"] for r in cut] == [6, 6] and [r.attempts for r in cut] == [2, 2]
    assert not any((tmp_path / "b" / "checkpoints").rglob("state.json"))
    kept = run(Experiment("k", "experiments._trials:counting", seeds=1, keep_checkpoints=True), tmp_path / "b",
               workers=1, progress=False)
    assert json.loads((tmp_path / "b" / "checkpoints" / kept[0].key / "state.json").read_text())["t"] == 10


def test_run_reads_a_toml_spec_and_returns_results_in_spec_order(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text('name = "p"\nfunction = "experiments._trials:plain"\nseeds = [5, 1]\n[grid]\na = [1, 2]\n')
    res = run(p, tmp_path / "st", workers=1, progress=False)
    assert [(r.params["a"], r.seed, r.result["sum"]) for r in res] == [(1, 5, 7), (1, 1, 3), (2, 5, 8), (2, 1, 4)]
    assert res.values("sum").tolist() == [7, 3, 8, 4]
    with pytest.raises(ExperimentError, match="no result entry 'nope'"):
        res.values("nope")
