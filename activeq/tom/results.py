"""Probe results: one seed's :class:`Trajectory`, one cell's :class:`ProbeResult` (metrics per seed, mean and 95%
confidence interval over seeds), and a grid's :class:`ProbeTable` (aligned text table, CSV/JSON, pandas, figure).

The metrics are defined in :mod:`activeq.tom.probe`. The 95% interval is mean +/- t_{0.975, n-1} s / sqrt(n) over
the n seeds (Student's t; NaN for one seed). Raises ProbeError for an unknown metric name.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..errors import ProbeError

METRICS = ("functional_regret", "realized_regret", "accuracy", "tom_regret", "tom_regret_counterfactual",
           "consistency", "parse_failure_rate", "prediction_failure_rate", "retry_rate", "tokens_per_round",
           "latency_per_round")


def _nanmean(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    return float(np.mean(x[~np.isnan(x)])) if np.any(~np.isnan(x)) else float("nan")


@dataclass(frozen=True)
class Trajectory:
    """One seed: the per-round records and the per-step metrics computed from them."""

    records: tuple[dict[str, Any], ...]
    horizon: int
    oracle_value: float
    metrics: dict[str, float]

    @property
    def complete(self) -> bool:
        return len(self.records) == self.horizon

    @property
    def gaps(self) -> np.ndarray:
        return np.array([r["gap"] for r in self.records])

    @property
    def tom_gaps(self) -> np.ndarray:
        return np.array([r["tom_gap"] for r in self.records])

    @classmethod
    def from_records(cls, records: Sequence[dict[str, Any]], game: Any, orc: Any) -> "Trajectory":
        recs = tuple(records)
        T = orc.horizon
        n = len(recs)
        m: dict[str, float] = {k: float("nan") for k in METRICS}
        if n:
            predicts = any(r["prediction"] is not None or r["prediction_failed"] for r in recs)
            m["functional_regret"] = sum(r["gap"] for r in recs) / T
            m["realized_regret"] = (orc.value - sum(r["reward"] for r in recs)) / T if n == T else float("nan")
            if predicts:
                m["accuracy"] = float(np.mean([r["prediction"] == r["partner_action"] for r in recs]))
                m["tom_regret"] = sum(r["tom_gap"] for r in recs) / T
                m["tom_regret_counterfactual"] = _counterfactual(recs, game, orc) if n == T else float("nan")
                cons = [r["consistent"] for r in recs if r["consistent"] is not None]
                m["consistency"] = float(np.mean(cons)) if cons else float("nan")
            m["parse_failure_rate"] = float(np.mean([r["failed"] for r in recs]))
            m["prediction_failure_rate"] = float(np.mean([r["prediction_failed"] for r in recs])) if predicts \
                else float("nan")
            m["retry_rate"] = float(np.mean([r["retries"] > 0 for r in recs]))
            m["tokens_per_round"] = float(np.mean([r["prompt_tokens"] + r["completion_tokens"] for r in recs]))
            m["latency_per_round"] = float(np.mean([r["latency"] for r in recs]))
        return cls(recs, T, orc.value, m)


def _counterfactual(recs: Sequence[dict[str, Any]], game: Any, orc: Any) -> float:
    """(V* - E[sum_t u(BR_t, b'_t)])/T for the open-loop actions BR_t against the partner's counterfactual path."""
    partner = orc.partner
    if not getattr(partner, "finite", False):
        return float("nan")
    auto = partner.as_automaton()
    U = np.asarray(game.payoff_matrix(0))
    d = np.zeros(auto.num_states)
    d[auto.start] = 1.0
    total = 0.0
    for r in recs:
        a = r["br"]
        total += float(d @ (auto.policy_matrix @ U[a]))
        nd = np.zeros_like(d)
        np.add.at(nd, auto.next[:, a, :], d[:, None] * auto.policy_matrix)
        d = nd
    return (orc.value - total) / orc.horizon


def confidence_interval(x: Sequence[float]) -> tuple[float, float, float]:
    """(mean, low, high): the 95% Student-t interval over the finite values of ``x``."""
    from scipy import stats

    v = np.asarray([a for a in x if not math.isnan(a)], dtype=float)
    if v.size == 0:
        return (float("nan"),) * 3
    mean = float(v.mean())
    if v.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class ProbeResult:
    """One cell (game x partner x agent) over seeds. Per-step metrics are means over seeds; see :meth:`summary`."""

    game: str
    partner: str
    agent: str
    style: str
    model: str
    template_hash: str
    rounds: int
    oracle_value: float
    oracle_gain: float | None
    seeds: tuple[int, ...]
    trajectories: tuple[Trajectory, ...]

    def per_seed(self, metric: str) -> np.ndarray:
        """The metric's value in each seed."""
        if metric not in METRICS:
            raise ProbeError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
        return np.array([t.metrics[metric] for t in self.trajectories])

    def mean(self, metric: str) -> float:
        return _nanmean(self.per_seed(metric))

    @property
    def functional_regret(self) -> float:
        """Delta_F/T, mean over seeds."""
        return self.mean("functional_regret")

    @property
    def accuracy(self) -> float:
        """Prediction accuracy, mean over seeds (NaN if the agent does not predict)."""
        return self.mean("accuracy")

    @property
    def tom_regret(self) -> float:
        """Delta_ToM/T (on the actual partner trajectory), mean over seeds."""
        return self.mean("tom_regret")

    @property
    def consistency(self) -> float:
        return self.mean("consistency")

    @property
    def parse_failure_rate(self) -> float:
        return self.mean("parse_failure_rate")

    def summary(self) -> dict[str, Any]:
        """A JSON-ready dict: the cell's labels and, per metric, ``{"mean", "ci_low", "ci_high", "per_seed"}``."""
        out: dict[str, Any] = {"game": self.game, "partner": self.partner, "agent": self.agent, "style": self.style,
                               "model": self.model, "template_hash": self.template_hash, "rounds": self.rounds,
                               "seeds": list(self.seeds), "oracle_value": self.oracle_value,
                               "oracle_gain": self.oracle_gain}
        for m in METRICS:
            vals = self.per_seed(m)
            mean, lo, hi = confidence_interval(vals)
            out[m] = {"mean": mean, "ci_low": lo, "ci_high": hi,
                      "per_seed": [None if math.isnan(v) else float(v) for v in vals]}
        return out

    def regret_curve(self) -> np.ndarray:
        """Cumulative functional regret per round ``(seeds, T)``."""
        return np.array([np.cumsum(t.gaps) for t in self.trajectories])

    def table(self) -> str:
        return ProbeTable((self,)).table()

    def to_frame(self) -> Any:
        return ProbeTable((self,)).to_frame()

    def plot(self, ax: Any = None) -> Any:
        return ProbeTable((self,)).plot(ax=ax)


def _fmt(mean: float, lo: float, hi: float, pct: bool = False) -> str:
    if math.isnan(mean):
        return "-"
    if pct:  # a rate: the interval is clipped to [0, 1]
        return f"{100 * mean:.0f}%" if math.isnan(lo) else \
            f"{100 * mean:.0f}% [{100 * max(lo, 0.0):.0f},{100 * min(hi, 1.0):.0f}]"
    return f"{mean:.3f}" if math.isnan(lo) else f"{mean:.3f} [{lo:.3f},{hi:.3f}]"


@dataclass(frozen=True)
class ProbeTable:
    """A grid of probe results: rows game x partner x style x model."""

    results: tuple[ProbeResult, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per cell: labels and ``<metric>``, ``<metric>_ci_low``, ``<metric>_ci_high``."""
        rows = []
        for r in self.results:
            s = r.summary()
            row = {k: s[k] for k in ("game", "partner", "style", "model", "agent", "template_hash", "rounds")}
            row["seeds"] = len(r.seeds)
            row["complete"] = all(t.complete for t in r.trajectories)
            row["oracle_per_step"] = r.oracle_value / r.rounds
            for m in METRICS:
                row[m], row[f"{m}_ci_low"], row[f"{m}_ci_high"] = s[m]["mean"], s[m]["ci_low"], s[m]["ci_high"]
            rows.append(row)
        return rows

    def table(self) -> str:
        """An aligned text table: per-step metrics, mean [95% CI] over seeds."""
        head = ["game", "partner", "style", "model", "seeds", "V*/T", "Delta_F/T", "accuracy", "Delta_ToM/T",
                "ToM cf/T", "consistent", "parse fail", "retry", "tok/round", "s/round"]
        body = []
        for r in self.rows():
            ci = lambda m, pct=False: _fmt(r[m], r[f"{m}_ci_low"], r[f"{m}_ci_high"], pct)  # noqa: E731
            body.append([r["game"], r["partner"], r["style"], r["model"], str(r["seeds"]),
                         f"{r['oracle_per_step']:.3f}", ci("functional_regret"), ci("accuracy", True),
                         ci("tom_regret"), _fmt(r["tom_regret_counterfactual"], math.nan, math.nan),
                         _fmt(r["consistency"], math.nan, math.nan, True),
                         _fmt(r["parse_failure_rate"], math.nan, math.nan, True),
                         _fmt(r["retry_rate"], math.nan, math.nan, True),
                         "-" if math.isnan(r["tokens_per_round"]) else f"{r['tokens_per_round']:.0f}",
                         "-" if math.isnan(r["latency_per_round"]) else f"{r['latency_per_round']:.3f}"])
        widths = [max(len(h), *(len(b[k]) for b in body)) if body else len(h) for k, h in enumerate(head)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)), "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)) for b in body]
        lines.append("per-step metrics over the rounds, mean [95% CI over seeds]; Delta_F/T = functional regret, "
                     "Delta_ToM/T = regret of best-responding to own predictions (actual partner path), "
                     "ToM cf = same on the partner's counterfactual path; '-' = agent does not predict")
        return "\n".join(lines)

    def to_frame(self) -> Any:
        """A pandas DataFrame of :meth:`rows` (pandas is optional: ImportError names it)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            raise ImportError("to_frame() needs pandas: pip install pandas") from None
        return pd.DataFrame(self.rows())

    def to_csv(self, path: str | Path | None = None) -> str:
        rows = self.rows()
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["game"])
        w.writeheader()
        w.writerows(rows)
        if path is not None:
            Path(path).write_text(buf.getvalue())
        return buf.getvalue()

    def to_json(self, path: str | Path | None = None) -> dict[str, Any]:
        data = {"cells": [r.summary() for r in self.results]}
        if path is not None:
            Path(path).write_text(json.dumps(_clean(data), indent=1))
        return _clean(data)

    def plot(self, path: str | Path | None = None, ax: Any = None) -> Any:
        """Cumulative functional regret per round (mean over seeds, 95% band), one line per cell."""
        import matplotlib.pyplot as plt

        from scipy import stats

        if ax is None:
            fig, ax = plt.subplots(figsize=(7 if len(self.results) <= 4 else 11, 4.2))
        else:
            fig = ax.figure
        colors = plt.get_cmap("tab10" if len(self.results) <= 10 else "tab20").colors
        for k, r in enumerate(self.results):
            curves = r.regret_curve()
            x = np.arange(1, curves.shape[1] + 1)
            mean = curves.mean(axis=0)
            color = colors[k % len(colors)]
            ax.plot(x, mean, color=color, label=f"{r.game} / {r.partner} / {r.style} / {r.model}")
            if curves.shape[0] > 1:
                half = stats.t.ppf(0.975, curves.shape[0] - 1) * curves.std(axis=0, ddof=1) / np.sqrt(curves.shape[0])
                ax.fill_between(x, mean - half, mean + half, color=color, alpha=0.15)
        ax.set_xlabel("round")
        ax.set_ylabel("cumulative functional regret  sum_t (V*_t - Q*_t(a_t))")
        ax.set_title("Functional regret per round (mean, 95% CI over seeds)")
        if len(self.results) <= 4:
            ax.legend(fontsize=7)
        else:  # many cells: the legend goes beside the axes
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig


def _clean(x: Any) -> Any:
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    return x
