"""Regret of realtime interaction on tabular MDPs: learning, inaction and delay regret, exactly and empirically.

Riemer et al., "Realtime Reinforcement Learning", ICLR 2025, section 3 (eq. 4-5: the realtime regret splits into
learning, inaction and delay regret). With g* the optimal gain of the MDP (:func:`activeq.avgreward.solve_average_reward`):

* **delay regret** ``g* - g_delay``: ``g_delay`` is the optimal gain when *every* step gets an action computed on
  the observation ``d = ⌈τ_θ/τ_M⌉`` steps old, for the best policy on the *delay-augmented state* (that observation
  plus the actions still in flight; Katsikopoulos & Engelbrecht 2003, Walsh et al. 2009). It is zero in a
  deterministic MDP and grows with the MDP's randomness over d steps;
* **inaction regret** ``g_delay - g_sched``: ``g_sched`` is the optimal gain when only the steps the schedule serves
  get a policy action (each with the staleness the schedule gives it) and the others get the default action β;
* **learning regret** (empirical only): ``g_sched`` minus the average reward a learner actually earned.

``total = inaction + delay = g* - g_sched``, all per step. Convention (issue 10): an inference started on the
observation of step t acts at step ``t + ⌈τ_θ/τ_M⌉``; which steps are served, and how stale, comes from the same event
core as :class:`RealtimeEnv` (:func:`activeq.realtime.simulate_schedule`), on the periodic steady state.

The exact gains solve an average-reward MDP over ``(phase in the schedule's period, observed state, committed
actions)`` (plus the last applied action when β repeats it). Its size is ``sum_phase S * A^committed``;
``max_states`` bounds it and is checked before anything is allocated.

Closed form matched exactly in the tests (the two-state flip MDP, the state flips with probability p whatever the
action, reward 1 for naming it): ``g_delay = (1 + (1 - 2p)^d) / 2``.

Raises :class:`activeq.errors.RealtimeError` for τ ≤ 0 or not finite, workers < 1, an unknown schedule, a default
action outside the action set, a jittered τ_θ (the exact terms need a constant one), a schedule whose pattern does not
repeat within ``max_period`` steps, or an augmented MDP larger than ``max_states``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from .._checks import SeedLike, as_generator, check_in_range, check_positive_int
from ..avgreward import solve_average_reward
from ..avgreward.mdp import as_sparse_mdp
from ..errors import RealtimeError
from ..games.sparse_mdp import SparseMDP
from .clocks import check_tau
from .schedules import simulate_schedule

__all__ = ["RegretDecomposition", "EmpiricalRegret", "regret_decomposition", "empirical_regret",
           "schedule_pattern", "delayed_mdp", "flip_mdp"]


@dataclass(frozen=True)
class RegretDecomposition:
    """Per-step regret terms (see the module doc): ``total = inaction + delay = optimal_gain - scheduled_gain``.

    ``delay_steps`` is d = ⌈τ_θ/τ_M⌉; ``action_rate`` and ``pattern`` (staleness per step of the schedule's period,
    -1 where β acts) describe the schedule; ``augmented_states`` the size of the largest augmented MDP solved.
    """

    optimal_gain: float
    delayed_gain: float
    scheduled_gain: float
    inaction: float
    delay: float
    total: float
    delay_steps: int
    action_rate: float
    pattern: tuple[int, ...]
    augmented_states: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def flip_mdp(p: float):
    """The two-state flip MDP of issue 10: actions (noop, name state 0, name state 1); the state flips with
    probability ``p`` whatever the action; reward 1 for naming the current state, 0 otherwise.

    Returns
    -------
    StochasticGame
        A one-player stochastic game (an MDP).
    """
    from ..games import StochasticGame

    p = check_in_range(p, "p", 0.0, 1.0)
    R = np.zeros((2, 3))
    R[0, 1] = R[1, 2] = 1.0
    T = np.zeros((2, 3, 2))
    for s in range(2):
        T[s, :, s] = 1.0 - p
        T[s, :, 1 - s] += p
    return StochasticGame.mdp(R, T, state_names=("0", "1"))


def schedule_pattern(tau_m: float, tau_theta: float, workers: int = 1, schedule: str = "sequential",
                     padding: str = "max", max_period: int = 5000) -> tuple[int, ...]:
    """The steady-state staleness of each env step over one period of a schedule (-1 where β acts).

    Parameters
    ----------
    tau_m, tau_theta : float
        Env step and (constant) inference time, seconds.
    workers : int
        Inference workers.
    schedule, padding : str
        As for :func:`activeq.realtime.simulate_schedule` (slot ``"latest"``).
    max_period : int
        Longest period searched.

    Returns
    -------
    tuple of int
        One entry per step of the period.
    """
    return _pattern_with_origin(tau_m, tau_theta, workers, schedule, padding, max_period)[0]


def _pattern_with_origin(tau_m: float, tau_theta: float, workers: int, schedule: str, padding: str,
                         max_period: int = 5000) -> tuple[tuple[int, ...], int]:
    """The period's staleness pattern and the absolute env step where phase 0 of it falls."""
    tm = check_tau(tau_m, "tau_m")
    th = check_tau(tau_theta, "tau_theta")
    max_period = check_positive_int(max_period, "max_period")
    d = max(1, int(math.ceil(th / tm - 1e-9)))
    warm = 4 * d + 8
    stats = simulate_schedule(tm, th, workers, schedule, steps=warm + 2 * max_period, padding=padding, seed=0)
    st = stats.staleness[warm:]
    n = st.size
    for P in range(1, max_period + 1):
        if np.array_equal(st[P:], st[:n - P]):
            return tuple(int(x) for x in st[:P]), stats.warmup + warm
    raise RealtimeError(f"the schedule's pattern does not repeat within max_period={max_period} steps "
                        f"(tau_theta / tau_m = {th / tm:.6g}); use a ratio closer to a simple fraction")


