"""PPO with pipelined actors: it learns the delayed optimum of the flip env, skip+history beats the plain pipeline,
nobody beats the closed form for its delay, MinAtar through a RealtimeEnv runs, and a resumed run equals an
uninterrupted one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from activeq.errors import ArgumentError, ExperimentError
from activeq.realtime.agents import ppo
from activeq.realtime.agents._common import wrap_realtime

from ._flip import FlipEnv, best_delayed

P_FLIP, LENGTH = 0.1, 64


def _flip_run(seed: int, skip: str, history: int) -> tuple[float, int, float]:
    args = ppo.Args(network="mlp", hidden=(16, 16), skip=skip, history=history, total_frames=12_000,
                    learning_rate=1e-2, num_envs=16, num_steps=16, num_minibatches=2, ent_coef=0.0,
                    critic_hidden=(16,), seed=seed, schedule="sequential", inference_frames=1)
    res = ppo.train(args, env_fn=lambda s: wrap_realtime(FlipEnv(P_FLIP, LENGTH), args, s), progress=False)
    returns = [r for f, r in zip(res.episodes.frames, res.episodes.returns) if f > 0.8 * res.frames]
    return float(np.mean(returns)) / LENGTH, res.delay, float(np.std(returns) / np.sqrt(len(returns))) / LENGTH


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_skip_and_history_beat_the_plain_pipeline_on_the_flip_env_and_nobody_beats_the_closed_form(seed):
    """R6's mechanism at CI size: 3 layers, p = 0.1. The plain pipeline acts 3 ticks late (best 0.756 per frame),
    the skip + history network 1 tick late (best 0.9); 3 seeds (one test each), 12k frames per run."""
    plain, d_plain, se_plain = _flip_run(seed, "none", 0)
    skip, d_skip, se_skip = _flip_run(seed, "all", 1)
    assert (d_plain, d_skip) == (3, 1)
    assert skip > plain + 0.03, (seed, plain, skip)
    assert plain > 0.6 and skip > 0.75, (seed, plain, skip)  # both learned (random play earns 0.5)
    # no policy acting d ticks late beats (1 + (1 - 2p)^d) / 2: the delay is real
    assert plain < best_delayed(P_FLIP, d_plain) + 3 * se_plain
    assert skip < best_delayed(P_FLIP, d_skip) + 3 * se_skip


def _minatar_args(**kw) -> ppo.Args:
    base = dict(game="breakout", network="cnn", channels=(4, 4, 4), hidden=(16,), skip="all", history=2,
                schedule="sequential", inference_frames=2, total_frames=384, num_envs=2, num_steps=16,
                num_minibatches=2, update_epochs=1, checkpoint_every=2, critic_hidden=(16,))
    return ppo.Args(**(base | kw))


def test_minatar_through_a_realtime_env_and_exact_resume(tmp_path):
    full = ppo.train(_minatar_args(), progress=False)
    assert full.frames >= 384 and full.delay == 1 and full.env_delay == 2
    assert sum(full.episodes.lengths) <= full.frames and len(full.episodes.returns) > 5
    # the unrolled actor on the buffered windows reproduces the probabilities the ticking actor acted with
    assert max(u["unroll_check"] for u in full.updates) < 1e-4
    ckpt = tmp_path / "ppo.json"
    part = ppo.train(_minatar_args(), checkpoint=ckpt, stop_after=1, progress=False)
    assert part.frames < full.frames
    resumed = ppo.train(_minatar_args(), checkpoint=ckpt, progress=False)
    assert resumed.frames == full.frames
    assert resumed.episodes == full.episodes
    assert [u["pg_loss"] for u in resumed.updates] == [u["pg_loss"] for u in full.updates]
    with pytest.raises(ExperimentError, match="seed"):
        ppo.train(_minatar_args(seed=1), checkpoint=ckpt, progress=False)


def test_same_seed_same_run_and_the_global_torch_rng_is_untouched():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = ppo.train(_minatar_args(total_frames=128, schedule="none", inference_frames=1), progress=False)
    assert torch.equal(torch.rand(1), before)
    b = ppo.train(_minatar_args(total_frames=128, schedule="none", inference_frames=1), progress=False)
    assert a.episodes == b.episodes and a.env_delay == 0


@pytest.mark.parametrize("kwargs,match", [
    (dict(num_minibatches=3), "num_minibatches"), (dict(learning_rate=0.0), "learning_rate"),
    (dict(gamma=1.5), "gamma"), (dict(skip="every"), "skip"), (dict(num_envs=0), "num_envs"),
    (dict(network="rnn"), "network"),
])
def test_args_errors(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        ppo.train(_minatar_args(**kwargs), progress=False)
