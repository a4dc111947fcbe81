"""The SQLite results store: one row per trial key, a done row is never written again, running rows of a dead
driver go back to pending, the driver lock, locked/corrupt/foreign files refused with nothing lost; fuzzed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activeq.errors import ExperimentError
from activeq.experiments import Experiment, Store, run
from activeq.experiments.store import DB_NAME
from activeq.experiments.trial import Outcome

WALK = "experiments._trials:walk"


def outcome(key, ok=True, result=None, error=None, series=None):
    return Outcome(key, 0, ok, result if ok else None, None if ok else (error or "Traceback\nRuntimeError: x"),
                   True, 1.0, 2.0, "host", 1, "0.1.0", None, series or {})


def test_commit_is_once_and_running_rows_of_a_dead_driver_go_back_to_pending(tmp_path):
    e = Experiment("e", WALK, seeds=3)
    trials = e.trials()
    with Store(tmp_path) as s:
        statuses, reset = s.register(e, trials)
        assert set(statuses.values()) == {"pending"} and reset == 0
        s.mark_running([t.key for t in trials])
        assert s.commit(outcome(trials[0].key, result={"v": 1.5}, series={"c": {"step": [1, 2], "v": [0.5, 0.25]}}))
        assert not s.commit(outcome(trials[0].key, result={"v": 99.0}))       # done is final
        assert not s.commit(outcome(trials[0].key, ok=False))
        assert s.commit(outcome(trials[1].key, ok=False, error="Traceback\nValueError: boom"))
    with Store(tmp_path) as s:          # a new driver: the third trial was left running
        statuses, reset = s.register(e, trials)
        assert reset == 1
        assert [statuses[t.key] for t in trials] == ["done", "failed", "pending"]
        res = s.results("e")
        assert res[0].result == {"v": 1.5} and res[0].attempts == 1
        assert res[0].series("c")["v"].tolist() == [0.5, 0.25]
        assert "ValueError: boom" in res[1].error and res[1].result is None
        assert [r["done"] for r in s.status()] == [1] and s.status()[0]["pending"] == 1
        rows = s.conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM trials").fetchone()
        assert rows == (3, 3)


def test_reusing_a_name_with_another_function_is_refused_and_nothing_is_lost(tmp_path):
    e = Experiment("e", WALK, seeds=2)
    with Store(tmp_path) as s:
        s.register(e, e.trials())
        s.commit(outcome(e.trials()[0].key, result={"v": 1}))
        other = Experiment("e", "experiments._trials:plain", seeds=2, params={"a": 1})
        with pytest.raises(ExperimentError, match="was run with function 'experiments._trials:walk'"):
            s.register(other, other.trials())
        assert s.results("e")[0].result == {"v": 1} and len(s.results("e")) == 2


def test_a_second_driver_on_the_same_experiment_is_refused(tmp_path):
    code = ("import sys, time; from activeq.experiments import Store; s = Store(sys.argv[1]); "
            "cm = s.lock('walks'); cm.__enter__(); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ExperimentError, match=rf"'walks' is being run by another process \(pid {holder.pid}"):
            run(Experiment("walks", WALK, seeds=2), tmp_path, workers=1, progress=False)
        with Store(tmp_path) as s:
            with s.lock("other"):               # other experiments in the same store are free
                pass
            assert s.experiments() == []        # the refused run stored nothing
    finally:
        holder.kill()
        holder.wait()
    res = run(Experiment("walks", WALK, seeds=2), tmp_path, workers=1, progress=False)   # the lock died with it
    assert [r.status for r in res] == ["done", "done"]


def test_a_store_locked_by_another_sqlite_writer(tmp_path):
    run(Experiment("first", WALK, seeds=1), tmp_path, workers=1, progress=False)
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Store(tmp_path, timeout=0.2) as s, pytest.raises(ExperimentError, match="is locked by another process"):
            run(Experiment("second", WALK, seeds=1), s, workers=1, progress=False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Store(tmp_path) as s:
        assert [r.status for r in s.results("first")] == ["done"]


def test_corrupt_foreign_and_misplaced_stores_are_refused_untouched(tmp_path):
    bad = tmp_path / "corrupt"
    bad.mkdir()
    blob = b"this is not a database" * 100
    (bad / DB_NAME).write_bytes(blob)
    with pytest.raises(ExperimentError, match="corrupt or not an SQLite database"):
        Store(bad)
    with pytest.raises(ExperimentError, match="corrupt or not an SQLite database"):
        run(Experiment("x", WALK), bad, workers=1, progress=False)
    assert (bad / DB_NAME).read_bytes() == blob
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    with sqlite3.connect(foreign / DB_NAME) as c:
        c.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(ExperimentError, match="not an activeq results store"):
        Store(foreign)
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(ExperimentError, match="must be a directory"):
        Store(afile)
    with pytest.raises(ExperimentError, match="no results store at"):
        Store(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()


def test_a_bad_spec_is_refused_before_the_store_is_created(tmp_path):
    with pytest.raises(ExperimentError, match="unexpected keyword argument"):
        run(Experiment("x", WALK, params={"nope": 1}), tmp_path / "s", progress=False)
    assert not (tmp_path / "s").exists()


# -- fuzzing -------------------------------------------------------------------------------------------------
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**53, 2**53), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(st.text(max_size=5), kids, max_size=3)),
    max_leaves=10)
ops = st.lists(st.tuples(st.sampled_from(["running", "ok", "fail", "release", "reopen"]), st.integers(0, 5),
                         st.dictionaries(st.text(max_size=5), json_values, max_size=3)), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops)
def test_fuzz_store_operations_keep_one_row_per_trial_and_done_results_final(tmp_path_factory, sequence):
    root = tmp_path_factory.mktemp("store")
    e = Experiment("fz", WALK, seeds=6)
    keys = [t.key for t in e.trials()]
    final: dict[str, dict] = {}
    s = Store(root)
    s.register(e, e.trials())
    try:
        for op, i, result in sequence:
            key = keys[i]
            if op == "running":
                s.mark_running([key])
            elif op == "ok":
                if s.commit(outcome(key, result=result)):
                    assert key not in final
                    final[key] = result
            elif op == "fail":
                s.commit(outcome(key, ok=False))
            elif op == "release":
                s.release([key])
            else:
                s.close()
                s = Store(root)
                s.register(e, e.trials())
        res = s.results("fz")
        assert [r.key for r in res] == keys
        for r in res:
            if r.key in final:
                assert r.status == "done" and r.result == final[r.key]
            else:
                assert r.status in ("pending", "running", "failed") and r.result is None
        counts = s.status()[0]
        assert counts["trials"] == 6 and counts["done"] == len(final)
    finally:
        s.close()


def test_a_store_of_the_first_layout_is_upgraded_in_place(tmp_path):
    """Stores written before the spec-position column was dropped open, keep their trials and take new ones."""
    run(Experiment("old", WALK, seeds=2), tmp_path, workers=1, progress=False)
    with sqlite3.connect(tmp_path / DB_NAME) as c:     # rebuild the first layout: position INTEGER NOT NULL
        c.execute("ALTER TABLE trials ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    with Store(tmp_path) as s:
        assert [r.status for r in s.results("old")] == ["done", "done"]
    res = run(Experiment("old", WALK, seeds=3), tmp_path, workers=1, progress=False)
    assert res.report.already_done == 2 and res.report.ran == 1
