"""Agents that learn in realtime environments with pipelined networks, one algorithm per module.

* :mod:`.ppo`: PPO with a pipelined actor (``ppo.Args``, ``ppo.train``);
* :mod:`.dqn`: DQN with a pipelined Q-network (``dqn.Args``, ``dqn.train``).

Both play MinAtar games (the ``minatar`` package) behind a :class:`~activeq.realtime.env.RealtimeEnv`, or any
gymnasium env passed as ``env_fn``; both return a :class:`~activeq.realtime.agents._common.TrainResult`.
"""
