"""The Ray executor, with real Ray: the same results as the local executor on the same spec (local Ray, 2 CPUs),
retries then failures with tracebacks, ``num_cpus`` per trial honoured; a real head node reached by ``address``;
Ray missing or an address where nothing listens give a clear error before the store is touched."""

from __future__ import annotations

import json
import socket
import sys

import pytest

from activeq.errors import ExperimentError
from activeq.experiments import Experiment, run
from activeq.experiments.executors import make_executor

from .._procs import cli

WALKS = Experiment("walks", "experiments._trials:walk", seeds=6, params={"steps": 30}, grid={"drift": [0.0, 1.0]})


def test_ray_gives_the_local_results_retries_records_failures_and_reserves_num_cpus(tmp_path, ray_local):
    local = run(WALKS, tmp_path / "local", workers=2, progress=False)
    on_ray = run(WALKS, tmp_path / "ray", executor="ray", progress=False)
    assert on_ray.report.executor.startswith("ray") and on_ray.report.done == 12
    assert [r.key for r in on_ray] == [r.key for r in local]
    assert [r.result for r in on_ray] == [r.result for r in local]
    assert [r.series("path")["value"].tolist() for r in on_ray] == [r.series("path")["value"].tolist() for r in local]

    broken = run(Experiment("b", "experiments._trials:broken", seeds=3, retries=2), tmp_path / "ray",
                 executor="ray", progress=False)
    assert [r.status for r in broken] == ["done", "failed", "done"]
    assert broken[1].attempts == 3 and "ValueError: seed 1 always fails" in broken[1].error
    flaky = run(Experiment("f", "experiments._trials:flaky", seeds=2, retries=1), tmp_path / "ray", executor="ray",
                progress=False)
    assert [r.result for r in flaky] == [{"seed": 0, "attempt": 1}, {"seed": 1, "attempt": 1}]

    # num_cpus=2 on a 2-CPU Ray: one trial at a time, so no two trials overlap in time
    whole = run(Experiment("w2", "experiments._trials:walk", seeds=3, params={"sleep": 0.3}, num_cpus=2),
                tmp_path / "ray", executor="ray", progress=False)
    spans = sorted((r.started, r.ended) for r in whole)
    assert all(a_end <= b_start + 1e-3 for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def test_a_real_head_node_reached_by_address(tmp_path, ray_head):
    address, env = ray_head
    spec = tmp_path / "walks.toml"
    spec.write_text('name = "walks"\nfunction = "experiments._trials:walk"\nseeds = 6\n[params]\nsteps = 30\n'
                    '[grid]\ndrift = [0.0, 1.0]\n')
    proc = cli("run", str(spec), "--store", str(tmp_path / "st"), "--executor", "ray", "--address", address,
               "--json", env=env)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out)
    assert report["executor"] == f"ray, {address}" and report["done"] == 12
    local = run(WALKS, tmp_path / "local", workers=2, progress=False)
    from activeq.experiments import results
    assert [r.result for r in results(tmp_path / "st", "walks")] == [r.result for r in local]


def test_ray_not_installed(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ExperimentError, match=r"executor 'ray' needs Ray, which is not installed"):
        run(WALKS, tmp_path / "st", executor="ray", progress=False)
    assert not (tmp_path / "st").exists()


def test_an_unreachable_or_malformed_address(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]          # bound, never listening: connections are refused
        with pytest.raises(ExperimentError, match=rf"no Ray cluster is reachable at '127.0.0.1:{port}'"):
            run(WALKS, tmp_path / "st", executor="ray", address=f"127.0.0.1:{port}", progress=False)
    with pytest.raises(ExperimentError, match="address must be 'host:port'"):
        make_executor("ray", address="nowhere")
    assert not (tmp_path / "st").exists()
