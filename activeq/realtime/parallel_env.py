"""``RealtimeParallelEnv``: any PettingZoo ``ParallelEnv`` on a realtime clock, each agent with its own τ_θ.

The multiagent form of :class:`activeq.realtime.RealtimeEnv` (Riemer et al., ICLR 2025, section 3, with one
inference process per agent): the env steps every τ_M; agent i's inferences take τ_θ^i on its own workers and
schedule; an agent whose slot is empty at a step gets its default action β^i. Works over activeq's
:class:`~activeq.games.ParallelGameEnv` and any other ParallelEnv.

**Interface (agent-centric, like the single-agent wrapper).** ``reset()`` and ``step()`` return dicts keyed by the
agents whose inference *starts now* (``env.acting``); the next ``step(actions)`` takes one action for each of them
(the result of that inference). Between two returns the env keeps stepping. For each returned agent, ``rewards[a]``
is the sum of its env rewards since *its* previous return and ``infos[a]`` holds ``env_steps`` (env steps since its
previous return), ``policy_steps``, ``staleness``, ``step`` (the env step whose observation is returned), ``time``,
``worker`` and ``env_info``. ``env.rollout`` lists, per env step, the joint ``actions``, their ``source`` step (-1 for
β), the ``rewards`` and the next ``obs``; ``env.stats(agent)`` gives the agent's action rate and staleness. Agents whose starts coincide are returned together (one start per agent per call). When
the wrapped env ends (every agent terminated or truncated) the call returns every agent, with its final observation.

Raises :class:`activeq.errors.RealtimeError` for τ ≤ 0 or not finite, workers < 1, unknown schedule/padding/slot,
a default action outside an agent's action space, per-agent dicts naming unknown agents, or actions for agents that
are not acting; :class:`activeq.errors.RealtimeRunError` when the wrapped env raises mid-run (the rollout is kept).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .._checks import SeedLike, as_generator
from ..errors import RealtimeError, RealtimeRunError
from .clocks import InferenceTime, as_inference_time, check_tau, make_clock
from .env import _contains, resolve_default_action
from .schedules import check_workers, make_schedule
from .timeline import Timeline, obs_index

__all__ = ["RealtimeParallelEnv"]


def _per_agent(value: Any, agents: list[str], name: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        unknown = [a for a in value if a not in agents]
        missing = [a for a in agents if a not in value]
        if unknown or missing:
            raise RealtimeError(f"{name} must give one entry per agent {agents}; unknown {unknown}, missing {missing}")
        return dict(value)
    return {a: value for a in agents}


class RealtimeParallelEnv:
    """A PettingZoo ParallelEnv on a realtime clock with per-agent inference workers (see the module doc).

    Parameters
    ----------
    env : pettingzoo.ParallelEnv
        The wrapped env (e.g. ``activeq.games.ParallelGameEnv``).
    tau_m : float
        Env step time, seconds.
    tau_theta : float, InferenceTime or dict
        Inference time per agent (one value for all, or a dict agent -> value).
    workers, schedule, padding, default_action, jitter : value or dict
        Per agent, as for :class:`RealtimeEnv`.
    slot, clock, seed
        As for :class:`RealtimeEnv`.
    """

    def __init__(self, env: Any, tau_m: float, tau_theta: Any, *, workers: Any = 1, schedule: Any = None,
                 padding: Any = "max", jitter: Any = 0.0, default_action: Any = "noop", slot: str = "latest",
                 clock: str = "virtual", seed: SeedLike = 0):
        if not hasattr(env, "possible_agents") or not hasattr(env, "step") or not hasattr(env, "action_space"):
            raise RealtimeError(f"env must be a PettingZoo ParallelEnv, got {type(env).__name__}")
        self.env = env
        self.possible_agents = list(env.possible_agents)
        agents = self.possible_agents
        self.tau_m = check_tau(tau_m, "tau_m")
        taus = _per_agent(tau_theta, agents, "tau_theta")
        jit = _per_agent(jitter, agents, "jitter")
        self.tau_theta: dict[str, InferenceTime] = {a: as_inference_time(taus[a], jit[a]) for a in agents}
        wk = {a: check_workers(w, f"workers[{a!r}]") for a, w in _per_agent(workers, agents, "workers").items()}
        sch = _per_agent(schedule, agents, "schedule")
        pad = _per_agent(padding, agents, "padding")
        self.schedules = {a: make_schedule(sch[a] if sch[a] is not None else
                                           ("sequential" if wk[a] == 1 else "staggered"), wk[a], pad[a])
                          for a in agents}
        beta = _per_agent(default_action, agents, "default_action")
        self._beta = {a: resolve_default_action(beta[a], None, env.action_space(a), f"default_action[{a!r}]")
                      for a in agents}
        self.clock = make_clock(clock)
        self._rng = as_generator(seed)
        self._slot = slot
        self._timelines = {a: Timeline(self.tau_theta[a], self.tau_m, self.schedules[a], slot, self._rng)
                           for a in agents}
        self.acting: list[str] = []
        self._ready = False

    # PettingZoo-style accessors
    def observation_space(self, agent: str) -> Any:
        return self.env.observation_space(agent)

    def action_space(self, agent: str) -> Any:
        return self.env.action_space(agent)

    @property
    def agents(self) -> list[str]:
        return list(self.env.agents)

    def stats(self, agent: str) -> dict[str, float]:
        """Counters of ``agent`` in the current episode: env_steps, policy_steps, action_rate, mean_staleness, lost."""
        n, p = self._k, self._policy[agent]
        return {"env_steps": n, "policy_steps": p, "action_rate": p / n if n else float("nan"),
                "mean_staleness": self._stale[agent] / p if p else float("nan"),
                "lost": self._timelines[agent].overwritten}

    def reset(self, seed: SeedLike = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        if seed is not None:
            self._rng = as_generator(seed)
            for tl in self._timelines.values():
                tl.rng = self._rng
            for k, a in enumerate(self.possible_agents):
                self.env.action_space(a).seed(int(self._rng.integers(2 ** 31)) + k)
        obs, infos = self.env.reset(seed=seed if isinstance(seed, (int, type(None))) else None, options=options)
        for tl in self._timelines.values():
            tl.reset()
        self.clock.start()
        self._k = 0
        self._obs_cur, self._obs_new = dict(obs), dict(obs)
        self._env_infos = dict(infos)
        self._last = {a: self._beta[a][1] for a in self.possible_agents}
        self._acc = {a: 0.0 for a in self.possible_agents}
        self._since = {a: 0 for a in self.possible_agents}
        self._pol_since = {a: 0 for a in self.possible_agents}
        self._stale_since = {a: 0 for a in self.possible_agents}
        self._policy = {a: 0 for a in self.possible_agents}
        self._stale = {a: 0 for a in self.possible_agents}
        self.rollout: list[dict[str, Any]] = []
        self._pending: dict[str, tuple[float, int, int]] = {}
        self._ready = True
        o, _, _, _, i = self._advance()
        return o, i

    def step(self, actions: dict[str, Any]):
        if not self._ready:
            raise RealtimeError("call reset() before step() (the episode is over or was never started)")
        if not isinstance(actions, Mapping) or set(actions) != set(self.acting):
            got = sorted(actions) if isinstance(actions, Mapping) else type(actions).__name__
            raise RealtimeError(f"actions must hold one action for each acting agent {self.acting}, got {got}")
        for a, act in actions.items():
            if not _contains(self.env.action_space(a), act):
                raise RealtimeError(f"actions[{a!r}] must be in {self.env.action_space(a)}, got {act!r}")
        for a, act in actions.items():
            start, worker, obs = self._pending.pop(a)
            dur = None
            if not self.clock.virtual:
                tl = self._timelines[a]
                dur = max(tl.duration(), self.clock.now() / self.tau_m - start)
            self._timelines[a].begin(worker, start, obs, act, dur)
        return self._advance()

    def _advance(self):
        tls = self._timelines
        k = self._k
        wall = not self.clock.virtual
        while True:
            tc = min((tl.next_completion, a) for a, tl in tls.items())
            ts = min((tl.next_start, a) for a, tl in tls.items())
            if tc[0] <= k and tc[0] <= ts[0]:
                if wall:
                    self.clock.wait_until(tc[0] * self.tau_m)
                tls[tc[1]].publish_next()
                continue
            if ts[0] > k:
                if wall:
                    self.clock.wait_until(k * self.tau_m)
                done = self._tick(k)
                k += 1
                self._k = k
                if done:
                    self._ready = False
                    self.acting = list(self.possible_agents)
                    return self._returns(self.possible_agents, self._obs_new, None, terminal=True)
                continue
            t = ts[0]
            if wall:
                self.clock.wait_until(t * self.tau_m)
            starting = [a for a, tl in tls.items() if abs(tl.next_start - t) <= 1e-9]
            j = obs_index(t)
            src = self._obs_new if j == k else self._obs_cur
            for a in starting:
                _, w = tls[a].pop_start()
                self._pending[a] = (t, w, j)
            self.acting = starting
            return self._returns(starting, src, t)

    def _tick(self, k: int) -> bool:
        joint, source = {}, {}
        for a in self.env.agents:
            got = self._timelines[a].take()
            if got is None:
                kind, val = self._beta[a]
                act = self._last[a] if kind == "repeat" else (self.env.action_space(a).sample() if kind == "random"
                                                              else val)
                source[a] = -1
            else:
                act, src = got
                source[a] = src
                self._pol_since[a] += 1
                self._stale_since[a] += k - src
                self._policy[a] += 1
                self._stale[a] += k - src
            self._last[a] = act
            joint[a] = act
        self._obs_cur = self._obs_new
        try:
            obs, rew, term, trunc, infos = self.env.step(joint)
        except Exception as exc:
            self._ready = False
            raise RealtimeRunError(f"the wrapped env raised {type(exc).__name__} at env step {k}: {exc}", step=k,
                                   rollout=list(self.rollout)) from exc
        self.rollout.append({"actions": joint, "source": source, "rewards": dict(rew), "obs": obs})
        self._obs_new = {**self._obs_new, **obs}
        self._env_infos.update(infos)
        for a, r in rew.items():
            self._acc[a] += float(r)
        for a in self.possible_agents:
            self._since[a] += 1
        self._terms, self._truncs = term, trunc
        return not self.env.agents or all(term.get(a, False) or trunc.get(a, False) for a in joint)

    def _returns(self, agents: list[str], obs_src: dict[str, Any], t: float | None, terminal: bool = False):
        obs, rew, terms, truncs, infos = {}, {}, {}, {}, {}
        for a in agents:
            obs[a] = obs_src.get(a)
            rew[a] = self._acc[a]
            n, p = self._since[a], self._pol_since[a]
            infos[a] = {"env_steps": n, "policy_steps": p,
                        "staleness": self._stale_since[a] / p if p else float("nan"),
                        "step": self._k if t is None else obs_index(t),
                        "time": (self._k if t is None else t) * self.tau_m,
                        "worker": self._pending[a][1] if a in self._pending else -1,
                        "env_info": self._env_infos.get(a, {})}
            terms[a] = bool(terminal and self._terms.get(a, False))
            truncs[a] = bool(terminal and (self._truncs.get(a, False) or not terms[a]))
            self._acc[a] = 0.0
            self._since[a] = self._pol_since[a] = self._stale_since[a] = 0
        return obs, rew, terms, truncs, infos
