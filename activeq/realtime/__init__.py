"""Realtime asynchronous inference: the environment keeps moving while the agent thinks.

Riemer et al., "Realtime Reinforcement Learning: Towards Rapid Asynchronous Deployment of Large Models" (ICLR 2025):
with env step time τ_M and inference time τ_θ, sequential interaction acts on ``1/⌈τ_θ/τ_M⌉`` of the steps, N
staggered workers on ``min(1, N τ_M/τ_θ)``, so ``N* = ⌈τ_θ/τ_M⌉`` workers suffice; what remains is delay regret.

* :mod:`.clocks`: virtual (discrete-event) and wall clocks, the inference-time law :class:`InferenceTime`;
* :mod:`.schedules`: ``sequential``, ``staggered`` (max-time padding or mean-time), ``unstaggered``; ``n_star``,
  ``simulate_schedule``;
* :mod:`.timeline`: the event core (event order, action slot) every clocked object shares;
* :mod:`.env`: :class:`RealtimeEnv` over any gymnasium env (an agent-centric semi-MDP interface);
* :mod:`.parallel_env`: :class:`RealtimeParallelEnv` over any PettingZoo ParallelEnv, a τ_θ per agent;
* :mod:`.regret`: the exact inaction/delay regret decomposition on tabular MDPs and its empirical version;
* :mod:`.shared`: the shared-memory parts of the runtime (atomic counter, observation ring, action slot, replay,
  weights);
* :mod:`.runtime`: the wall-clock runtime (env, inference and learner processes); :mod:`.runtime_reference`: its
  one-process, virtual-clock reference;
* :mod:`.game`: the realtime iterated game (a slow thinker against a fast learner from :mod:`activeq.active`);
* :mod:`.pipelined`: delay-aware torch networks (:class:`~.pipelined.PipelinedMLP`, :class:`~.pipelined.PipelinedCNN`:
  one layer per tick, temporal skip connections, action history; Anokhin et al., ICLR 2025);
* :mod:`.agents`: PPO and DQN on MinAtar behind a :class:`RealtimeEnv` with the pipelined networks.

Game Boy games (the realtime paper's main testbed) cannot be used: no ROM may be shipped or downloaded. MinAtar
stands in (see the documentation's "Realtime asynchronous inference" explanation).

Builds on :mod:`activeq.games`, :mod:`activeq.avgreward` and :mod:`activeq.active`; never on :mod:`activeq.tom`.
"""

from .clocks import Clock, InferenceTime, VirtualClock, WallClock, as_inference_time
from .env import RealtimeEnv, RealtimeStats, Rollout
from .parallel_env import RealtimeParallelEnv
from .regret import RegretDecomposition, empirical_regret, regret_decomposition
from .schedules import (SCHEDULES, Schedule, ScheduleStats, Sequential, Staggered, Unstaggered, make_schedule,
                        n_star, simulate_schedule)

__all__ = ["Clock", "InferenceTime", "VirtualClock", "WallClock", "as_inference_time", "RealtimeEnv",
           "RealtimeStats", "Rollout", "RealtimeParallelEnv", "RegretDecomposition", "empirical_regret",
           "regret_decomposition", "SCHEDULES", "Schedule", "ScheduleStats", "Sequential", "Staggered",
           "Unstaggered", "make_schedule", "n_star", "simulate_schedule"]
