"""Reading results: one :class:`TrialRecord` per trial, and :class:`Results` (a sequence of them) as a table, CSV,
plain dicts or a pandas DataFrame (``to_frame``; pandas is optional).

Columns of ``to_frame`` / ``to_csv`` / ``table``: ``key``, ``experiment``, ``seed``, ``status``, ``attempts``,
``seconds``, then one column per parameter and one per result entry, under their own names (a result entry whose
name is also a parameter's gets a ``result.`` prefix). Lists and tables are kept as Python objects in the frame and
written as JSON text in CSV.

Raises :class:`activeq.errors.ExperimentError` for a result entry that is missing or not numeric in
:meth:`Results.values`, an unknown metric series, and ``to_frame`` without pandas installed.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ExperimentError


@dataclass(frozen=True)
class TrialRecord:
    """One stored trial: its parameters and seed, status, result or traceback, timings and provenance."""

    key: str
    experiment: str
    params: dict[str, Any]
    seed: int
    status: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    started: float | None
    ended: float | None
    host: str | None
    activeq_version: str | None
    git_commit: str | None
    metrics: dict[str, str] = field(default_factory=dict)
    root: str | None = None

    @property
    def seconds(self) -> float | None:
        """Wall time of the last attempt, or None if the trial has not ended."""
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started

    def series(self, name: str) -> dict[str, np.ndarray]:
        """The metric series ``name`` written by the trial, as ``{column: array}``."""
        if name not in self.metrics:
            raise ExperimentError(f"trial {self.key!r} has no metric series {name!r}; it has "
                                  f"{sorted(self.metrics) or 'none'}")
        path = Path(self.root or ".") / self.metrics[name]
        try:
            with open(path, newline="") as f:
                rows = list(csv.reader(f))
        except OSError as exc:
            raise ExperimentError(f"trial {self.key!r}: cannot read series {name!r} at {path} ({exc})") from None
        head, body = rows[0], rows[1:]
        return {col: np.array([float(r[i]) for r in body]) for i, col in enumerate(head)}

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``key``, ``experiment``, ``params``, ``seed``, ``status``, ``result``, ``error``, ..."""
        return {"key": self.key, "experiment": self.experiment, "params": self.params, "seed": self.seed,
                "status": self.status, "result": self.result, "error": self.error, "attempts": self.attempts,
                "started": self.started, "ended": self.ended, "host": self.host,
                "activeq_version": self.activeq_version, "git_commit": self.git_commit, "metrics": self.metrics}


@dataclass(frozen=True)
class RunReport:
    """What one :func:`activeq.experiments.run` call did."""

    experiment: str
    store: str
    executor: str
    trials: int
    already_done: int
    ran: int
    done: int
    failed: int
    interrupted: int
    seconds: float
    planning_seconds: float = 0.0   # from the call to the first trial submitted: spec, store, what is left

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Results(Sequence[TrialRecord]):
    """Trial records (in spec order when returned by ``run``), with table/CSV/DataFrame views."""

    def __init__(self, records: Sequence[TrialRecord], report: RunReport | None = None) -> None:
        self.records = tuple(records)
        self.report = report

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return Results(self.records[i])
        return self.records[i]

    def __iter__(self) -> Iterator[TrialRecord]:
        return iter(self.records)

    def __repr__(self) -> str:
        counts = {s: sum(r.status == s for r in self.records) for s in ("done", "failed", "running", "pending")}
        return f"Results({len(self)} trials: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v) + ")"

    @property
    def done(self) -> "Results":
        """Only the trials that finished."""
        return Results([r for r in self.records if r.status == "done"])

    @property
    def failed(self) -> "Results":
        """Only the trials recorded as failed (their ``error`` holds the traceback)."""
        return Results([r for r in self.records if r.status == "failed"])

    def where(self, **params: Any) -> "Results":
        """The trials whose parameters equal ``params`` (e.g. ``results.where(learner="rho_on")``)."""
        return Results([r for r in self.records if all(r.params.get(k) == v for k, v in params.items())])

    def values(self, name: str) -> np.ndarray:
        """``result[name]`` of every finished trial, as a float array (one entry per trial, spec order)."""
        out = []
        for r in self.done:
            if r.result is None or name not in r.result:
                raise ExperimentError(f"trial {r.key!r} has no result entry {name!r}; it has "
                                      f"{sorted(r.result or {})}")
            v = r.result[name]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ExperimentError(f"result entry {name!r} of trial {r.key!r} is not a number: {v!r}")
            out.append(float(v))
        return np.array(out)

    def to_dicts(self) -> list[dict[str, Any]]:
        """One plain dict per trial (see :meth:`TrialRecord.to_dict`)."""
        return [r.to_dict() for r in self.records]

    def columns(self) -> tuple[list[str], list[dict[str, Any]]]:
        """``(column names, one row dict per trial)``: the flat layout behind ``to_frame``/``to_csv``/``table``."""
        fixed = ["key", "experiment", "seed", "status", "attempts", "seconds"]
        pnames = list(dict.fromkeys(k for r in self.records for k in r.params))
        rnames = list(dict.fromkeys(k for r in self.records for k in (r.result or {})))
        rcol = {k: (f"result.{k}" if k in pnames or k in fixed else k) for k in rnames}
        rows = []
        for r in self.records:
            row = {"key": r.key, "experiment": r.experiment, "seed": r.seed, "status": r.status,
                   "attempts": r.attempts, "seconds": r.seconds}
            row.update({k: r.params.get(k) for k in pnames})
            row.update({rcol[k]: (r.result or {}).get(k) for k in rnames})
            rows.append(row)
        return fixed + pnames + [rcol[k] for k in rnames], rows

    def to_frame(self):
        """A pandas DataFrame, one row per trial (pandas is optional: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError:
            raise ExperimentError("Results.to_frame needs pandas, which is not installed: pip install pandas") from None
        cols, rows = self.columns()
        return pd.DataFrame(rows, columns=cols)

    def to_csv(self, path: str | Path | None = None) -> str:
        """The flat table as CSV text (lists and tables as JSON); also written to ``path`` if given."""
        cols, rows = self.columns()
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for row in rows:
            w.writerow([_csv_cell(row[c]) for c in cols])
        text = buf.getvalue()
        if path is not None:
            Path(path).write_text(text)
        return text

    def table(self, max_rows: int | None = None) -> str:
        """An aligned text table (without the key and experiment columns)."""
        cols, rows = self.columns()
        cols = [c for c in cols if c not in ("key", "experiment")]
        shown = rows if max_rows is None else rows[:max_rows]
        cells = [[_text_cell(row[c]) for c in cols] for row in shown]
        numeric = [all(isinstance(row[c], (int, float)) or row[c] is None for row in shown) for c in cols]
        widths = [max([len(c)] + [len(cell[k]) for cell in cells]) for k, c in enumerate(cols)]

        def fmt(items: Sequence[str]) -> str:
            return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(items, widths, numeric)).rstrip()

        lines = [fmt(cols), "  ".join("-" * w for w in widths)] + [fmt(c) for c in cells]
        if max_rows is not None and len(rows) > max_rows:
            lines.append(f"... {len(rows) - max_rows} more trials")
        return "\n".join(lines)


def _csv_cell(v: Any) -> Any:
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    if isinstance(v, float):
        return repr(v)
    return "" if v is None else v


def _text_cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:.6g}" if math.isfinite(v) else str(v)
    if isinstance(v, list):
        return f"[{len(v)} values]"
    if isinstance(v, dict):
        return json.dumps(v, separators=(",", ":"))[:40]
    return str(v)
