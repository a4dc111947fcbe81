"""RealtimeEnv over gymnasium envs: the acting-step convention, schedules, β, slots, seeding, errors, MinAtar."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import RealtimeError, RealtimeRunError
from activeq.realtime import InferenceTime, RealtimeEnv

from ._envs import Counter, run_echo


@pytest.mark.parametrize("workers, schedule, rate", [(1, "sequential", 1 / 8), (4, "staggered", 0.5),
                                                     (8, "staggered", 1.0), (4, "unstaggered", 1 / 8)])
def test_actions_act_at_start_plus_ceil_tau_ratio(workers, schedule, rate):
    inner = Counter(horizon=400)
    env = RealtimeEnv(inner, 1.0, 8.0, workers=workers, schedule=schedule, default_action=0)
    infos = run_echo(env)
    ro = env.rollout()
    applied = np.array(inner.applied)
    pol = ro.source >= 0
    # the echo policy answers "observed step + 1": the applied action names the observation it was computed on
    assert np.array_equal(applied[pol] - 1, ro.source[pol])
    assert np.all(ro.staleness[pol] == 8)
    assert np.all(applied[~pol] == 0)
    assert np.mean(pol[8:]) == pytest.approx(rate, abs=1e-12)
    assert sum(i["env_steps"] for i in infos) == 400
    assert env.stats.env_steps == 400


def test_sequential_baseline_is_charged_the_delay_once():
    # reference bug: the "sequential" baseline saw a d-step-old observation *and* waited d noops before acting
    d = 5
    inner = Counter(horizon=200)
    env = RealtimeEnv(inner, 0.01, d * 0.01, schedule="sequential", default_action=0)
    infos = run_echo(env)
    ro = env.rollout()
    acted = np.flatnonzero(ro.source >= 0)
    assert np.all(np.diff(acted) == d)  # one action every d steps (rate 1/d) ...
    assert np.all(ro.staleness[acted] == d)  # ... computed on the observation d steps before, not 2d
    assert all(i["env_steps"] == d for i in infos[2:-1])  # each agent step spans d env steps


def test_semi_mdp_rewards_sum_the_elapsed_env_steps():
    inner = Counter(horizon=300)
    env = RealtimeEnv(inner, 1.0, 3.0, workers=1, default_action=7)
    obs, _ = env.reset(seed=0)
    total = 0.0
    while True:
        obs, r, term, trunc, info = env.step(1)
        total += r
        if term or trunc:
            break
    assert total == pytest.approx(sum(inner.applied))
    assert set(inner.applied) == {1, 7}


@pytest.mark.parametrize("beta", ["noop", "repeat", "random", 5])
def test_default_actions(beta):
    inner = Counter(n=10, horizon=100)
    env = RealtimeEnv(inner, 1.0, 4.0, default_action=beta, seed=1)
    obs, _ = env.reset(seed=1)
    while True:
        obs, r, term, trunc, _ = env.step(9)
        if term or trunc:
            break
    ro = env.rollout()
    filled = np.array(inner.applied)[ro.source < 0]
    if beta == "noop":
        assert set(filled) == {0}
    elif beta == 5:
        assert set(filled) == {5}
    elif beta == "repeat":
        assert set(filled[4:]) == {9} and set(filled[:4]) == {0}  # noop until the first policy action
    else:
        assert len(set(filled)) > 3


def test_fifo_slot_applies_every_action_in_order():
    inner = Counter(horizon=200)
    env = RealtimeEnv(inner, 1.0, 8.0, workers=4, schedule="unstaggered", slot="fifo", default_action=0)
    run_echo(env)
    assert env.stats.lost == 0
    src = env.rollout().source
    acted = src[src >= 0]
    assert np.all(np.diff(acted) >= 0)


def test_same_seed_same_trajectory_with_jitter():
    def go(seed):
        env = RealtimeEnv(Counter(horizon=300), 1.0, 6.0, workers=6, jitter=0.3, padding="none", seed=seed)
        run_echo(env, seed=seed)
        return env.rollout().source
    assert np.array_equal(go(3), go(3))
    assert not np.array_equal(go(3), go(4))


def test_measured_torch_model_time_drives_the_schedule():
    torch = pytest.importorskip("torch")
    net = torch.nn.Linear(8, 4)
    law = InferenceTime.from_model(net, torch.zeros(1, 8), repeats=5)
    env = RealtimeEnv(Counter(horizon=50), law.mean / 3, law, workers=4)
    run_echo(env)
    assert env.stats.env_steps == 50


def test_wrapped_env_raising_mid_run_keeps_the_rollout():
    env = RealtimeEnv(Counter(horizon=1000, fail_at=37), 1.0, 2.0, default_action=0)
    with pytest.raises(RealtimeRunError, match="OSError at env step 37: sensor unplugged") as exc:
        run_echo(env)
    assert exc.value.step == 37
    assert exc.value.rollout.steps == 37
    assert isinstance(exc.value.__cause__, OSError)
    with pytest.raises(RealtimeError, match="reset"):
        env.step(0)


def test_bad_input():
    inner = Counter(n=6)
    with pytest.raises(RealtimeError, match="default_action"):
        RealtimeEnv(inner, 1.0, 2.0, default_action=6)
    with pytest.raises(RealtimeError, match="default_action"):
        RealtimeEnv(inner, 1.0, 2.0, default_action="stay")
    with pytest.raises(RealtimeError, match="schedule"):
        RealtimeEnv(inner, 1.0, 2.0, schedule="lazy")
    with pytest.raises(RealtimeError, match="workers"):
        RealtimeEnv(inner, 1.0, 2.0, workers=0)
    with pytest.raises(RealtimeError, match="tau_m"):
        RealtimeEnv(inner, math.nan, 2.0)
    with pytest.raises(RealtimeError, match="clock"):
        RealtimeEnv(inner, 1.0, 2.0, clock="sundial")
    with pytest.raises(RealtimeError, match="gymnasium.Env"):
        RealtimeEnv("CartPole-v1", 1.0, 2.0)
    env = RealtimeEnv(inner, 1.0, 2.0)
    env.reset()
    with pytest.raises(RealtimeError, match="action must be in Discrete"):
        env.step(6)


def test_continuous_action_space_needs_a_noop():
    env = gym.make("Pendulum-v1")
    with pytest.raises(RealtimeError, match="noop_action"):
        RealtimeEnv(env, 0.05, 0.1)
    rt = RealtimeEnv(env, 0.05, 0.1, noop_action=np.zeros(1, dtype=np.float32))
    obs, _ = rt.reset(seed=0)
    obs, r, term, trunc, info = rt.step(np.ones(1, dtype=np.float32))
    assert info["env_steps"] == 2 and obs.shape == (3,)


def test_wall_clock_runs_in_real_time():
    import time
    tau_m = 0.02
    env = RealtimeEnv(Counter(horizon=30), tau_m, 2 * tau_m, workers=2, clock="wall")
    t0 = time.perf_counter()
    run_echo(env)
    elapsed = time.perf_counter() - t0
    assert elapsed >= 29 * tau_m  # never faster than real time
    assert elapsed < 30 * tau_m + 2.0
    ro = env.rollout()
    pol = ro.source >= 0
    assert np.all(ro.staleness[pol] >= 2)  # no action acts before its inference could finish
    assert env.stats.action_rate > 0.5


@pytest.mark.parametrize("game", ["breakout", "freeway"])
def test_minatar_under_staggered_workers(game):
    pytest.importorskip("minatar")
    from minatar.gym import BaseEnv
    inner = gym.wrappers.TimeLimit(BaseEnv(game, sticky_action_prob=0.1), 300)
    env = RealtimeEnv(inner, 1 / 60, 5 / 60, workers=5, seed=0)
    obs, _ = env.reset(seed=0)
    steps = 0
    while True:
        obs, r, term, trunc, info = env.step(env.action_space.sample())
        steps += info["env_steps"]
        assert obs.shape == (10, 10, inner.observation_space.shape[2])
        if term or trunc:
            break
    assert steps == env.stats.env_steps
    assert env.stats.action_rate > 0.9 or term


@settings(max_examples=40, deadline=None)
@given(tau_m=st.floats(1e-3, 1.0), ratio=st.floats(0.5, 12.0), workers=st.integers(1, 12),
       beta=st.sampled_from(["noop", "repeat", "random", 2]), slot=st.sampled_from(["latest", "fifo"]))
def test_fuzz_realtime_env_constructor_and_invariants(tau_m, ratio, workers, beta, slot):
    schedule = "sequential" if workers == 1 else "staggered"
    inner = Counter(n=100, horizon=60)
    env = RealtimeEnv(inner, tau_m, ratio * tau_m, workers=workers, schedule=schedule, default_action=beta, slot=slot)
    run_echo(env, offset=0)
    ro = env.rollout()
    pol = ro.source >= 0
    assert ro.steps == 60
    assert np.all(ro.staleness[pol] >= math.ceil(ratio - 1e-6))
    assert np.array_equal(np.array(inner.applied)[pol], ro.source[pol])
