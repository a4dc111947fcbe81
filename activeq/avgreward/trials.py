"""Regret experiments as trial functions: one learner, one environment, one seed per call; and their summaries.

:func:`regret_trial` is what :mod:`activeq.experiments` runs (``trial(seed, **params) -> dict``): it builds a
registered environment (:mod:`activeq.avgreward.environments`) and learner, runs
:func:`activeq.avgreward.learners.run`, and returns the regret ``sum_{t < T} (g*_t - r_t)`` against the exact
optimal gain (the regret of Jaksch, Ortner and Auer, "Near-optimal regret bounds for reinforcement learning", JMLR
2010, section 1), the mean reward and the mean optimal gain over the first ``T`` steps, at each report step ``T``.
Given a trial context (duck-typed: this module never imports :mod:`activeq.experiments`) it checkpoints the run in
the trial's own directory and writes the cumulative-regret curve as the metric series ``"regret"``.

:func:`regret_spec` writes the experiment spec (plain data, the TOML layout) of a sweep over environments, learners
and seeds; :class:`RegretRuns` turns the trials' records into a table (mean and standard error over seeds at every
report step), CSV, curves for :mod:`activeq.plot.curves`, and paired seed-by-seed comparisons.

Raises :class:`activeq.errors.ExperimentError` for report steps beyond ``steps``, an unknown environment or learner
name, records that are not finished regret trials, and results asked for at a step that was not recorded.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import check_positive_int
from ..errors import ExperimentError
from .environments import build_environment
from .learners import LEARNERS, make_learner, run

TRIAL = "activeq.avgreward.trials:regret_trial"


def default_report_steps(steps: int) -> list[int]:
    """Powers of ten below ``steps``, and ``steps``."""
    return [10 ** k for k in range(1, 13) if 10 ** k < steps] + [steps]


def learner_label(name: str, params: Mapping[str, Any] | None = None) -> str:
    """``name``, or ``name(k=v, ...)`` when the learner has non-default parameters."""
    if not params:
        return name
    return f"{name}(" + ", ".join(f"{k}={v}" for k, v in sorted(params.items())) + ")"


def regret_trial(seed: int, *, environment: str = "rooms", env_params: dict[str, Any] | None = None,
                 learner: str = "rho_on", learner_params: dict[str, Any] | None = None, steps: int = 5000,
                 report_steps: Sequence[int] | None = None, curve_points: int = 200,
                 checkpoint_every: int = 100_000, context: Any = None) -> dict[str, Any]:
    """Run ``learner`` on ``environment`` for ``steps`` steps with ``seed``; regret against the exact optimal gain.

    Parameters
    ----------
    seed : int
        Fixes the environment's and the learner's randomness.
    environment : str
        A registered builder (``rooms``, ``rooms_cells``, ``cycle_tasks``, ``random_mdp``).
    env_params : dict, optional
        The builder's keyword arguments.
    learner : str
        A registered learner (``activeq.avgreward.learners.LEARNERS``).
    learner_params : dict, optional
        The learner's keyword arguments.
    steps : int
        Steps of the continuing run.
    report_steps : sequence of int, optional
        Where the regret is reported (default: powers of ten below ``steps``, and ``steps``).
    curve_points : int
        Log-spaced points of the cumulative-regret curve written as the series ``"regret"``.
    checkpoint_every : int
        Steps between checkpoints (with a context: in its ``checkpoint_dir``, resumed after a crash).
    context : TrialContext, optional
        Given by :func:`activeq.experiments.run`.

    Returns
    -------
    dict
        ``environment`` and ``learner`` (labels), ``steps``, ``report_steps``, and at each report step ``regret``,
        ``mean_reward`` and ``optimal_gain`` (means over the steps so far); ``total_regret`` at ``steps``.
    """
    steps = check_positive_int(steps, "steps")
    report = tuple(sorted({check_positive_int(t, "report_steps") for t in (report_steps or
                                                                         default_report_steps(steps))}))
    if report[-1] > steps:
        raise ExperimentError(f"report_steps must be <= steps ({steps}), got {report[-1]}")
    curve_points = check_positive_int(curve_points, "curve_points")
    if learner not in LEARNERS:
        raise ExperimentError(f"unknown learner {learner!r}; known: {sorted(LEARNERS)}")
    env = build_environment(environment, env_params)
    agent = make_learner(learner, env.num_states, env.num_actions, **(learner_params or {}))
    ckpt = None
    if context is not None and getattr(context, "checkpoint_dir", None) is not None:
        ckpt = Path(context.checkpoint_dir) / "run.json"
    res = run(agent, env, steps, seed, progress=False, checkpoint=ckpt, checkpoint_every=checkpoint_every)
    regret = res.regret
    rewards, gains = np.cumsum(res.rewards), np.cumsum(res.optimal_gains)
    idx = np.array(report) - 1
    if context is not None:
        at = np.unique(np.geomspace(1, steps, curve_points).astype(int)) - 1
        context.write_series("regret", step=at + 1, regret=regret[at])
    return {"environment": env.name, "learner": learner_label(learner, learner_params), "steps": steps,
            "report_steps": list(report), "regret": regret[idx].tolist(),
            "mean_reward": (rewards[idx] / (idx + 1)).tolist(), "optimal_gain": (gains[idx] / (idx + 1)).tolist(),
            "total_regret": float(regret[-1])}


def regret_spec(name: str, environments: Sequence[tuple[str, Mapping[str, Any]]],
                learners: Sequence[str | tuple[str, Mapping[str, Any]]], seeds: int | Sequence[int], steps: int, *,
                report_steps: Sequence[int] | None = None, curve_points: int = 200,
                checkpoint_every: int | None = None, retries: int = 0) -> dict[str, Any]:
    """The experiment spec (plain data) of every learner on every environment for every seed.

    Parameters
    ----------
    name : str
        Experiment name; trials of other steps or environments can share it (their keys differ).
    environments : sequence of (builder, params)
        Environments by registered builder name and keyword arguments.
    learners : sequence of name or (name, params)
        Learners by registered name, with keyword arguments if any.
    seeds : int or sequence of int
        A count (seeds ``0..n-1``) or the seeds.
    steps : int
        Steps per run.
    report_steps : sequence of int, optional
        Where regret is reported (default: powers of ten below ``steps``, and ``steps``).
    curve_points : int
        Points of the stored regret curve.
    checkpoint_every : int, optional
        Steps between mid-run checkpoints (default 100,000); part of the trial key when given.
    retries : int
        Re-runs of a trial that raised.

    Returns
    -------
    dict
        For ``activeq.experiments.Experiment.from_dict`` (or a TOML file).
    """
    steps = check_positive_int(steps, "steps")
    params: dict[str, Any] = {"steps": steps,
                              "report_steps": sorted(set(report_steps or default_report_steps(steps))),
                              "curve_points": curve_points}
    if checkpoint_every is not None:
        params["checkpoint_every"] = checkpoint_every
    lea = [(entry, {}) if isinstance(entry, str) else (entry[0], dict(entry[1])) for entry in learners]
    for n, _ in lea:
        if n not in LEARNERS:
            raise ExperimentError(f"unknown learner {n!r}; known: {sorted(LEARNERS)}")
    return {"name": name, "function": TRIAL, "seeds": seeds if isinstance(seeds, int) else list(seeds),
            "params": params, "retries": retries,
            "zip": [{"environment": [b for b, _ in environments], "env_params": [dict(p) for _, p in environments]},
                    {"learner": [n for n, _ in lea], "learner_params": [p for _, p in lea]}]}


@dataclass(frozen=True)
class RegretRun:
    """One finished regret trial: per report step regret, mean reward and mean optimal gain; the regret curve."""

    environment: str
    learner: str
    seed: int
    steps: int
    report_steps: tuple[int, ...]
    regret: tuple[float, ...]
    mean_reward: tuple[float, ...]
    optimal_gain: tuple[float, ...]
    curve_steps: tuple[int, ...] = ()
    curve: tuple[float, ...] = ()
    seconds: float | None = None

    def regret_at(self, t: int) -> float:
        if t not in self.report_steps:
            raise ExperimentError(f"regret was recorded at {self.report_steps}, not at {t}")
        return self.regret[self.report_steps.index(t)]

    @classmethod
    def from_record(cls, record: Any) -> "RegretRun":
        """From a trial record of :func:`regret_trial` (``.result``, ``.seed``, ``.seconds``, ``.series``)."""
        r = getattr(record, "result", None)
        if getattr(record, "status", "done") != "done" or not isinstance(r, Mapping) or "report_steps" not in r:
            raise ExperimentError(f"trial {getattr(record, 'key', record)!r} is not a finished regret trial "
                                  f"(status {getattr(record, 'status', '?')})")
        steps, curve = (), ()
        if "regret" in getattr(record, "metrics", {}):
            series = record.series("regret")
            steps, curve = tuple(int(s) for s in series["step"]), tuple(float(v) for v in series["regret"])
        return cls(r["environment"], r["learner"], int(record.seed), int(r["steps"]),
                   tuple(int(t) for t in r["report_steps"]), tuple(float(v) for v in r["regret"]),
                   tuple(float(v) for v in r["mean_reward"]), tuple(float(v) for v in r["optimal_gain"]), steps,
                   curve, getattr(record, "seconds", None))


@dataclass(frozen=True)
class RegretRuns:
    """Finished regret trials; summaries across seeds."""

    runs: tuple[RegretRun, ...]

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> "RegretRuns":
        """From trial records (e.g. the :class:`activeq.experiments.Results` of a run); every one must be done."""
        return cls(tuple(RegretRun.from_record(r) for r in records))

    def select(self, environment: str | None = None, learner: str | None = None) -> list[RegretRun]:
        return [r for r in self.runs if (environment is None or r.environment == environment)
                and (learner is None or r.learner == learner)]

    @property
    def environments(self) -> list[str]:
        return list(dict.fromkeys(r.environment for r in self.runs))

    @property
    def learners(self) -> list[str]:
        return list(dict.fromkeys(r.learner for r in self.runs))

    def summary(self) -> list[dict[str, Any]]:
        """One row per (environment, learner, report step): mean, standard error (None for one seed), min and max
        regret, seed count, and the mean reward and mean optimal gain over the first ``step`` steps."""
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
                                 "mean_reward": float(np.mean([r.mean_reward[k] for r in recs])),
                                 "optimal_gain": float(np.mean([r.optimal_gain[k] for r in recs]))})
        return rows

    def table(self) -> str:
        """Aligned text table of :meth:`summary`: regret mean +- standard error over seeds, and the mean reward and
        optimal gain averaged over the steps up to each row's step."""
        head = ["environment", "learner", "step", "seeds", "regret", "+-se", "mean reward", "optimal gain"]
        body = [[r["environment"], r["learner"], str(r["step"]), str(r["seeds"]), f"{r['regret_mean']:.1f}",
                 "-" if r["regret_se"] is None else f"{r['regret_se']:.1f}", f"{r['mean_reward']:.4f}",
                 f"{r['optimal_gain']:.4f}"] for r in self.summary()]
        widths = [max(len(h), *(len(row[k]) for row in body)) if body else len(h) for k, h in enumerate(head)]
        left = {0, 1}
        fmt = lambda row: "  ".join(v.ljust(w) if k in left else v.rjust(w)  # noqa: E731
                                    for k, (v, w) in enumerate(zip(row, widths))).rstrip()
        return "\n".join([fmt(head), "  ".join("-" * w for w in widths)] + [fmt(row) for row in body])

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write every run (one row per run and report step) as CSV."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["environment", "learner", "seed", "step", "regret", "mean_reward", "mean_optimal_gain",
                        "seconds"])
            for r in self.runs:
                for k, t in enumerate(r.report_steps):
                    w.writerow([r.environment, r.learner, r.seed, t, repr(r.regret[k]), repr(r.mean_reward[k]),
                                repr(r.optimal_gain[k]), "" if r.seconds is None else f"{r.seconds:.3f}"])
        return path

    def curves(self, environment: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """``(steps, {learner: regret array (seeds, points)})`` for plotting."""
        out = {}
        steps = None
        for lea in self.learners:
            recs = [r for r in self.select(environment, lea) if r.curve]
            if recs:
                steps = np.asarray(recs[0].curve_steps)
                out[lea] = np.array([r.curve for r in recs])
        if steps is None:
            raise ExperimentError(f"no regret curves for environment {environment!r}")
        return steps, out

    def paired_wins(self, environment: str, better: str, worse: str, step: int) -> tuple[int, int]:
        """``(seeds where better's regret < worse's, seeds compared)`` at ``step``, matching seeds."""
        a = {r.seed: r.regret_at(step) for r in self.select(environment, better)}
        b = {r.seed: r.regret_at(step) for r in self.select(environment, worse)}
        common = sorted(set(a) & set(b))
        return sum(a[s] < b[s] for s in common), len(common)
