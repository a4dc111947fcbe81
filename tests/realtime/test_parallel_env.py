"""RealtimeParallelEnv over PettingZoo ParallelEnvs (activeq's ParallelGameEnv and PettingZoo's own conversions)."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.utils.conversions import aec_to_parallel, parallel_to_aec

import activeq
from activeq.errors import RealtimeError, RealtimeRunError
from activeq.games import IteratedGame
from activeq.games.env import ParallelGameEnv
from activeq.realtime.parallel_env import RealtimeParallelEnv


def _env(max_steps=120):
    return ParallelGameEnv(IteratedGame(activeq.load_game("matching_pennies"), memory=1), max_steps=max_steps)


def _play(rt, policy=lambda a, o: 1, seed=0):
    obs, infos = rt.reset(seed=seed)
    returned = {a: 0.0 for a in rt.possible_agents}
    steps = {a: 0 for a in rt.possible_agents}
    while True:
        obs, rew, term, trunc, infos = rt.step({a: policy(a, obs[a]) for a in rt.acting})
        for a in rew:
            returned[a] += rew[a]
            steps[a] += infos[a]["env_steps"]
        if any(term.values()) or any(trunc.values()):
            return returned, steps


@pytest.mark.parametrize("d", [1, 3, 4, 7])
def test_per_agent_inference_times(d):
    env = _env()
    row, col = env.possible_agents
    rt = RealtimeParallelEnv(env, 0.5, {row: 0.5, col: d * 0.5}, default_action=0)
    returned, steps = _play(rt)
    assert rt.stats(row)["action_rate"] == pytest.approx(119 / 120)
    assert rt.stats(col)["action_rate"] == pytest.approx((120 // d - (1 if 120 % d == 0 else 0)) / 120, abs=1e-12)
    assert rt.stats(col)["mean_staleness"] == d
    # every env reward reaches its agent exactly once, and every env step is counted once per agent
    for a in (row, col):
        assert returned[a] == pytest.approx(sum(rec["rewards"][a] for rec in rt.rollout))
        assert steps[a] == 120
    src = np.array([rec["source"][col] for rec in rt.rollout])
    acted = np.flatnonzero(src >= 0)
    assert np.all(acted - src[acted] == d)


def test_staggered_workers_per_agent():
    env = _env(200)
    row, col = env.possible_agents
    rt = RealtimeParallelEnv(env, 1.0, 8.0, workers={row: 8, col: 2}, schedule="staggered")
    _play(rt)
    assert rt.stats(row)["action_rate"] == pytest.approx(192 / 200)
    assert rt.stats(col)["action_rate"] == pytest.approx(48 / 200)


def test_wraps_pettingzoo_conversion_wrappers():
    inner = aec_to_parallel(parallel_to_aec(_env(60)))
    rt = RealtimeParallelEnv(inner, 1.0, 2.0, default_action="random", seed=3)
    returned, steps = _play(rt, policy=lambda a, o: 0)
    assert all(n == 60 for n in steps.values())


def test_same_seed_same_rollout():
    def go(seed):
        rt = RealtimeParallelEnv(_env(80), 1.0, 3.0, jitter=0.3, workers=3, padding="none", default_action="random")
        _play(rt, policy=lambda a, o: int(o.argmax()) % 2, seed=seed)
        return [rec["actions"] for rec in rt.rollout]
    assert go(1) == go(1)
    assert go(1) != go(2)


def test_bad_input():
    env = _env()
    row, col = env.possible_agents
    with pytest.raises(RealtimeError, match="tau_theta must give one entry per agent"):
        RealtimeParallelEnv(env, 1.0, {row: 1.0, "ghost": 2.0})
    with pytest.raises(RealtimeError, match=r"default_action\['row'\]"):
        RealtimeParallelEnv(env, 1.0, 1.0, default_action={row: 5, col: 0})
    with pytest.raises(RealtimeError, match="workers"):
        RealtimeParallelEnv(env, 1.0, 1.0, workers={row: 0, col: 1})
    with pytest.raises(RealtimeError, match="ParallelEnv"):
        RealtimeParallelEnv(object(), 1.0, 1.0)
    rt = RealtimeParallelEnv(env, 1.0, {row: 1.0, col: 3.0})
    rt.reset(seed=0)
    with pytest.raises(RealtimeError, match="acting agent"):
        rt.step({row: 0})
    with pytest.raises(RealtimeError, match=r"actions\['row'\] must be in Discrete\(2\)"):
        rt.step({row: 2, col: 0})


def test_wrapped_env_raising_mid_run():
    env = _env()
    real_step = env.step
    calls = {"n": 0}

    def flaky(actions):
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("link down")
        return real_step(actions)

    env.step = flaky
    rt = RealtimeParallelEnv(env, 1.0, 2.0)
    with pytest.raises(RealtimeRunError, match="RuntimeError at env step 10: link down") as exc:
        _play(rt)
    assert len(exc.value.rollout) == 10


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(ratio_row=st.floats(0.5, 6.0), ratio_col=st.floats(0.5, 6.0), workers=st.integers(1, 6),
       beta=st.sampled_from(["noop", "repeat", "random", 1]), jitter=st.floats(0.0, 0.4))
def test_fuzz_parallel_constructor_and_invariants(ratio_row, ratio_col, workers, beta, jitter):
    env = _env(40)
    row, col = env.possible_agents
    rt = RealtimeParallelEnv(env, 1.0, {row: ratio_row, col: ratio_col}, workers={row: 1, col: workers},
                             jitter=jitter, default_action=beta)
    returned, steps = _play(rt)
    assert steps == {row: 40, col: 40}
    for a, ratio in ((row, ratio_row), (col, ratio_col)):
        src = np.array([rec["source"][a] for rec in rt.rollout])
        acted = np.flatnonzero(src >= 0)
        assert np.all(acted - src[acted] >= np.ceil(ratio * (1 - jitter) - 1e-6))
