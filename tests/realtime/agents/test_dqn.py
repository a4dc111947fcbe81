"""DQN with pipelined Q-networks: it learns close to the delayed optimum of the flip env without beating it, runs on
MinAtar through a RealtimeEnv, and a resumed run (replay buffer included) equals an uninterrupted one."""

from __future__ import annotations

import numpy as np
import pytest

from activeq.errors import ArgumentError
from activeq.realtime.agents import dqn
from activeq.realtime.agents._common import wrap_realtime

from ._flip import FlipEnv, best_delayed

P_FLIP, LENGTH = 0.1, 64


@pytest.mark.slow
@pytest.mark.parametrize("skip,history,delay", [("none", 0, 3), ("all", 1, 1)])
def test_dqn_learns_close_to_the_delayed_optimum_of_the_flip_env(skip, history, delay):
    args = dqn.Args(network="mlp", hidden=(16, 16), skip=skip, history=history, total_frames=6000,
                    learning_rate=2e-3, num_envs=8, learning_starts=500, buffer_size=4000,
                    target_network_frequency=100, exploration_fraction=0.3, seed=0,
                    schedule="sequential", inference_frames=1)
    res = dqn.train(args, env_fn=lambda s: wrap_realtime(FlipEnv(P_FLIP, LENGTH), args, s), progress=False)
    assert res.delay == delay
    returns = np.array([r for f, r in zip(res.episodes.frames, res.episodes.returns) if f > 0.8 * res.frames])
    per_frame, se = returns.mean() / LENGTH, returns.std() / np.sqrt(returns.size) / LENGTH
    best = best_delayed(P_FLIP, delay)
    # epsilon = 0.05 costs at most 0.025 per frame; learning at this size leaves at most 0.1 more
    assert best - 0.125 < per_frame < best + 3 * se, (per_frame, best)


def _minatar_args(**kw) -> dqn.Args:
    base = dict(game="asterix", network="cnn", channels=(4, 4, 4), hidden=(16,), skip="output", history=1,
                schedule="staggered", inference_frames=3, total_frames=240, num_envs=2, buffer_size=200,
                batch_size=16, learning_starts=60, checkpoint_every=25, target_network_frequency=20)
    return dqn.Args(**(base | kw))


def test_minatar_through_a_staggered_realtime_env_and_exact_resume(tmp_path):
    full = dqn.train(_minatar_args(), progress=False)
    assert full.frames >= 240 and full.delay == 2 and full.env_delay == 3
    assert full.updates and all(np.isfinite(u["loss"]) for u in full.updates)
    ckpt = tmp_path / "dqn.json"
    part = dqn.train(_minatar_args(), checkpoint=ckpt, stop_after=1, progress=False)
    assert part.frames < full.frames
    resumed = dqn.train(_minatar_args(), checkpoint=ckpt, progress=False)
    assert resumed.frames == full.frames and resumed.episodes == full.episodes


@pytest.mark.parametrize("kwargs,match", [
    (dict(buffer_size=3), "buffer_size"), (dict(end_e=2.0), "end_e"), (dict(batch_size=0), "batch_size"),
    (dict(history=-1), "history"),
])
def test_args_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        dqn.train(_minatar_args(**kwargs), progress=False)
