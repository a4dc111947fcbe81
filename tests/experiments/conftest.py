"""Fixtures shared by the experiments tests: one local Ray session for the whole test session (Ray takes seconds to
start), and a real Ray head node on 127.0.0.1 (``ray start --head``, own ports and temp dir, stopped afterwards)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ray_local():
    """``ray.init`` with 2 CPUs, shared by every test of this session that needs an in-process Ray."""
    import ray

    from activeq.experiments.executors.ray import ray_init_options

    tmp = tempfile.mkdtemp(prefix="aqray", dir="/tmp")   # short: Ray's unix sockets live under it
    ray.init(**ray_init_options(num_cpus=2, object_store_memory=100 * 2**20, _temp_dir=tmp))
    yield ray
    ray.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ray_head():
    """A real head node on 127.0.0.1 with 2 CPUs and token authentication; yields ``(address, env)`` where ``env``
    holds the token a driver needs. Its processes share one process group, killed at teardown."""
    tmp = tempfile.mkdtemp(prefix="aqhead", dir="/tmp")
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16),
           "RAY_USAGE_STATS_ENABLED": "0"}
    port = _free_port()
    ray = str(Path(sys.executable).with_name("ray"))
    cmd = [ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port), "--num-cpus", "2",
           "--temp-dir", tmp, "--include-dashboard", "false", "--disable-usage-stats",
           "--object-store-memory", str(100 * 2**20)]
    for flag in ("--dashboard-port", "--node-manager-port", "--object-manager-port", "--metrics-export-port",
                 "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port", "--runtime-env-agent-port"):
        cmd += [flag, str(_free_port())]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out[-2000:]
        yield f"127.0.0.1:{port}", env
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