def _default_kind(default_action: Any, A: int) -> tuple[str, int]:
    if isinstance(default_action, str):
        if default_action == "noop":
            return "fixed", 0
        if default_action in ("repeat", "random"):
            return default_action, -1
        raise RealtimeError(f"default_action must be 'noop', 'repeat', 'random' or an action in [0, {A}); "
                            f"got {default_action!r}")
    if isinstance(default_action, (bool, np.bool_)) or not isinstance(default_action, (int, np.integer)) \
            or not 0 <= int(default_action) < A:
        raise RealtimeError(f"default_action must be 'noop', 'repeat', 'random' or an action in [0, {A}); "
                            f"got {default_action!r}")
    return "fixed", int(default_action)


@dataclass(frozen=True)
class _Layout:
    """Index layout of the augmented MDP: per phase, the committed offsets, the decision offsets and the base index."""

    pattern: tuple[int, ...]
    committed: tuple[tuple[int, ...], ...]
    decisions: tuple[tuple[int, ...], ...]
    base: tuple[int, ...]
    sizes: tuple[int, ...]
    repeat: bool

    @property
    def num_states(self) -> int:
        return self.base[-1] + self.sizes[-1]


def _layout(pattern: tuple[int, ...], S: int, A: int, repeat: bool, max_states: int) -> _Layout:
    P = len(pattern)
    D = max([x for x in pattern if x >= 0], default=0)
    committed, decisions, sizes, base = [], [], [], []
    total = 0
    for phi in range(P):
        c = tuple(o for o in range(D) if pattern[(phi + o) % P] > o)
        k = tuple(dl for dl in range(1, D + 1) if pattern[(phi + dl) % P] == dl)
        committed.append(c)
        decisions.append(k)
        n = S * A ** (len(c) + (1 if repeat else 0))
        base.append(total)
        sizes.append(n)
        total += n
        if total > max_states:
            raise RealtimeError(f"the delay-augmented MDP needs more than max_states={max_states} states "
                                f"(S={S}, A={A}, delay up to {D} steps, period {P}); reduce tau_theta/tau_m or raise "
                                f"max_states")
    return _Layout(tuple(pattern), tuple(committed), tuple(decisions), tuple(base), tuple(sizes), repeat)


