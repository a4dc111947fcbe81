"""The local executor: one worker per core by default, workers die with their parent, bad options refused."""

from __future__ import annotations

import os
import signal
import time

import pytest

from activeq.errors import ExperimentError
from activeq.experiments.executors import make_executor
from activeq.experiments.executors.local import LocalExecutor, default_workers

from .._procs import alive, children, cli, wait_until


def test_default_is_one_worker_per_core():
    assert LocalExecutor().workers == default_workers() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("kw, match", [({"workers": 0}, r"workers must be an integer in \[1, "),
                                       ({"workers": 1.5}, r"workers must be an integer in \[1, "),
                                       ({"address": "127.0.0.1:1"}, "address is a Ray option"),
                                       ({"start_method": "teleport"}, "start_method must be one of")])
def test_bad_local_options(kw, match):
    with pytest.raises(ExperimentError, match=match):
        make_executor("local", **kw)


def test_unknown_executor():
    with pytest.raises(ExperimentError, match="executor must be one of 'local', 'ray'; got 'dask'"):
        make_executor("dask")


def test_workers_die_with_a_killed_driver(tmp_path):
    """SIGKILL the driver while its workers sleep inside trials: both workers are gone within a second."""
    spec = tmp_path / "s.toml"
    spec.write_text('name = "slow"\nfunction = "experiments._trials:walk"\nseeds = 4\n[params]\nsleep = 30.0\n')
    proc = cli("run", str(spec), "--store", str(tmp_path / "st"), "--workers", "2", "--quiet")
    try:
        assert wait_until(lambda: len(children(proc.pid)) == 2, timeout=60)
        workers = children(proc.pid)
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_until(lambda: not any(alive(p) for p in workers), timeout=5), "orphaned pool workers"
    finally:
        if proc.poll() is None:
            proc.kill()
