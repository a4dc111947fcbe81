"""The pytest plugin, as a user gets it from installing activeq (the pytest11 entry point): a real pytest process
runs a test file using the ``seeded`` fixture; results are cached by code version; failures show the per-seed table;
the terminal summary lists the session's experiments, also from xdist workers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

TEST_FILE = textwrap.dedent('''
    import numpy as np
    import pytest
    from activeq.experiments.testing import assert_better, assert_mean_at_least

    def draw(seed, mean=1.0):
        return {"x": float(np.random.default_rng(seed).normal(mean, 1.0))}

    @pytest.mark.experiment
    def test_true_claim(seeded):
        res = seeded(draw, seeds=10, mean=3.0)
        assert len(res) == 10 and res.seeds == tuple(range(10))
        assert_mean_at_least(res["x"], 2.0, name="x")
        assert_better(res["x"], seeded(draw, seeds=10, mean=0.0)["x"], names=("high", "low"))

    def test_false_claim(seeded):
        assert_mean_at_least(seeded(draw, seeds=[3, 4, 5], mean=0.0)["x"], 2.0, name="x")
''')


def pytest_run(path, *args):
    proc = subprocess.run([sys.executable, "-m", "pytest", str(path), "-p", "no:randomly", "-q",
                           "--activeq-store", str(path.parent / "store"), *args],
                          cwd=path.parent, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout


def test_seeded_fixture_caches_by_code_version_and_summarises(tmp_path):
    test = tmp_path / "test_claims.py"
    test.write_text(TEST_FILE)
    code, out = pytest_run(test, "-n", "2")
    assert code == 1, out
    assert "1 failed, 1 passed" in out
    summary = out.split("activeq experiments")[1]
    assert "test_claims.py::test_true_claim" in summary and "test_claims.py::test_false_claim" in summary
    assert "test_claims:draw(mean=3.0) x 10 seeds: computed in" in summary
    assert "PASS assert_mean_at_least: mean x >= 2" in summary and "PASS assert_better: high better than low" in summary
    assert "FAIL assert_mean_at_least: mean x >= 2" in summary
    # the failure shows the per-seed table (seeds 3, 4, 5) and the interval
    failure = out.split("test_false_claim", 1)[1].split("activeq experiments")[0]
    assert "is not shown to be >= 2" in failure and "interval: [" in failure
    rows = [line.split() for line in failure.splitlines()]
    assert all(any(r[1:2] == [str(s)] and len(r) == 3 for r in rows) for s in (3, 4, 5))

    code, out = pytest_run(test)                       # unchanged: every trial comes from the store
    assert code == 1
    assert out.split("activeq experiments")[1].count("seeds: cached") == 3


def test_the_code_version_changes_with_the_trial_module_and_nothing_else(tmp_path, monkeypatch):
    from activeq.experiments.trial import code_version

    module = tmp_path / "my_trials.py"
    module.write_text("def f(seed):\n    return {}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    v1 = code_version("my_trials:f")
    assert code_version("my_trials:f") == v1 and len(v1) == 64
    module.write_text("def f(seed):\n    return {'x': 1}\n")
    assert code_version("my_trials:f") != v1
    assert code_version("activeq.experiments.examples:noop") != v1
