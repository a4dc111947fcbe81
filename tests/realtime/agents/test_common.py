"""The agents' shared parts: the end-to-end delay through a RealtimeEnv, input windows, checkpoints, env arguments."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import ArgumentError, ArgumentTypeError, ExperimentError
from activeq.realtime.agents._common import (EnvArgs, EpisodeLog, check_resume, gather_windows, load_checkpoint,
                                             make_env, make_minatar, obs_batch, save_checkpoint, wrap_realtime)
from activeq.realtime.pipelined import PipelinedMLP


class FrameClock(gym.Env):
    """Observation: one-hot of (frame index mod M); records the action applied at every frame."""

    def __init__(self, m: int = 16, length: int = 60):
        self.m, self.length = m, length
        self.observation_space = gym.spaces.Box(0.0, 1.0, (m,), dtype=np.float32)
        self.action_space = gym.spaces.Discrete(m)

    def _obs(self):
        o = np.zeros(self.m, dtype=np.float32)
        o[self.t % self.m] = 1.0
        return o

    def reset(self, *, seed=None, options=None):
        self.t, self.applied = 0, []
        return self._obs(), {}

    def step(self, a):
        self.applied.append(int(a))
        self.t += 1
        return self._obs(), 0.0, False, self.t >= self.length, {}


def _copy_net(m: int, skip: str) -> PipelinedMLP:
    """A pipelined net whose output is the one-hot it latched ``delay - 1`` calls ago (identity on the fastest path)."""
    net = PipelinedMLP(m, (m, m), out_features=m, skip=skip)
    with torch.no_grad():
        for k, (spec, lin) in enumerate(zip(net._specs, net.layers), start=1):
            lin.weight.zero_()
            lin.bias.zero_()
            fastest = "u" if "u" in spec.sources else min(s for s in spec.sources if s != "u")
            col = sum(m for s in spec.sources[:spec.sources.index(fastest)])
            lin.weight[:, col:col + m] = torch.eye(m)
    return net


@pytest.mark.parametrize("skip,delay", [("none", 3), ("output", 2), ("all", 1)])
@pytest.mark.parametrize("tau", [1, 3])
def test_pipeline_behind_a_sequential_realtime_env_acts_delay_ticks_late(skip, delay, tau):
    """The action applied at frame s names the observation of frame ((s // tau) - delay) * tau: the pipeline's delay
    includes the tick the RealtimeEnv charges for inference (no delay counted twice)."""
    m = 16
    net = _copy_net(m, skip)
    assert net.delay == delay
    args = EnvArgs(schedule="sequential", inference_frames=tau, default_action="repeat")
    inner = FrameClock(m)
    env = wrap_realtime(inner, args, seed=0)
    obs, _ = env.reset(seed=0)
    net.reset()
    while True:
        a = int(net.step(obs_batch([obs])).argmax(1))
        obs, _, term, trunc, info = env.step(a)
        assert info["env_steps"] == tau
        if term or trunc:
            break
    checked = 0
    for s, a in enumerate(inner.applied):
        if s // tau >= delay:
            assert a == ((s // tau - delay) * tau) % m, (s, a)
            checked += 1
    assert checked > 40


def _manual_windows(obs, last, pos, t, b, window, history):
    ow = torch.zeros(len(t), window, *obs.shape[2:])
    aw = torch.full((len(t), window + history - 1), -1, dtype=torch.long)
    for i, (ti, bi) in enumerate(zip(t.tolist(), b.tolist())):
        for p in range(window):
            j = window - 1 - p
            if j <= pos[ti, bi]:
                ow[i, p] = obs[(ti - j) % obs.shape[0], bi]
        for p in range(window + history - 1):
            j = window + history - 2 - p
            if j <= pos[ti, bi]:
                aw[i, p] = last[(ti - j) % obs.shape[0], bi]
    return ow, aw


@pytest.mark.parametrize("window,history", [(1, 0), (3, 0), (3, 2), (5, 1), (1, 3)])
def test_gather_windows_pads_before_the_episode_start_and_wraps_the_ring(window, history):
    g = torch.Generator().manual_seed(0)
    L, B = 9, 3
    obs = torch.randn(L, B, 2, 2, generator=g)
    last = torch.randint(-1, 4, (L, B), generator=g)
    pos = torch.randint(0, 6, (L, B), generator=g)
    t = torch.randint(0, L, (20,), generator=g)
    b = torch.randint(0, B, (20,), generator=g)
    ow, aw = gather_windows(obs, last, pos, t, b, window, history)
    mw, ma = _manual_windows(obs, last, pos, t, b, window, history)
    assert torch.equal(ow, mw)
    if history:
        assert torch.equal(aw, ma)
    else:
        assert aw is None


def test_checkpoint_roundtrip_keeps_tensors_dtypes_and_optimizer_state(tmp_path):
    net = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(net.parameters())
    net(torch.ones(4, 3)).sum().backward()
    opt.step()
    state = {"net": net.state_dict(), "opt": opt.state_dict(), "buf": torch.arange(6, dtype=torch.uint8),
             "meta": {"frames": 12, "names": ["a", "b"]}, "log": {"returns": [1.5, 2.0]}}
    save_checkpoint(tmp_path / "c.json", state)
    back = load_checkpoint(tmp_path / "c.json")
    assert back["meta"] == state["meta"] and back["log"] == state["log"]
    assert back["buf"].dtype == torch.uint8 and torch.equal(back["buf"], state["buf"])
    opt2 = torch.optim.Adam(torch.nn.Linear(3, 2).parameters())
    opt2.load_state_dict(back["opt"])
    assert torch.equal(opt2.state_dict()["state"][0]["exp_avg"], opt.state_dict()["state"][0]["exp_avg"])
    assert load_checkpoint(tmp_path / "missing.json") is None


def test_a_checkpoint_resumes_only_its_own_run(tmp_path):
    check_resume({"seed": 0, "total_frames": 10}, {"seed": 0, "total_frames": 20}, tmp_path)  # more frames: fine
    with pytest.raises(ExperimentError, match="seed"):
        check_resume({"seed": 0}, {"seed": 1}, tmp_path)


@pytest.mark.parametrize("kwargs,match", [
    (dict(game="pong"), "game"), (dict(sticky_action_prob=1.5), "sticky_action_prob"),
    (dict(schedule="parallel"), "schedule"), (dict(inference_frames=0), "inference_frames"),
    (dict(schedule="none", inference_frames=3), "schedule='none'"), (dict(default_action="stop"), "default_action"),
])
def test_env_args_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        EnvArgs(**kwargs).check()


def test_minatar_behind_a_staggered_realtime_env():
    env = make_env(EnvArgs(game="breakout", schedule="staggered", inference_frames=5), seed=0)
    obs, _ = env.reset(seed=3)
    assert obs.shape == (10, 10, 4) and env.delay == 5 and env.workers == 5
    assert obs_batch([obs]).shape == (1, 4, 10, 10) and obs_batch([obs], flatten=True).shape == (1, 400)
    frames = 0
    for _ in range(30):
        obs, r, term, trunc, info = env.step(1)
        frames += info["env_steps"]
        if term or trunc:
            break
    assert frames >= 1
    assert make_minatar("freeway", 0.0).action_space.n == 3


def test_episode_log_final_return_reads_the_last_fraction():
    log = EpisodeLog()
    for f, r in [(10, 1.0), (50, 2.0), (90, 4.0), (100, 6.0)]:
        log.add(f, r, 5)
    assert log.final_return(100, 0.2) == 5.0
    assert np.isnan(EpisodeLog().final_return(100))


@settings(max_examples=60, deadline=None)
@given(algo=st.sampled_from(["ppo", "dqn"]),
       kwargs=st.dictionaries(
           st.sampled_from(["game", "sticky_action_prob", "schedule", "inference_frames", "workers", "default_action",
                            "network", "skip", "history", "total_frames", "num_envs", "learning_rate", "gamma",
                            "seed", "buffer_size", "num_minibatches", "end_e", "clip_coef"]),
           st.one_of(st.integers(-3, 70), st.floats(-1, 2), st.just(float("nan")), st.sampled_from(
               ["breakout", "none", "staggered", "repeat", "cnn", "all", "pong", ""]), st.none(), st.booleans())))
def test_agent_args_fuzz_raise_only_activeq_errors_before_any_env_is_made(algo, kwargs):
    from activeq.realtime.agents import dqn, ppo

    mod = {"ppo": ppo, "dqn": dqn}[algo]
    fields = mod.Args.__dataclass_fields__
    try:
        mod.Args(**{k: v for k, v in kwargs.items() if k in fields}).check()
    except (ArgumentError, ArgumentTypeError):
        pass
