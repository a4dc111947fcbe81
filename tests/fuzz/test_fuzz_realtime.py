"""Fuzz activeq.realtime: schedules, inference-time laws, the env wrappers, regret, the game, networks and runtime config.

Every argument of each public entry point gets junk (tests/fuzz/_harness.py): the call must return or raise an
``activeq.errors`` error naming an argument, within the harness's time and memory budget. The wall-clock runtime
itself (``run_realtime``) is not called here (it starts processes); its configuration, which it checks before
starting any, is.
"""

import gymnasium as gym
from gymnasium import spaces

import activeq
from activeq import IteratedGame, realtime
from activeq.games.env import ParallelGameEnv
from activeq.realtime import regret
from activeq.realtime.agents import dqn, ppo
from activeq.realtime.game import realtime_game
from activeq.realtime.pipelined import PipelinedCNN, PipelinedMLP
from activeq.realtime.runtime import RuntimeConfig

from ._harness import Entry, fuzz_test


class _Walk(gym.Env):
    """A 5-state walk: the smallest gymnasium env with a Discrete action space."""

    def __init__(self):
        self.action_space = spaces.Discrete(3)
        self.observation_space = spaces.Discrete(5)
        self.s = 0

    def reset(self, seed=None, options=None):
        super().reset(seed=seed)
        self.s = 0
        return 0, {}

    def step(self, a):
        self.s = (self.s + int(a)) % 5
        return self.s, float(self.s == 4), False, False, {}


def _realtime_env(**kw):
    """Construct a RealtimeEnv and take a few steps (so junk that the constructor let through is used too)."""
    env = realtime.RealtimeEnv(**kw)
    env.reset(seed=0)
    for _ in range(3):
        env.step(1)
    return env


def _parallel_env(**kw):
    env = realtime.RealtimeParallelEnv(**kw)
    env.reset(seed=0)
    env.step({a: 0 for a in env.agents})
    return env


def _mp_env():
    return ParallelGameEnv(IteratedGame(activeq.load_game("matching_pennies"), memory=1), max_steps=20)


def _ppo_args(**kw):
    return ppo.Args(**kw).check()


def _dqn_args(**kw):
    return dqn.Args(**kw).check()


TAU = {"tau_m": ("tau",), "tau_theta": ("tau",)}

ENTRIES = [
    Entry("n_star", realtime.n_star, lambda: {"tau_theta": 8.0, "tau_m": 1.0}, aliases=TAU),
    Entry("simulate_schedule", realtime.simulate_schedule,
          lambda: {"tau_m": 1.0, "tau_theta": 8.0, "workers": 4, "schedule": "staggered", "steps": 50, "jitter": 0.1,
                   "padding": "max", "seed": 0, "slot": "latest", "warmup": 5}, aliases=TAU),
    Entry("make_schedule", realtime.make_schedule, lambda: {"schedule": "staggered", "workers": 2, "padding": "max"}),
    Entry("as_inference_time", realtime.as_inference_time, lambda: {"tau_theta": 2.0, "jitter": 0.2},
          aliases=TAU),
    Entry("RealtimeEnv", _realtime_env,
          lambda: {"env": _Walk(), "tau_m": 1.0, "tau_theta": 3.0, "workers": 3, "schedule": "staggered",
                   "padding": "max", "jitter": 0.1, "default_action": "noop", "noop_action": 0, "slot": "latest",
                   "clock": "virtual", "seed": 0}, aliases=TAU | {"noop_action": ("default_action",)},
          fixed=("record",)),
    Entry("RealtimeParallelEnv", _parallel_env,
          lambda: {"env": _mp_env(), "tau_m": 1.0, "tau_theta": 2.0, "workers": 2, "schedule": "staggered",
                   "padding": "max", "jitter": 0.0, "default_action": 0, "slot": "fifo", "clock": "virtual",
                   "seed": 0}, aliases=TAU),
    Entry("regret_decomposition", regret.regret_decomposition,
          lambda: {"mdp": regret.flip_mdp(0.1), "tau_m": 1.0, "tau_theta": 2.0, "workers": 1,
                   "schedule": "sequential", "default_action": "noop", "padding": "max", "max_states": 10_000},
          aliases=TAU),
    Entry("empirical_regret", regret.empirical_regret,
          lambda: {"mdp": regret.flip_mdp(0.1), "tau_m": 1.0, "tau_theta": 2.0, "workers": 1,
                   "schedule": "sequential", "default_action": "noop", "policy": None, "padding": "max",
                   "steps": 50, "seeds": 2, "seed": 0, "max_states": 10_000}, aliases=TAU),
    Entry("flip_mdp", regret.flip_mdp, lambda: {"p": 0.2}),
    Entry("realtime_game", realtime_game,
          lambda: {"game": "matching_pennies", "slow": None, "fast": None, "tau_m": 1.0, "delays": (1, 2),
                   "steps": 20, "seeds": 1, "seed": 0}, aliases=TAU),
    Entry("PipelinedMLP", PipelinedMLP,
          lambda: {"in_features": 4, "hidden": (8, 8), "out_features": 3, "skip": "all", "history": 2,
                   "n_actions": 3}, fixed=("parallel", "pipeline")),
    Entry("PipelinedCNN", PipelinedCNN,
          lambda: {"in_channels": 2, "height": 5, "width": 5, "channels": (4, 4), "hidden": (8,), "out_features": 3,
                   "skip": "output", "history": 1, "n_actions": 3, "kernel_size": 3}, fixed=("parallel", "pipeline")),
    Entry("RuntimeConfig", RuntimeConfig,
          lambda: {"tau_m": 0.01, "tau_theta": 0.04, "workers": 4, "schedule": "staggered", "padding": "max",
                   "slot": "latest", "default_action": 0, "steps": 100, "time_limit": 10.0, "learners": 1,
                   "replay_size": 100, "batch_size": 8, "lr": 1e-3, "epsilon": 0.05, "seed": 0, "startup": 0.05,
                   "renice": 10, "startup_timeout": 30.0}, aliases=TAU),
    Entry("ppo.Args", _ppo_args,
          lambda: {"game": "breakout", "sticky_action_prob": 0.1, "schedule": "staggered", "inference_frames": 4,
                   "workers": 0, "default_action": "noop", "network": "mlp", "skip": "all", "history": 2,
                   "total_frames": 1000, "num_envs": 2, "num_steps": 16, "learning_rate": 1e-3, "seed": 0}),
    Entry("dqn.Args", _dqn_args,
          lambda: {"game": "breakout", "sticky_action_prob": 0.1, "schedule": "sequential", "inference_frames": 2,
                   "default_action": "repeat", "network": "cnn", "skip": "none", "history": 0,
                   "total_frames": 1000, "buffer_size": 500, "learning_rate": 1e-3, "gamma": 0.99, "seed": 0}),
]

test_realtime_entry_points_fail_clearly = fuzz_test(ENTRIES, examples=25)
