"""The wall-clock runtime: one env process, N_I inference worker processes and N_L learner processes.

Riemer et al., "Realtime Reinforcement Learning", ICLR 2025, section 4 and appendix (their multi-process
implementation): the env steps every τ_M in real time; worker i sleeps to its offset ``i τ_pad / N_I`` and then, in a
loop, reads the latest observation, runs the policy (a real torch model, or a sleep of τ_θ when ``model_fn`` is
None: *sleep-emulated inference*), waits until ``start + τ_pad`` (max-time padding) and publishes its action to the
shared :class:`~activeq.realtime.shared.ActionSlot`; learners sample the shared replay buffer and update a shared
model whose weights the workers pick up. Time conventions are those of the virtual clock
(:mod:`activeq.realtime.timeline`): step k's observation is published at ``T0 + (k - 1/4) τ_M`` and step k takes the
slot at ``T0 + (k + 1/2) τ_M`` (so a process may be up to τ_M/2 late without changing the outcome), so a worker starting at step k reads step k's observation and
an action published by ``T0 + k τ_M`` acts at step k: an inference started on step t acts at ``t + ⌈τ_θ/τ_M⌉``.

Robustness (each one tested): no negative sleeps (:class:`~activeq.realtime.clocks.WallClock`), no stale or torn
reads and no lost actions (:mod:`activeq.realtime.shared`), atomic counters, gradients zeroed before each backward
pass and after each shared step, a crashed process stops the run with *its* traceback
(:class:`activeq.errors.RealtimeWorkerError`), a process killed outright (``kill -9``) too, and nothing hangs:
children poll a stop event and their parent, and the supervisor joins them with timeouts and then terminates and
kills. Ctrl-C (KeyboardInterrupt in the supervisor; children ignore SIGINT) and ``time_limit`` shut everything down.

:func:`run_reference` (in :mod:`activeq.realtime.runtime_reference`) is the one-process, virtual-clock version of
the same loop that this runtime is tested against. Processes are forked (Linux); ``env_fn``, ``model_fn``, ``act_fn``
and ``loss_fn`` may be closures. Actions must be ints (a Discrete action space).

Raises :class:`activeq.errors.RealtimeError` for bad arguments (τ, workers, learners without a model, a model whose
output size does not match the action space, a default action outside it) before any process starts;
:class:`activeq.errors.RealtimeWorkerError` when a process fails.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import sys
import signal
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..errors import RealtimeError, RealtimeWorkerError
from .clocks import WallClock, check_tau
from .schedules import check_workers, make_schedule
from .shared import ActionSlot, AtomicCounter, ObservationRing, ReplayBuffer, SharedWeights

__all__ = ["RuntimeConfig", "RuntimeResult", "run_realtime", "dqn_loss", "learner_step"]


@dataclass(frozen=True)
class RuntimeConfig:
    """Settings of a realtime run (the same for :func:`run_realtime` and :func:`run_reference`).

    ``tau_m``: env step time (s). ``tau_theta``: inference time (s): the sleep of emulated inference, and the
    padding bound with ``padding="max"`` (a real model's forward time is used as measured, padded up to it).
    ``workers``, ``schedule``, ``padding``, ``slot``, ``default_action`` (an int action): as for RealtimeEnv.
    ``steps``: env steps to run. ``time_limit``: seconds after which the run stops (None: no limit beyond
    ``steps``). ``learners``: learner processes; ``replay_size``, ``batch_size``, ``lr``: their replay buffer and
    Adam step; ``epsilon``: exploration of the workers' greedy policy; ``seed``: seeds every process.
    ``startup``: seconds between the moment every process is set up and time 0; ``startup_timeout``: seconds the
    processes get to set up (env built, model copied) before the run fails. ``renice``: how much to lower the
    niceness of the env and worker processes (when the OS permits; learners keep theirs), so that on a loaded machine
    they wake up on time.
    """

    tau_m: float
    tau_theta: float
    workers: int = 1
    schedule: str = "staggered"
    padding: str = "max"
    slot: str = "latest"
    default_action: int = 0
    steps: int = 600
    time_limit: float | None = None
    learners: int = 0
    replay_size: int = 10_000
    batch_size: int = 32
    lr: float = 1e-3
    epsilon: float = 0.05
    seed: int = 0
    startup: float = 0.05
    renice: int = 10
    startup_timeout: float = 60.0

    def validated(self) -> "RuntimeConfig":
        check_tau(self.tau_m, "tau_m")
        check_tau(self.tau_theta, "tau_theta")
        check_workers(self.workers)
        make_schedule(self.schedule, self.workers, self.padding)
        if self.slot not in ("latest", "fifo"):
            raise RealtimeError(f"slot must be 'latest' or 'fifo', got {self.slot!r}")
        for name in ("steps", "replay_size", "batch_size"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise RealtimeError(f"{name} must be an int >= 1, got {v!r}")
        if isinstance(self.learners, bool) or not isinstance(self.learners, int) or self.learners < 0:
            raise RealtimeError(f"learners must be an int >= 0, got {self.learners!r}")
        if self.time_limit is not None:
            check_tau(self.time_limit, "time_limit")
        return self


@dataclass(frozen=True)
class RuntimeResult:
    """What a run did. Per env step: ``actions``, ``source`` (the step whose observation the action was computed on,
    -1 for β), ``rewards``, ``tick_times`` (seconds since time 0 at which the step took its action). Counters:
    ``published``/``lost`` actions, ``overruns``, ``learner_updates``, ``weight_version``; ``stopped_by`` is
    ``"steps"`` or ``"time_limit"``. ``published`` and ``lost`` are counted up to the last env step when the run
    completed its steps (workers still publishing while they stop are not counted)."""

    config: RuntimeConfig
    actions: np.ndarray
    source: np.ndarray
    rewards: np.ndarray
    tick_times: np.ndarray
    published: int
    lost: int
    overruns: int
    learner_updates: int
    weight_version: int
    losses: np.ndarray
    stopped_by: str
    elapsed: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return int(self.source.size)

    def action_rate(self, warmup: int | None = None) -> float:
        """Fraction of steps after ``warmup`` (default ⌈τ_θ/τ_M⌉) that applied a policy action."""
        w = _warmup(self.config) if warmup is None else warmup
        s = self.source[w:]
        return float(np.mean(s >= 0)) if s.size else float("nan")

    def mean_staleness(self) -> float:
        idx = np.flatnonzero(self.source >= 0)
        return float(np.mean(idx - self.source[idx])) if idx.size else float("nan")

    def intervals(self) -> np.ndarray:
        """Seconds between consecutive env steps taking their action."""
        return np.diff(self.tick_times)

    def summary(self) -> dict[str, Any]:
        iv = self.intervals()
        dev = np.abs(iv - self.config.tau_m) if iv.size else np.array([np.nan])
        return {"steps": self.steps, "action_rate": self.action_rate(), "mean_staleness": self.mean_staleness(),
                "published": self.published, "lost": self.lost, "overruns": self.overruns,
                "learner_updates": self.learner_updates, "stopped_by": self.stopped_by, "elapsed": self.elapsed,
                "interval_median_abs_dev": float(np.median(dev)), "interval_p99_abs_dev": float(np.quantile(dev, 0.99))}


def _warmup(cfg: RuntimeConfig) -> int:
    return int(math.ceil(cfg.tau_theta / cfg.tau_m - 1e-9))


def dqn_loss(gamma: float = 0.99) -> Callable[[Any, dict[str, Any]], Any]:
    """A one-step Q-learning loss ``(Q(s, a) - (r + γ (1 - done) max_b Q(s', b)))²`` for a model that outputs Q."""
    def loss(model: Any, batch: dict[str, Any]) -> Any:
        import torch

        q = model(batch["obs"]).gather(1, batch["action"][:, None]).squeeze(1)
        with torch.no_grad():
            target = batch["reward"] + gamma * (1.0 - batch["done"]) * model(batch["next_obs"]).max(dim=1).values
        return torch.mean((q - target) ** 2)
    return loss


def learner_step(local: Any, loss_fn: Callable[[Any, dict[str, Any]], Any], batch: dict[str, Any]) -> float:
    """One learner gradient: zero the local gradients *first* (the reference code never did, so gradients summed over
    every update), then backpropagate ``loss_fn(local, batch)``. Returns the loss."""
    local.zero_grad(set_to_none=True)
    loss = loss_fn(local, batch)
    loss.backward()
    return float(loss.detach())


def _to_torch(batch: dict[str, np.ndarray]) -> dict[str, Any]:
    import torch

    return {k: torch.as_tensor(v) for k, v in batch.items()}


def _guard(cfg: RuntimeConfig) -> float:
    """How late a worker may publish and still make the step it aims at (the env takes the slot τ_M/2 after the
    step's nominal time)."""
    return cfg.tau_m / 2


# ------------------------------------------------------------------------------------------------- the processes
def _child(role: str, target: Callable[..., None], args: tuple, errors: Any, stop: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the supervisor handles Ctrl-C
    try:
        if "torch" in sys.modules:  # forked from a parent that uses torch: one thread per process
            sys.modules["torch"].set_num_threads(1)
        target(*args)
    except BaseException:  # noqa: BLE001 - report every failure with its traceback, then stop the run
        errors.put((role, traceback.format_exc()))
        stop.set()


def _alive(stop: Any, parent: int) -> bool:
    return not stop.is_set() and os.getppid() == parent


def _start_time(clock_t0: Any, ready: AtomicCounter, stop: Any, parent: int) -> float:
    """Say this process is set up, then wait for the supervisor to fix time 0 (after every process is ready)."""
    ready.add(1)
    while clock_t0.value == 0.0:
        if not _alive(stop, parent):
            return math.inf
        time.sleep(5e-4)
    return float(clock_t0.value)


def _raise_priority(cfg: RuntimeConfig) -> None:
    """Lower the niceness of a timing-critical process by ``cfg.renice`` when the OS allows it (root, CAP_SYS_NICE);
    silently keep the current priority otherwise."""
    if cfg.renice:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, max(-20, os.getpriority(os.PRIO_PROCESS, 0) - int(cfg.renice)))
        except (PermissionError, OSError):
            pass


def _env_proc(env_fn, cfg, t0, ready, ring, slot, replay, log, stop, parent, done_flag, end_counts) -> None:
    _raise_priority(cfg)
    clock = WallClock()
    env = env_fn()
    obs, _ = env.reset(seed=cfg.seed)
    T0 = _start_time(t0, ready, stop, parent)
    g = _guard(cfg)
    k = 0
    acts, srcs, rews, times = log
    while k < cfg.steps and _alive(stop, parent):
        clock.wait_until_abs(T0 + k * cfg.tau_m - g / 2)
        ring.publish(k, obs)
        clock.wait_until_abs(T0 + k * cfg.tau_m + g)
        t_take = time.perf_counter() - T0
        got = slot.take(deadline=T0 + k * cfg.tau_m + g)  # only what was published by step k's nominal time
        a, src = (cfg.default_action, -1) if got is None else (got[0], got[1])
        nxt, r, term, trunc, _ = env.step(a)
        acts[k], srcs[k], rews[k], times[k] = a, src, r, t_take
        if replay is not None:
            replay.add(obs, a, r, nxt, term)
        obs = nxt
        if term or trunc:
            obs, _ = env.reset()
        k += 1
        done_flag.value = k
        if k == cfg.steps:  # counters as of the last step (workers may still publish before they see the stop)
            end_counts[0], end_counts[1] = slot.published, slot.lost
    stop.set()


def _worker_proc(i, cfg, t0, ready, ring, slot, weights, model_fn, act_fn, stop, parent, shift, overruns) -> None:
    _raise_priority(cfg)
    clock = WallClock()
    sched = make_schedule(cfg.schedule, cfg.workers, cfg.padding)
    offsets = sched.offsets(cfg.tau_theta, cfg.tau_theta)
    pad = cfg.tau_theta if cfg.padding == "max" else 0.0
    rng = np.random.default_rng(cfg.seed * 7919 + i)
    local, seen = None, -1
    if weights is not None:
        import torch

        local = model_fn()
        seen = weights.pull(local, -2)
    T0 = _start_time(t0, ready, stop, parent)
    next_start = T0 + offsets[i]
    while _alive(stop, parent):
        clock.wait_until_abs(next_start)
        if not _alive(stop, parent):
            break
        start = next_start  # the scheduled start: wake-up latency must not accumulate over cycles
        j, obs = ring.latest()
        if j < 0:  # no observation yet (only if the env process started late): try again one step later
            next_start = start + cfg.tau_m
            continue
        if local is not None:
            seen = weights.pull(local, seen)
            with torch.no_grad():
                q = local(torch.as_tensor(obs)[None])
            a = int(rng.integers(q.shape[1])) if rng.random() < cfg.epsilon else int(q.argmax(dim=1)[0])
        else:
            a = int(act_fn(obs, j)) if act_fn is not None else cfg.default_action
            # sleep-emulated inference: it lasts tau_theta from the nominal time of the observation it read (a worker
            # woken late may have read a newer observation; its action must not be ready before tau_theta after it)
            clock.wait_until_abs(max(start, T0 + j * cfg.tau_m) + cfg.tau_theta)
        clock.wait_until_abs(start + pad)
        slot.publish(a, j, i)
        finish = time.perf_counter()
        if pad <= 0:
            next_start = finish
            continue
        if finish > start + pad + _guard(cfg):  # overrun: shift every worker's grid by whole env steps
            overruns.add(1)
            with shift.get_lock():
                shift.value += math.ceil((finish - start - pad) / cfg.tau_m - 1e-9) * cfg.tau_m
        # the next start on this worker's grid (offset_i + m * pad, shifted): spacing between workers is kept
        grid = T0 + offsets[i] + shift.value
        m = math.ceil((max(finish - _guard(cfg), start + pad) - grid) / pad - 1e-9)
        next_start = grid + m * pad


def _learner_proc(i, cfg, t0, ready, replay, weights, model_fn, loss_fn, stop, parent, updates, losses) -> None:
    import torch

    local = model_fn()
    opt = torch.optim.Adam(weights.model.parameters(), lr=cfg.lr)
    rng = np.random.default_rng(cfg.seed * 104729 + i)
    _start_time(t0, ready, stop, parent)
    while _alive(stop, parent):
        batch = replay.sample(cfg.batch_size, rng)
        if batch is None:
            time.sleep(cfg.tau_m / 4)
            continue
        weights.pull(local, -1)  # always from the current shared weights (our own last step included)
        losses[i] = learner_step(local, loss_fn, _to_torch(batch))
        weights.apply(local, opt)
        updates.add(1)


# ------------------------------------------------------------------------------------------------- the supervisor
def _space_checks(env_fn: Callable[[], Any], model_fn: Callable[[], Any] | None, cfg: RuntimeConfig) -> tuple:
    from gymnasium import spaces

    env = env_fn()
    space = env.action_space
    if not isinstance(space, spaces.Discrete):
        raise RealtimeError(f"the runtime needs a Discrete action space, got {space}")
    if not 0 <= cfg.default_action - int(space.start) < int(space.n):
        raise RealtimeError(f"default_action must be an action in {space}, got {cfg.default_action!r}")
    obs, _ = env.reset(seed=cfg.seed)
    shape = np.asarray(obs, dtype=np.float32).shape
    if hasattr(env, "close"):
        env.close()
    if model_fn is not None:
        import torch

        model = model_fn()
        with torch.no_grad():
            out = model(torch.as_tensor(np.asarray(obs, dtype=np.float32))[None])
        if out.ndim != 2 or out.shape[1] != int(space.n):
            raise RealtimeError(f"the model must map an observation batch to (batch, {int(space.n)}) action values "
                                f"for the action space {space}, got output shape {tuple(out.shape)}")
        return shape, model
    return shape, None


def run_realtime(env_fn: Callable[[], Any], config: RuntimeConfig, *, model_fn: Callable[[], Any] | None = None,
                 act_fn: Callable[[np.ndarray, int], int] | None = None,
                 loss_fn: Callable[[Any, dict[str, Any]], Any] | None = None, join_timeout: float = 2.0
                 ) -> RuntimeResult:
    """Run env, inference and learner processes on the wall clock (see the module doc).

    Parameters
    ----------
    env_fn : callable
        Builds the gymnasium env (called in the env process, and once here to check the spaces).
    config : RuntimeConfig
        τ's, workers, schedule, learners, steps, time limit, seed.
    model_fn : callable, optional
        Builds the torch model (observation batch -> action values). None: sleep-emulated inference whose action is
        ``act_fn(obs, step)`` (default: the default action).
    act_fn : callable, optional
        The emulated policy.
    loss_fn : callable, optional
        ``loss_fn(model, batch) -> loss`` for the learners (default: :func:`dqn_loss`).
    join_timeout : float
        Seconds each process gets to stop before it is terminated (then killed).

    Returns
    -------
    RuntimeResult
        Per-step log and counters.
    """
    cfg = config.validated()
    if cfg.learners and model_fn is None:
        raise RealtimeError("learners > 0 needs a model_fn (the model the learners train)")
    shape, model = _space_checks(env_fn, model_fn, cfg)
    if cfg.learners:  # a first optimizer imports torch's lazy modules for seconds: do it once, before forking
        import torch

        torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=cfg.lr)
    ctx = mp.get_context("fork")
    stop = ctx.Event()
    errors = ctx.Queue()
    ring = ObservationRing(shape, 8, ctx)
    slot = ActionSlot(cfg.slot, max(4, 4 * cfg.workers), ctx)
    replay = ReplayBuffer(shape, cfg.replay_size, ctx) if cfg.learners else None
    weights = SharedWeights(model, ctx) if model is not None else None
    log = (np.frombuffer(ctx.RawArray("q", cfg.steps), np.int64), np.frombuffer(ctx.RawArray("q", cfg.steps), np.int64),
           np.frombuffer(ctx.RawArray("d", cfg.steps), np.float64), np.frombuffer(ctx.RawArray("d", cfg.steps), np.float64))
    done_steps = ctx.RawValue("q", 0)
    shift = ctx.Value("d", 0.0, lock=True)
    overruns = AtomicCounter(ctx)
    updates = AtomicCounter(ctx)
    losses = np.frombuffer(ctx.RawArray("d", max(1, cfg.learners)), np.float64)
    losses[:] = np.nan
    parent = os.getpid()
    t0 = ctx.RawValue("d", 0.0)
    ready = AtomicCounter(ctx)
    procs: list[tuple[str, Any]] = []
    end_counts = ctx.RawArray("q", [-1, -1])
    specs = [("env", _env_proc, (env_fn, cfg, t0, ready, ring, slot, replay, log, stop, parent, done_steps,
                                 end_counts))]
    specs += [(f"worker {i}", _worker_proc, (i, cfg, t0, ready, ring, slot, weights, model_fn, act_fn, stop, parent,
                                             shift, overruns)) for i in range(cfg.workers)]
    specs += [(f"learner {i}", _learner_proc, (i, cfg, t0, ready, replay, weights, model_fn, loss_fn or dqn_loss(),
                                               stop, parent, updates, losses)) for i in range(cfg.learners)]
    T0 = math.inf
    stopped_by = "steps"
    failure: tuple[str, str] | None = None
    try:
        for role, target, args in specs:
            p = ctx.Process(target=_child, args=(role, target, args, errors, stop), name=f"activeq-realtime-{role}",
                            daemon=True)
            p.start()
            procs.append((role, p))
        setup_end = time.perf_counter() + cfg.startup_timeout
        while ready.value < len(specs) and not stop.is_set():  # every process set up: then fix time 0
            if time.perf_counter() > setup_end:
                failure = ("supervisor", f"only {ready.value} of {len(specs)} processes were set up after "
                                         f"startup_timeout={cfg.startup_timeout} s")
                break
            _check_exits(procs)
            time.sleep(1e-3)
        T0 = time.perf_counter() + cfg.startup
        t0.value = T0
        deadline = None if cfg.time_limit is None else T0 + cfg.time_limit
        while not stop.is_set() and failure is None:
            if deadline is not None and time.perf_counter() >= deadline:
                stopped_by = "time_limit"
                break
            failure = _check_exits(procs)
            if failure:
                break
            stop.wait(0.02)
    finally:
        stop.set()
        _shutdown(procs, join_timeout)
    try:  # a child that raised put its traceback here before setting stop (it exits with code 0)
        failure = errors.get(timeout=0.1)
    except queue.Empty:
        pass
    n = int(done_steps.value)
    result = RuntimeResult(cfg, log[0][:n].copy(), log[1][:n].copy(), log[2][:n].copy(), log[3][:n].copy(),
                           end_counts[0] if end_counts[0] >= 0 else slot.published,
                           end_counts[1] if end_counts[1] >= 0 else slot.lost, overruns.value, updates.value,
                           weights.version if weights is not None else 0, losses.copy(), stopped_by,
                           float(max(0.0, time.perf_counter() - T0)) if T0 < math.inf else 0.0, {"model": weights.model if weights is not None else None})
    if failure is not None:
        role, tb = failure
        raise RealtimeWorkerError(f"realtime {role} failed; the run stopped after {n} env steps:\n{tb}", worker=role,
                                  traceback=tb, step=n, rollout=result)
    return result


def _check_exits(procs: list[tuple[str, Any]]) -> tuple[str, str] | None:
    for role, p in procs:
        if p.exitcode is not None and p.exitcode != 0:
            return role, _exit_message(p.exitcode)
    return None


def _exit_message(code: int) -> str:
    if code < 0:
        return f"process exited on signal {-code} ({signal.Signals(-code).name}) without a traceback"
    return f"process exited with code {code} without a traceback"


def _shutdown(procs: list[tuple[str, Any]], timeout: float) -> None:
    end = time.perf_counter() + timeout
    for _, p in procs:
        p.join(max(0.0, end - time.perf_counter()))
    for _, p in procs:
        if p.is_alive():
            p.terminate()
            p.join(0.5)
        if p.is_alive():
            p.kill()
            p.join(0.5)