def delayed_mdp(mdp: Any, pattern: tuple[int, ...], default_action: Any = "noop",
                max_states: int = 2_000_000) -> tuple[SparseMDP, _Layout]:
    """The delay-augmented MDP of a schedule pattern (see the module doc) as a :class:`SparseMDP`, and its layout.

    Parameters
    ----------
    mdp : StochasticGame or SparseMDP
        A one-player stochastic game (``StochasticGame.mdp(R, T)``) or a SparseMDP.
    pattern : tuple of int
        Staleness per step of the period (-1 where β acts), e.g. from :func:`schedule_pattern`.
    default_action : int or str
        β: an action index, ``"noop"`` (action 0), ``"repeat"`` or ``"random"``.
    max_states : int
        Size limit, checked before allocating.

    Returns
    -------
    tuple
        ``(SparseMDP, layout)``: state ``base[phase] + (s * A^m + code)`` where ``code`` packs the committed actions
        (first committed offset most significant; with ``"repeat"`` the last applied action comes last).
    """
    m = as_sparse_mdp(mdp)
    S, A = m.rewards.shape
    kind, beta = _default_kind(default_action, A)
    if not pattern or any((not isinstance(x, (int, np.integer))) or x < -1 or x == 0 for x in pattern):
        raise RealtimeError(f"pattern must be a non-empty tuple of staleness values >= 1 or -1, got {pattern!r}")
    lay = _layout(tuple(int(x) for x in pattern), S, A, kind == "repeat", check_positive_int(max_states, "max_states"))
    P = len(lay.pattern)
    Tcsr = m.transitions  # rows s * A + a
    R = m.rewards
    n_dec_max = max(A ** len(k) for k in lay.decisions)
    rows_R = np.full((lay.num_states, n_dec_max), 0.0)
    legal = np.zeros((lay.num_states, n_dec_max), dtype=bool)
    t_rows, t_cols, t_vals = [], [], []
    for phi in range(P):
        c, k = lay.committed[phi], lay.decisions[phi]
        nphi = (phi + 1) % P
        c2 = lay.committed[nphi]
        mc = len(c) + (1 if lay.repeat else 0)
        codes = np.arange(A ** mc)
        vals = (codes[:, None] // A ** np.arange(mc - 1, -1, -1)[None, :]) % A if mc else np.zeros((1, 0), np.int64)
        decs = np.arange(A ** len(k))
        dvals = (decs[:, None] // A ** np.arange(len(k) - 1, -1, -1)[None, :]) % A if k else np.zeros((1, 0), np.int64)
        # the action applied at this step, per code: committed offset 0, else beta
        if 0 in c:
            applied = vals[:, c.index(0)]
            dist = None
        elif kind == "fixed":
            applied, dist = np.full(codes.size, beta), None
        elif kind == "repeat":
            applied, dist = vals[:, -1], None
        else:  # random beta: average over actions
            applied, dist = None, np.full(A, 1.0 / A)
        # next committed values, per (code, decision): offset o' at the next phase is o'+1 now
        nxt_cols = []
        for o2 in c2:
            if o2 + 1 in c:
                nxt_cols.append(np.repeat(vals[:, c.index(o2 + 1)][:, None], decs.size, axis=1))
            else:
                nxt_cols.append(np.repeat(dvals[:, k.index(o2 + 1)][None, :], codes.size, axis=0))
        if lay.repeat:
            last = applied if applied is not None else np.zeros(codes.size, np.int64)
            nxt_cols.append(np.repeat(last[:, None], decs.size, axis=1))
        m2 = len(nxt_cols)
        ncode = np.zeros((codes.size, decs.size), dtype=np.int64)
        for col in nxt_cols:
            ncode = ncode * A + col
        for s in range(S):
            st = lay.base[phi] + s * codes.size + codes  # (ncodes,)
            legal[st[:, None], decs[None, :]] = True
            if dist is None:
                rows_R[st[:, None], decs[None, :]] = R[s, applied][:, None]
                for a in range(A):
                    sel = np.flatnonzero(applied == a)
                    if sel.size == 0:
                        continue
                    row = Tcsr.getrow(s * A + a)
                    for s2, pr in zip(row.indices, row.data):
                        src = (st[sel][:, None] * n_dec_max + decs[None, :]).ravel()
                        dst = (lay.base[nphi] + s2 * A ** m2 + ncode[sel]).ravel()
                        t_rows.append(src)
                        t_cols.append(dst)
                        t_vals.append(np.full(src.size, pr))
            else:
                rows_R[st[:, None], decs[None, :]] = float(dist @ R[s])
                for a in range(A):
                    row = Tcsr.getrow(s * A + a)
                    for s2, pr in zip(row.indices, row.data):
                        src = (st[:, None] * n_dec_max + decs[None, :]).ravel()
                        dst = (lay.base[nphi] + s2 * A ** m2 + ncode).ravel()
                        t_rows.append(src)
                        t_cols.append(dst)
                        t_vals.append(np.full(src.size, pr * dist[a]))
    N = lay.num_states
    # illegal (padding) decisions: a self-loop row so every row is stochastic; the mask keeps solvers off them
    ill = np.flatnonzero(~legal.ravel())
    t_rows.append(ill)
    t_cols.append(ill // n_dec_max)
    t_vals.append(np.ones(ill.size))
    T = sp.csr_matrix((np.concatenate(t_vals), (np.concatenate(t_rows), np.concatenate(t_cols))),
                      shape=(N * n_dec_max, N))
    return SparseMDP(rows_R, T, legal), lay


def _gain(mdp: Any, weights: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    sol = solve_average_reward(mdp)
    g = np.asarray(sol.gain)
    return (float(g.max()) if weights is None else float(weights @ g)), np.asarray(sol.policy)


def _scheduled_gain(m: SparseMDP, initial: np.ndarray, pattern: tuple[int, ...], default_action: Any,
                    max_states: int) -> tuple[float, int, np.ndarray, _Layout]:
    aug, lay = delayed_mdp(m, pattern, default_action, max_states)
    sol = solve_average_reward(aug)
    S, A = m.rewards.shape
    m0 = len(lay.committed[0]) + (1 if lay.repeat else 0)
    starts = lay.base[0] + np.arange(S) * A ** m0  # phase 0, code 0
    return float(initial @ np.asarray(sol.gain)[starts]), lay.num_states, np.asarray(sol.policy), lay


def regret_decomposition(mdp: Any, tau_m: float, tau_theta: float, workers: int = 1, schedule: str = "sequential",
                         default_action: Any = "noop", *, padding: str = "max",
                         max_states: int = 2_000_000) -> RegretDecomposition:
    """Exact per-step inaction, delay and total regret of a schedule on a tabular MDP (see the module doc).

    Parameters
    ----------
    mdp : StochasticGame or SparseMDP
        A one-player stochastic game (e.g. ``StochasticGame.mdp(R, T)``) or a SparseMDP.
    tau_m, tau_theta : float
        Env step and inference time, seconds (τ_θ constant).
    workers : int
        Inference workers.
    schedule : str
        ``"sequential"``, ``"staggered"`` or ``"unstaggered"``.
    default_action : int or str
        β: an action index, ``"noop"`` (action 0), ``"repeat"`` or ``"random"``.
    padding : str
        ``"max"`` or ``"none"`` (the same for a constant τ_θ).
    max_states : int
        Limit on the augmented MDP's states.

    Returns
    -------
    RegretDecomposition
        Gains and the per-step ``inaction``, ``delay`` and ``total`` regret.
    """
    m = as_sparse_mdp(mdp)
    S, A = m.rewards.shape
    _default_kind(default_action, A)
    tm = check_tau(tau_m, "tau_m")
    th = check_tau(tau_theta, "tau_theta")
    initial = np.asarray(getattr(mdp, "initial", np.full(S, 1.0 / S)), dtype=np.float64)
    d = max(1, int(math.ceil(th / tm - 1e-9)))
    pattern = schedule_pattern(tm, th, workers, schedule, padding)
    g_star = float(initial @ np.asarray(solve_average_reward(m).gain))
    g_delay, n1, _, _ = _scheduled_gain(m, initial, (d,), default_action, max_states)
    if all(x == d for x in pattern):
        g_sched, n2 = g_delay, n1
    else:
        g_sched, n2, _, _ = _scheduled_gain(m, initial, pattern, default_action, max_states)
    rate = float(np.mean([x >= 0 for x in pattern]))
    return RegretDecomposition(g_star, g_delay, g_sched, g_delay - g_sched, g_star - g_delay, g_star - g_sched, d,
                               rate, pattern, max(n1, n2))


# ---------------------------------------------------------------------------------------------- empirical version
@dataclass(frozen=True)
class EmpiricalRegret:
    """Empirical gains (mean reward per step over ``seeds`` runs of ``steps`` steps) with 95% confidence half-widths,
    the three regret terms and, when a ``policy`` was given, its learning regret ``scheduled_gain - policy_gain``."""

    optimal_gain: float
    delayed_gain: float
    scheduled_gain: float
    policy_gain: float
    inaction: float
    delay: float
    learning: float
    total: float
    ci: dict[str, float]
    steps: int
    seeds: int

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class _MDPEnv:
    """A tabular MDP as a continuing gymnasium env (observation = state index); built lazily to keep gym optional."""

    @staticmethod
    def make(m: SparseMDP, initial: np.ndarray):
        import gymnasium as gym
        from gymnasium import spaces

        class MDPEnv(gym.Env):
            def __init__(self) -> None:
                S, A = m.rewards.shape
                self.observation_space = spaces.Discrete(S)
                self.action_space = spaces.Discrete(A)
                self._cdf = [np.cumsum(m.transitions.getrow(i).toarray().ravel()) for i in range(S * A)]
                self._A = A
                self._rng = np.random.default_rng(0)
                self._s = 0

            def reset(self, seed=None, options=None):
                if seed is not None:
                    self._rng = np.random.default_rng(seed)
                self._s = int(min(np.searchsorted(np.cumsum(initial), self._rng.random(), side="right"),
                                  initial.size - 1))
                return self._s, {}

            def step(self, a):
                s = self._s
                r = float(m.rewards[s, a])
                cdf = self._cdf[s * self._A + int(a)]
                self._s = int(min(np.searchsorted(cdf, self._rng.random() * cdf[-1], side="right"), cdf.size - 1))
                return self._s, r, False, False, {}

        return MDPEnv()


def _run_augmented(env_factory: Callable[[], Any], m: SparseMDP, tau_m: float, tau_theta: float, workers: int,
                   schedule: str, default_action: Any, padding: str, policy: np.ndarray, lay: _Layout,
                   steps: int, seed: int, origin: int) -> float:
    """Mean reward of the optimal augmented policy played through a :class:`RealtimeEnv` (the agent keeps its own
    committed actions and reads the phase off the returned step index)."""
    from .env import RealtimeEnv

    S, A = m.rewards.shape
    P = len(lay.pattern)
    warm = origin + max([x for x in lay.pattern if x >= 0], default=0)
    env = RealtimeEnv(env_factory(), tau_m, tau_theta, workers=workers, schedule=schedule, padding=padding,
                      default_action=default_action, record=True, seed=seed)
    obs, info = env.reset(seed=seed)
    commit: dict[int, int] = {}
    tau_ticks = round(tau_theta / tau_m, 9)
    pad = env.schedule.pad
    decided: dict[int, tuple[int, ...]] = {}
    total_steps = 0
    while total_steps < steps + warm:
        t = round(info["time"] / tau_m, 9)
        j = info["step"]
        act_tick = int(math.ceil(t + max(tau_ticks, pad) - 1e-9))
        phi = (j - origin) % P
        c, k = lay.committed[phi], lay.decisions[phi]
        delta = act_tick - j
        a = 0
        if delta in k:
            if j not in decided:
                vals = [commit.get(j + o, 0) for o in c]
                if lay.repeat:
                    vals.append(_last_applied(env))
                code = 0
                for v in vals:
                    code = code * A + v
                mc = len(vals)
                idx = lay.base[phi] + int(obs) * A ** mc + code
                dec = int(policy[idx])
                dv = [(dec // A ** (len(k) - 1 - i)) % A for i in range(len(k))]
                decided[j] = tuple(dv)
                for dl, v in zip(k, dv):
                    commit[j + dl] = v
            a = decided[j][k.index(delta)]
        obs, r, term, trunc, info = env.step(a)
        total_steps += info["env_steps"]
    rewards = env.rollout().rewards
    return float(rewards[warm:warm + steps].mean())


def _last_applied(env: Any) -> int:
    ro = env._log_actions
    return int(ro[-1]) if ro else 0


def empirical_regret(mdp: Any, tau_m: float, tau_theta: float, workers: int = 1, schedule: str = "sequential",
                     default_action: Any = "noop", *, policy: Callable[[int], int] | None = None,
                     padding: str = "max", steps: int = 5000, seeds: int = 5, seed: SeedLike = 0,
                     max_states: int = 200_000) -> EmpiricalRegret:
    """The regret terms measured by simulation through :class:`RealtimeEnv`, with 95% confidence intervals.

    The optimal undelayed policy is run on the MDP itself; the optimal delayed policy (full rate: ⌈τ_θ/τ_M⌉ staggered
    workers) and the optimal scheduled policy (the given schedule) are played through a :class:`RealtimeEnv` over the
    MDP; ``policy`` (observation -> action, e.g. a learner's greedy policy) through the given schedule gives the
    learning regret.

    Parameters
    ----------
    mdp : StochasticGame or SparseMDP
        The MDP.
    tau_m, tau_theta, workers, schedule, default_action, padding
        As for :func:`regret_decomposition`.
    policy : callable, optional
        ``policy(observed_state) -> action``; its learning regret is reported (nan when None).
    steps : int
        Measured env steps per run.
    seeds : int
        Independent runs (seeds ``seed, seed+1, ...`` when ``seed`` is an int).
    seed : int or numpy.random.Generator
        Base seed.
    max_states : int
        Limit on the augmented MDPs.

    Returns
    -------
    EmpiricalRegret
        Gains, terms and 95% half-widths in ``ci`` (normal approximation over seeds).
    """
    m = as_sparse_mdp(mdp)
    S, A = m.rewards.shape
    _default_kind(default_action, A)
    tm, th = check_tau(tau_m, "tau_m"), check_tau(tau_theta, "tau_theta")
    if policy is not None and not callable(policy):
        raise RealtimeError(f"policy must be a callable observed_state -> action or None, got {type(policy).__name__}")
    steps = check_positive_int(steps, "steps")
    seeds = check_positive_int(seeds, "seeds", minimum=2)
    rng = as_generator(seed)
    run_seeds = [int(x) for x in rng.integers(0, 2 ** 31, size=seeds)]
    initial = np.asarray(getattr(mdp, "initial", np.full(S, 1.0 / S)), dtype=np.float64)
    factory = lambda: _MDPEnv.make(m, initial)  # noqa: E731
    d = max(1, int(math.ceil(th / tm - 1e-9)))
    opt = np.asarray(solve_average_reward(m).policy)
    pattern, origin = _pattern_with_origin(tm, th, workers, schedule, padding)
    d_sched = "staggered" if d > 1 else "sequential"
    _, origin_d = _pattern_with_origin(tm, d * tm, d, d_sched, "max")
    _, _, pol_d, lay_d = _scheduled_gain(m, initial, (d,), default_action, max_states)
    _, _, pol_s, lay_s = _scheduled_gain(m, initial, pattern, default_action, max_states)
    cols: dict[str, list[float]] = {"optimal": [], "delayed": [], "scheduled": [], "policy": []}
    for sd in run_seeds:
        env = factory()
        s, _ = env.reset(seed=sd)
        tot = 0.0
        for _ in range(steps):
            s, r, *_ = env.step(int(opt[s]))
            tot += r
        cols["optimal"].append(tot / steps)
        cols["delayed"].append(_run_augmented(factory, m, tm, d * tm, d, d_sched, default_action, "max", pol_d,
                                              lay_d, steps, sd, origin_d))
        cols["scheduled"].append(_run_augmented(factory, m, tm, th, workers, schedule, default_action, padding,
                                                pol_s, lay_s, steps, sd, origin))
        if policy is not None:
            from .env import RealtimeEnv
            env = RealtimeEnv(factory(), tm, th, workers=workers, schedule=schedule, padding=padding,
                              default_action=default_action, seed=sd)
            o, info = env.reset(seed=sd)
            n = 0
            while n < steps + 4 * d:
                o, r, _, _, info = env.step(int(policy(int(o))))
                n += info["env_steps"]
            cols["policy"].append(float(env.rollout().rewards[4 * d:4 * d + steps].mean()))
    arr = {k: np.asarray(v) for k, v in cols.items()}
    mean = {k: float(v.mean()) if v.size else float("nan") for k, v in arr.items()}

    def half(x: np.ndarray) -> float:
        return float(1.96 * x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else float("nan")

    diff = {"inaction": arr["delayed"] - arr["scheduled"], "delay": arr["optimal"] - arr["delayed"],
            "total": arr["optimal"] - arr["scheduled"],
            "learning": arr["scheduled"] - arr["policy"] if arr["policy"].size else np.array([])}
    ci = {**{f"{k}_gain": half(v) for k, v in arr.items()}, **{k: half(v) for k, v in diff.items()}}
    return EmpiricalRegret(mean["optimal"], mean["delayed"], mean["scheduled"], mean["policy"],
                           float(diff["inaction"].mean()), float(diff["delay"].mean()),
                           float(diff["learning"].mean()) if diff["learning"].size else float("nan"),
                           float(diff["total"].mean()), ci, steps, seeds)
