"""Regret sweeps: learners x environments x seeds, with CSV/JSON results and resume.

Each run ``(environment, learner, seed)`` is stored as one JSON file under ``out_dir/runs/`` holding the regret
at the requested report steps and the cumulative-regret curve thinned to ``curve_points`` log-spaced steps; a
finished file is never recomputed (resume), and an unfinished long run resumes from its mid-run checkpoint in
``out_dir/checkpoints/``. :class:`SweepResult` turns the records into a table (mean and standard error over
seeds), a CSV file, per-learner curves for :mod:`activeq.plot.curves`, and paired seed-by-seed comparisons.

Environments are named builders (:data:`ENVIRONMENTS`): ``"rooms"`` (bottleneck rooms with switching goals, task
in the state, from :mod:`activeq.games.generators.scalable`), ``"rooms_cells"`` (same rooms, cell observations),
``"cycle_tasks"`` and ``"random_mdp"``; register more with :func:`register_environment`.
"""

from __future__ import annotations

import csv
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import check_positive_int
from ..errors import ExperimentError
from .learners import LEARNERS, make_learner, run
from .learners.environment import Environment, MDPEnvironment, SwitchingEnvironment

ENVIRONMENTS: dict[str, Callable[..., Environment]] = {}


def register_environment(name: str) -> Callable[[Callable[..., Environment]], Callable[..., Environment]]:
    """Decorator registering an environment builder ``f(**params) -> Environment`` under ``name``."""
    def decorate(func: Callable[..., Environment]) -> Callable[..., Environment]:
        ENVIRONMENTS[name] = func
        return func
    return decorate


@register_environment("random_mdp")
def random_mdp_environment(states: int = 10, actions: int = 3, seed: int = 0, sparsity: float = 3.0) -> Environment:
    """A random dense MDP (rewards uniform in [0, 1], transitions ``u**sparsity`` normalised)."""
    from ..games import StochasticGame

    rng = np.random.default_rng(seed)
    T = rng.random((states, actions, states)) ** sparsity
    T /= T.sum(axis=-1, keepdims=True)
    return MDPEnvironment(StochasticGame.mdp(rng.random((states, actions)), T), name=f"random_mdp{states}x{actions}")


@register_environment("rooms")
def rooms_environment(rooms: int = 4, length: int = 3, switching: str = "cycles", slip: float = 0.05) -> Environment:
    """Bottleneck rooms with switching goals (:func:`activeq.games.generators.scalable.rooms_mdp`); the learner
    observes ``(task, cell)`` (``rooms**2 * length**2`` states), so this is a genuine MDP with an exact optimal gain."""
    from ..games.generators.scalable import rooms_mdp

    return MDPEnvironment(rooms_mdp(rooms, length, switching, slip), name=f"rooms{rooms}x{length}_{switching}")


@register_environment("rooms_cells")
def rooms_cells_environment(rooms: int = 16, length: int = 5, switching: str = "cycles", slip: float = 0.05,
                            exact_gains: bool = True) -> Environment:
    """The same rooms process as ``"rooms"``, but the learner observes only its cell (``rooms * length**2``
    states, not the task). Regret is charged against the exact optimal gain of the full task-in-state MDP: the best
    a history-dependent policy can do (``exact_gains=False``: NaN gains, for speed measurements only)."""
    from ..games.generators.scalable import RoomsLayout, rooms_mdp

    mdp = rooms_mdp(rooms, length, switching, slip)
    cells = RoomsLayout(rooms, length, slip).n_cells
    return MDPEnvironment(mdp, observation=np.arange(mdp.num_states) % cells, exact_gains=exact_gains,
                          name=f"rooms_cells{rooms}x{length}_{switching}")


@register_environment("cycle_tasks")
def cycle_tasks_environment(rooms: int = 4, length: int = 5, x: float = 2.0, slip: float = 0.05) -> Environment:
    """Goals moving to the next room every ``2 * length**x`` steps regardless of the agent (cell observations)."""
    from ..games.generators.scalable import cycle_tasks

    ct = cycle_tasks(rooms, length, x, slip)
    return SwitchingEnvironment([ct.task_mdp(k) for k in range(rooms)], switch_every=ct.period, switching="cycles",
                                name=f"cycle_tasks{rooms}x{length}_x{x:g}")


@dataclass(frozen=True)
class EnvSpec:
    """An environment to build: registered ``builder`` name, its ``params`` and a ``label`` for results."""

    label: str
    builder: str
    params: dict[str, Any] = field(default_factory=dict)

    def build(self) -> Environment:
        if self.builder not in ENVIRONMENTS:
            raise ExperimentError(f"unknown environment builder {self.builder!r}; known: {sorted(ENVIRONMENTS)}")
        return ENVIRONMENTS[self.builder](**self.params)


