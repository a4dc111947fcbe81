"""Agents that learn in realtime environments with pipelined networks, one algorithm per module.

* :mod:`.ppo`: PPO with a pipelined actor (``ppo.Args``, ``ppo.train``);
* :mod:`.dqn`: DQN with a pipelined Q-network (``dqn.Args``, ``dqn.train``).

Both play MinAtar games (the ``minatar`` package, installed by the ``test`` extra) behind a
:class:`~activeq.realtime.env.RealtimeEnv`, or any gymnasium env passed as ``env_fn``, and return a
:class:`~activeq.realtime.agents._common.TrainResult`. The realtime paper's Game Boy games (Pokemon, Tetris) are not
available: no Game Boy ROM may be shipped or downloaded (``pyboy`` ships only boot ROMs), so MinAtar stands in.

Example::

    from activeq.realtime.agents import ppo

    args = ppo.Args(game="breakout", schedule="sequential", inference_frames=2, skip="all", history=2,
                    total_frames=20_000)
    result = ppo.train(args, progress=False)    # the actor acts 1 tick (2 frames) after each observation
    result.final_return(), result.delay, result.env_delay
"""
