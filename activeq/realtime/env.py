"""``RealtimeEnv``: any gymnasium env, stepping every τ_M while the agent's inferences take τ_θ.

Riemer et al., "Realtime Reinforcement Learning: Towards Rapid Asynchronous Deployment of Large Models", ICLR 2025
(section 3, the asynchronous MDP; eq. 3 for the acting step; section 4 for staggered workers).

**The agent-centric interface (a semi-MDP).** The wrapper is a ``gymnasium.Wrapper`` with the wrapped env's spaces.
Every observation it returns is the observation an inference *starts* on; the next ``step(action)`` hands back that
inference's result. Between two returns the env keeps stepping on its own clock::

    env = RealtimeEnv(gym_env, tau_m=1/60, tau_theta=8/60, workers=8, schedule="staggered")
    obs, info = env.reset(seed=0)          # an inference starts on the observation of step 0
    obs, reward, terminated, truncated, info = env.step(policy(obs))
    # the action acts at step ceil(start + tau_theta) (0 + 8 = 8 here); meanwhile the clock moved on to the next
    # inference start (worker 1 at step 1): `obs` is step 1's observation, `reward` the sum of the env rewards of
    # the steps that elapsed (info["env_steps"] of them, 1 here), each with the slot's action or the default β.

So one call is one semi-MDP transition ``(obs, action, reward summed over info["env_steps"] env steps, next obs)``:
a DQN/PPO agent discounts by ``gamma ** info["env_steps"]``. ``info`` holds:

* ``env_steps``: env steps elapsed since the previous return (0 when two inferences start within one step);
* ``policy_steps``: how many of them applied a policy action (the others applied β);
* ``staleness``: mean age in env steps of the policy actions applied in between (nan if none);
* ``step``: index of the env step whose observation is returned; ``time``: its start time in seconds;
* ``worker``: the worker that starts an inference on it; ``env_info``: the wrapped env's last info.

On termination or truncation of the wrapped env the call returns at once, with the final observation; inferences in
flight are dropped. The episode's counters are in :attr:`stats` and the per-step record in :meth:`rollout`.

**Options.** ``tau_theta``: seconds, with ``jitter`` (uniform ±fraction), or an
:class:`~activeq.realtime.clocks.InferenceTime` (e.g. ``InferenceTime.from_model(net, x)``, a real torch model's
measured forward time). ``schedule``: ``"sequential"`` (default for one worker), ``"staggered"`` (default for several),
``"unstaggered"``, or a :class:`~activeq.realtime.schedules.Schedule`; ``padding``: ``"max"`` or ``"none"``.
``default_action`` β: ``"noop"`` (``noop_action``, default the first action of a Discrete space), ``"repeat"`` (the
last applied action), ``"random"`` (a draw from the action space) or a fixed action. ``slot``: ``"latest"``
(overwrite) or ``"fifo"``. ``clock``: ``"virtual"`` (deterministic discrete events: same seed, same trajectory, as fast
as the env) or ``"wall"`` (the same event loop waiting in real time; an inference lasts at least the real time
between the return of its observation and the ``step`` call, so the agent's own compute counts). ``record=False``
keeps only counters (no per-step rollout) for long runs.

Raises :class:`activeq.errors.RealtimeError` for τ ≤ 0 or not finite, workers < 1, an unknown schedule/padding/slot/
clock, a default action outside the action space, or an action outside it; :class:`activeq.errors.RealtimeRunError`
when the wrapped env raises mid-run (``.step`` says where, ``.rollout`` keeps the steps up to it).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .._checks import SeedLike, as_generator, show
from ..errors import RealtimeError, RealtimeRunError
from .clocks import InferenceTime, as_inference_time, check_tau, make_clock
from .schedules import Schedule, check_workers, make_schedule
from .timeline import INF, Timeline

__all__ = ["RealtimeEnv", "Rollout", "RealtimeStats", "resolve_default_action", "DEFAULTS"]

DEFAULTS = ("noop", "repeat", "random")


@dataclass(frozen=True)
class Rollout:
    """Per env step of an episode: ``actions`` applied, ``source`` (the step whose observation the action was computed
    on, -1 where β was applied), ``staleness`` (step - source, -1 for β) and ``rewards``."""

    actions: list[Any]
    source: np.ndarray
    rewards: np.ndarray

    @property
    def staleness(self) -> np.ndarray:
        idx = np.arange(self.source.size)
        return np.where(self.source >= 0, idx - self.source, -1)

    @property
    def steps(self) -> int:
        return int(self.source.size)


@dataclass(frozen=True)
class RealtimeStats:
    """Counters of the current episode: ``env_steps``, ``policy_steps`` (steps with a policy action),
    ``action_rate`` = policy_steps / env_steps, ``mean_staleness``, ``published`` actions, ``lost`` (overwritten
    before use), ``overruns`` (inferences longer than the padding bound), ``late`` (wall clock: events processed
    more than 1 ms after their time)."""

    env_steps: int
    policy_steps: int
    action_rate: float
    mean_staleness: float
    published: int
    lost: int
    overruns: int
    late: int


def resolve_default_action(default_action: Any, noop_action: Any, space: spaces.Space, name: str = "default_action"
                           ) -> tuple[str, Any]:
    """Validate β against ``space``: returns ``(kind, value)`` with kind in noop/repeat/random/fixed."""
    if isinstance(default_action, str):
        if default_action not in DEFAULTS:
            raise RealtimeError(f"{name} must be 'noop', 'repeat', 'random' or an action in {space}; "
                                f"got {show(default_action)}")
        if noop_action is None:
            if not isinstance(space, spaces.Discrete):
                if default_action == "random":
                    return "random", None
                raise RealtimeError(f"noop_action must be given for {name}={default_action!r} when the action space "
                                    f"is not Discrete (got {space})")
            noop_action = int(space.start)
        if not _contains(space, noop_action):
            raise RealtimeError(f"noop_action must be an action in {space}, got {show(noop_action)}")
        return default_action, noop_action
    if not _contains(space, default_action):
        raise RealtimeError(f"{name} must be 'noop', 'repeat', 'random' or an action in {space}; "
                            f"got {show(default_action)}")
    return "fixed", default_action


def _contains(space: spaces.Space, a: Any) -> bool:
    if isinstance(space, spaces.Discrete):
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            if isinstance(a, np.ndarray) and a.shape == () and np.issubdtype(a.dtype, np.integer):
                a = int(a)
            else:
                return False
        return int(space.start) <= int(a) < int(space.start) + int(space.n)
    try:
        return bool(space.contains(np.asarray(a, dtype=space.dtype) if hasattr(space, "dtype") and space.dtype is not None
                                   and not isinstance(a, (dict, tuple)) else a))
    except Exception:  # noqa: BLE001 - any failure to check means "not in the space"
        return False


class RealtimeEnv(gym.Wrapper):
    """A gymnasium env on a realtime clock with asynchronous inference workers (see the module doc).

    Parameters
    ----------
    env : gymnasium.Env
        The environment; one of its ``step`` calls is one env step of duration ``tau_m``.
    tau_m : float
        Env step time, seconds.
    tau_theta : float or InferenceTime
        Inference time, seconds (a constant with optional ``jitter``) or a law.
    workers : int
        Number of inference workers.
    schedule : str or Schedule, optional
        Default ``"sequential"`` for one worker, ``"staggered"`` for several.
    padding, jitter, default_action, noop_action, slot, clock, record, seed
        See the module doc.
    """

    def __init__(self, env: gym.Env, tau_m: float, tau_theta: float | InferenceTime, *, workers: int = 1,
                 schedule: str | Schedule | None = None, padding: str = "max", jitter: float = 0.0,
                 default_action: Any = "noop", noop_action: Any = None, slot: str = "latest",
                 clock: str = "virtual", record: bool = True, seed: SeedLike = 0):
        if not isinstance(env, gym.Env):
            raise RealtimeError(f"env must be a gymnasium.Env, got {type(env).__name__}")
        self.tau_m = check_tau(tau_m, "tau_m")
        self.tau_theta = as_inference_time(tau_theta, jitter)
        workers = check_workers(workers)
        if schedule is None:
            schedule = "sequential" if workers == 1 else "staggered"
        self.schedule = make_schedule(schedule, workers, padding)
        self._beta_kind, self._beta = resolve_default_action(default_action, noop_action, env.action_space)
        self.clock = make_clock(clock)
        self.record = bool(record)
        super().__init__(env)
        self._rng = as_generator(seed)
        self.action_space.seed(int(self._rng.integers(2 ** 31)))
        self._timeline = Timeline(self.tau_theta, self.tau_m, self.schedule, slot, self._rng)
        self._discrete_n = (int(env.action_space.start), int(env.action_space.start) + int(env.action_space.n)) \
            if isinstance(env.action_space, spaces.Discrete) else None
        self._ready = False
        self._pending: tuple[float, int, int] | None = None

    # ------------------------------------------------------------------ properties
    @property
    def workers(self) -> int:
        return self.schedule.workers

    @property
    def delay(self) -> int:
        """Env steps from an inference's observation to its action when τ_θ is constant: ``⌈τ_θ / τ_M⌉``."""
        return max(1, int(math.ceil(self._timeline.tau_max - 1e-9)))

    @property
    def stats(self) -> RealtimeStats:
        tl = self._timeline
        n = self._k
        return RealtimeStats(n, self._policy_steps, self._policy_steps / n if n else float("nan"),
                             self._stale_sum / self._policy_steps if self._policy_steps else float("nan"),
                             tl.published, tl.overwritten, tl.overruns, self._late)

    def rollout(self) -> Rollout:
        """The current episode's per-step record (empty when ``record=False``)."""
        return Rollout(list(self._log_actions), np.asarray(self._log_source, dtype=np.int64),
                       np.asarray(self._log_rewards, dtype=np.float64))

    # ------------------------------------------------------------------ gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        if seed is not None:
            self._rng = as_generator(seed)
            self._timeline.rng = self._rng
            self.action_space.seed(int(self._rng.integers(2 ** 31)))
        obs, info = self.env.reset(seed=seed, options=options)
        self._timeline.reset()
        self.clock.start()
        self._k = 0
        self._obs_new = obs
        self._obs_cur = obs
        self._last = self._beta
        self._done = False
        self._policy_steps = 0
        self._stale_sum = 0
        self._late = 0
        self._log_actions: list[Any] = []
        self._log_source: list[int] = []
        self._log_rewards: list[float] = []
        self._env_info = info
        self._ready = True
        out = self._advance()  # worker 0 starts at time 0, before env step 0: nothing elapses here
        return out[0], out[4]

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if not self._ready:
            raise RealtimeError("call reset() before step() (the episode is over or was never started)")
        if self._discrete_n is not None and type(action) is int:
            if not self._discrete_n[0] <= action < self._discrete_n[1]:
                raise RealtimeError(f"action must be in {self.action_space}, got {show(action)}")
        elif not _contains(self.action_space, action):
            raise RealtimeError(f"action must be in {self.action_space}, got {show(action)}")
        start, worker, obs = self._pending
        dur = None
        if not self.clock.virtual:
            dur = max(self._timeline.duration(), self.clock.now() / self.tau_m - start)
        self._timeline.begin(worker, start, obs, action, dur)
        obs_out, term, trunc, reward, info = self._advance()
        if term is not None:
            self._ready = False
            return obs_out, reward, term, trunc, info
        return obs_out, reward, False, False, info

    # ------------------------------------------------------------------ the event loop
    def _advance(self) -> tuple[Any, bool | None, bool, float, dict[str, Any]]:
        """Process events until the next inference start (or the end of the episode). The hot path of every run:
        attributes are cached in locals and the slot read is inlined (see Timeline.take for the semantics)."""
        tl = self._timeline
        completions, starts = tl.completions, tl.starts
        env_step = self.env.step
        wall = not self.clock.virtual
        record = self.record
        latest = tl.slot_kind == "latest"
        reward = 0.0
        n_steps = n_policy = stale = 0
        k = self._k
        while True:
            ts = starts[0][0] if starts else INF
            if completions and completions[0][0] <= k and completions[0][0] <= ts:
                if wall:
                    self._wait(completions[0][0])
                tl.publish_next()
                continue
            if ts <= k:
                break
            if wall:
                self._wait(k)
            if latest:
                got = tl.slot
                tl.slot = None
            else:
                got = tl.slot.popleft() if tl.slot else None
            if got is None:
                kind = self._beta_kind
                a = self._beta if kind == "fixed" or kind == "noop" else (
                    self._last if kind == "repeat" else self.action_space.sample())
                src = -1
            else:
                a, src = got
                n_policy += 1
                stale += k - src
            self._last = a
            self._obs_cur = self._obs_new
            try:
                o, r, term, trunc, info = env_step(a)
            except Exception as exc:
                self._k = k
                self._ready = False
                self._policy_steps += n_policy
                self._stale_sum += stale
                raise RealtimeRunError(f"the wrapped env raised {type(exc).__name__} at env step {k}: {exc}",
                                       step=k, rollout=self.rollout()) from exc
            self._obs_new = o
            self._env_info = info
            reward += r
            if record:
                self._log_actions.append(a)
                self._log_source.append(src)
                self._log_rewards.append(float(r))
            k += 1
            n_steps += 1
            if term or trunc:
                self._k = k
                self._policy_steps += n_policy
                self._stale_sum += stale
                return o, bool(term), bool(trunc), float(reward), {
                    "env_steps": n_steps, "policy_steps": n_policy,
                    "staleness": stale / n_policy if n_policy else math.nan, "step": k, "time": k * self.tau_m,
                    "worker": -1, "env_info": info}
        t, _, w = heapq.heappop(starts)
        if wall:
            self._wait(t)
        self._k = k
        j = int(t + 1e-9)  # obs_index(t): t >= 0
        self._pending = (t, w, j)
        self._policy_steps += n_policy
        self._stale_sum += stale
        # a start at time t reads step floor(t): the one the next tick k acts on when t == k, else the last one
        return (self._obs_new if j == k else self._obs_cur), None, False, float(reward), {
            "env_steps": n_steps, "policy_steps": n_policy, "staleness": stale / n_policy if n_policy else math.nan,
            "step": j, "time": t * self.tau_m, "worker": w, "env_info": self._env_info}

    def _wait(self, t_ticks: float) -> None:
        if self.clock.wait_until(t_ticks * self.tau_m) > 1e-3:
            self._late += 1