@dataclass(frozen=True)
class LearnerSpec:
    """A learner to build: registered ``name`` (see ``LEARNERS``), keyword ``params`` and a ``label``."""

    label: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in LEARNERS:
            raise ExperimentError(f"unknown learner {self.name!r}; known: {sorted(LEARNERS)}")


@dataclass(frozen=True)
class RunRecord:
    """Summary of one run: regret at each report step, and the thinned cumulative-regret curve."""

    environment: str
    learner: str
    seed: int
    steps: int
    report_steps: tuple[int, ...]
    regret: tuple[float, ...]
    mean_reward: float
    mean_optimal_gain: float
    curve_steps: tuple[int, ...]
    curve: tuple[float, ...]
    seconds: float

    def regret_at(self, t: int) -> float:
        if t not in self.report_steps:
            raise ExperimentError(f"regret was recorded at {self.report_steps}, not at {t}")
        return self.regret[self.report_steps.index(t)]

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RunRecord":
        return cls(d["environment"], d["learner"], int(d["seed"]), int(d["steps"]),
                   tuple(int(v) for v in d["report_steps"]), tuple(float(v) for v in d["regret"]),
                   float(d["mean_reward"]), float(d["mean_optimal_gain"]), tuple(int(v) for v in d["curve_steps"]),
                   tuple(float(v) for v in d["curve"]), float(d["seconds"]))


@dataclass(frozen=True)
class SweepResult:
    """All run records of a sweep; summaries across seeds."""

    records: tuple[RunRecord, ...]

    def select(self, environment: str | None = None, learner: str | None = None) -> list[RunRecord]:
        return [r for r in self.records if (environment is None or r.environment == environment)
                and (learner is None or r.learner == learner)]

    @property
    def environments(self) -> list[str]:
        return list(dict.fromkeys(r.environment for r in self.records))

    @property
    def learners(self) -> list[str]:
        return list(dict.fromkeys(r.learner for r in self.records))

    def summary(self) -> list[dict[str, Any]]:
        """One row per (environment, learner, report step): mean, standard error (None for one seed), min, max regret,
        seed count, mean reward and mean optimal gain."""
        rows = []
        for env in self.environments:
            for lea in self.learners:
                recs = self.select(env, lea)
                if not recs:
                    continue
                for k, t in enumerate(recs[0].report_steps):
                    vals = np.array([r.regret[k] for r in recs])
                    se = float(vals.std(ddof=1) / np.sqrt(len(vals))) if len(vals) > 1 else None
                    rows.append({"environment": env, "learner": lea, "step": t, "seeds": len(vals),
                                 "regret_mean": float(vals.mean()), "regret_se": se, "regret_min": float(vals.min()),
                                 "regret_max": float(vals.max()),
                                 "mean_reward": float(np.mean([r.mean_reward for r in recs])),
                                 "optimal_gain": float(np.mean([r.mean_optimal_gain for r in recs]))})
        return rows

    def table(self) -> str:
        """Aligned text table of :meth:`summary` (regret mean +- standard error over seeds)."""
        head = ["environment", "learner", "step", "seeds", "regret", "+-se", "mean reward", "optimal gain"]
        body = [[r["environment"], r["learner"], str(r["step"]), str(r["seeds"]), f"{r['regret_mean']:.1f}",
                 "-" if r["regret_se"] is None else f"{r['regret_se']:.1f}", f"{r['mean_reward']:.4f}", f"{r['optimal_gain']:.4f}"]
                for r in self.summary()]
        widths = [max(len(h), *(len(row[k]) for row in body)) if body else len(h) for k, h in enumerate(head)]
        left = {0, 1}
        fmt = lambda row: "  ".join(v.ljust(w) if k in left else v.rjust(w)  # noqa: E731
                                    for k, (v, w) in enumerate(zip(row, widths))).rstrip()
        return "\n".join([fmt(head), "  ".join("-" * w for w in widths)] + [fmt(row) for row in body])

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write every run record (one row per run and report step) as CSV."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["environment", "learner", "seed", "step", "regret", "mean_reward", "mean_optimal_gain",
                        "seconds"])
            for r in self.records:
                for t, g in zip(r.report_steps, r.regret):
                    w.writerow([r.environment, r.learner, r.seed, t, repr(g), repr(r.mean_reward),
                                repr(r.mean_optimal_gain), f"{r.seconds:.3f}"])
        return path

    def curves(self, environment: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``(steps, {learner: regret array (seeds, points)})`` for plotting."""
        out = {}
        steps = None
        for lea in self.learners:
            recs = self.select(environment, lea)
            if recs:
                steps = np.asarray(recs[0].curve_steps)
                out[lea] = np.array([r.curve for r in recs])
        if steps is None:
            raise ExperimentError(f"no runs for environment {environment!r}")
        return steps, out

    def paired_wins(self, environment: str, better: str, worse: str, step: int) -> tuple[int, int]:
        """``(seeds where better's regret < worse's, seeds compared)`` at ``step``, matching seeds."""
        a = {r.seed: r.regret_at(step) for r in self.select(environment, better)}
        b = {r.seed: r.regret_at(step) for r in self.select(environment, worse)}
        common = sorted(set(a) & set(b))
        return sum(a[s] < b[s] for s in common), len(common)


def _record_path(out_dir: Path, env: EnvSpec, lea: LearnerSpec, seed: int) -> Path:
    return out_dir / "runs" / f"{env.label}__{lea.label}__seed{seed}.json"


def _one_run(env_spec: EnvSpec, lea_spec: LearnerSpec, seed: int, steps: int, report: tuple[int, ...],
             curve_points: int, out_dir: str | None, checkpoint_every: int) -> RunRecord:
    import time

    env = env_spec.build()
    learner = make_learner(lea_spec.name, env.num_states, env.num_actions, **lea_spec.params)
    ckpt = None
    if out_dir is not None:
        ckpt = Path(out_dir) / "checkpoints" / f"{env_spec.label}__{lea_spec.label}__seed{seed}.json"
        ckpt.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.process_time()
    res = run(learner, env, steps, seed, progress=False, checkpoint=ckpt, checkpoint_every=checkpoint_every)
    seconds = time.process_time() - t0
    regret = res.regret
    idx = np.unique(np.geomspace(1, steps, curve_points).astype(int)) - 1
    record = RunRecord(env_spec.label, lea_spec.label, int(seed), steps, report,
                       tuple(float(regret[t - 1]) for t in report), res.mean_reward,
                       float(res.optimal_gains.mean()), tuple(int(i + 1) for i in idx),
                       tuple(float(regret[i]) for i in idx), seconds)
    if out_dir is not None:
        path = _record_path(Path(out_dir), env_spec, lea_spec, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(record.to_dict()))
        os.replace(tmp, path)
        if ckpt is not None and ckpt.exists():
            ckpt.unlink()
    return record


def regret_sweep(environments: Sequence[EnvSpec], learners: Sequence[LearnerSpec], seeds: Sequence[int],
                 steps: int, *, report_steps: Sequence[int] | None = None, out_dir: str | os.PathLike[str] | None = None,
                 curve_points: int = 200, checkpoint_every: int = 100_000, workers: int = 1,
                 progress: bool = True) -> SweepResult:
    """Run every learner on every environment for every seed; returns a :class:`SweepResult`.

    ``report_steps`` (default: powers of ten up to ``steps``, and ``steps``) are where regret is recorded. With
    ``out_dir`` finished runs are read back instead of recomputed, and ``out_dir/summary.csv`` is written.
    ``workers > 1`` runs in that many processes.
    """
    steps = check_positive_int(steps, "steps")
    workers = check_positive_int(workers, "workers")
    if report_steps is None:
        report_steps = [10 ** k for k in range(1, 13) if 10 ** k < steps] + [steps]
    report = tuple(sorted({check_positive_int(t, "report_steps") for t in report_steps}))
    if report[-1] > steps:
        raise ExperimentError(f"report_steps must be <= steps ({steps}), got {report[-1]}")
    for kind, specs in (("environment", environments), ("learner", learners)):
        labels = [s.label for s in specs]
        if len(set(labels)) != len(labels):
            raise ExperimentError(f"{kind} labels must be unique, got {labels}")
    out = Path(out_dir) if out_dir is not None else None
    jobs, records = [], {}
    for env in environments:
        for lea in learners:
            for seed in seeds:
                key = (env.label, lea.label, int(seed))
                path = _record_path(out, env, lea, seed) if out is not None else None
                if path is not None and path.exists():
                    rec = RunRecord.from_dict(json.loads(path.read_text()))
                    if rec.steps == steps and rec.report_steps == report:
                        records[key] = rec
                        continue
                jobs.append((env, lea, int(seed)))
    args = [(e, l, s, steps, report, curve_points, None if out is None else str(out), checkpoint_every)
            for e, l, s in jobs]
    bar = tqdm(total=len(jobs), disable=not progress, desc="regret sweep")
    try:
        if workers == 1:
            for a in args:
                rec = _one_run(*a)
                records[(rec.environment, rec.learner, rec.seed)] = rec
                bar.update()
        else:
            with ProcessPoolExecutor(workers) as pool:
                for rec in pool.map(_one_run, *zip(*args)) if args else []:
                    records[(rec.environment, rec.learner, rec.seed)] = rec
                    bar.update()
    finally:
        bar.close()
    ordered = tuple(records[(e.label, l.label, int(s))] for e in environments for l in learners for s in seeds)
    result = SweepResult(ordered)
    if out is not None:
        result.to_csv(out / "summary.csv")
    return result
