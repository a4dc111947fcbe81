"""The results store: one SQLite database (standard library, WAL mode) in a directory, written by one driver.

Layout of a store directory::

    activeq.sqlite               experiments and trials (one row per trial key)
    metrics/<trial key>/<name>.csv   metric series (learning curves) that a row points to
    checkpoints/<trial key>/     a running trial's own checkpoint directory
    locks/<experiment>.lock      held (flock) by the driver running that experiment

A trial row holds its status (``pending``, ``running``, ``done``, ``failed``), params, seed, result JSON, start and
end times, attempts, the host, activeq version and git commit it ran with, and the traceback if it failed. A row
becomes ``done`` in one transaction once the trial ends (its series files are in place before), and a ``done`` row is
never written again, so a trial is never stored twice. Only the driver writes: workers send their outcomes to it,
so the store works the same with local processes and with Ray tasks on other nodes, and is never written over a
network filesystem by them.

Resume: the driver takes the experiment's lock; rows still ``running`` then belong to a driver that died, and are
run again. A second driver on the same experiment is refused (its lock is held) rather than racing the first.

Raises :class:`activeq.errors.ExperimentError` for a path that is not a directory, a missing store (when reading), a
file that is not an SQLite database or not an activeq store (it is left untouched), a store locked by another
process, an experiment name reused with another trial function.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._checks import check_bool, check_in_range, show
from ..errors import ArgumentTypeError, ExperimentError
from .records import Results, TrialRecord
from .spec import Experiment, Trial, canonical_json

DB_NAME = "activeq.sqlite"
SCHEMA_VERSION = 1
STATUSES = ("pending", "running", "done", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS experiments (
    name TEXT PRIMARY KEY, function TEXT NOT NULL, spec TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
    key TEXT PRIMARY KEY,
    experiment TEXT NOT NULL REFERENCES experiments(name),
    params_hash TEXT NOT NULL,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    error TEXT,
    metrics TEXT,
    started REAL,
    ended REAL,
    host TEXT,
    activeq_version TEXT,
    git_commit TEXT);
CREATE INDEX IF NOT EXISTS trials_by_experiment ON trials (experiment, status);
"""
_COLUMNS = ("key, experiment, params, seed, status, result, error, attempts, started, ended, host, activeq_version, "
            "git_commit, metrics")


class Store:
    """A results store in the directory ``path`` (created unless ``create=False``).

    Parameters
    ----------
    path : str or Path
        The store directory.
    create : bool
        Create the directory and database if missing (default); ``False`` raises for a missing store.
    timeout : float
        Seconds to wait for SQLite's write lock before reporting the store as locked.
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True, timeout: float = 30.0) -> None:
        if not isinstance(path, (str, os.PathLike)) or not str(path):
            raise ArgumentTypeError(f"path (the store directory) must be a non-empty str or os.PathLike, "
                                    f"got {show(path)}")
        create = check_bool(create, "create")
        self.root = Path(path).absolute()
        self.timeout = check_in_range(timeout, "timeout", 0.0, None, low_open=True)
        if self.root.exists() and not self.root.is_dir():
            raise ExperimentError(f"store {self.root} must be a directory (it holds {DB_NAME}, metrics/ and "
                                  "checkpoints/), but it is a file")
        self.db_path = self.root / DB_NAME
        if not self.db_path.exists():
            if not create:
                raise ExperimentError(f"no results store at {self.root} (no {DB_NAME} there)")
            self.root.mkdir(parents=True, exist_ok=True)
        self._conn: sqlite3.Connection | None = None
        with self._guard("opening"):
            conn = sqlite3.connect(self.db_path, timeout=self.timeout, isolation_level=None)
            self._conn = conn
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ExperimentError(f"store {self.db_path}: SQLite could not switch to WAL mode (got {mode}); "
                                      "keep stores on a local disk")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and "meta" not in tables:
                raise ExperimentError(f"store {self.db_path} is an SQLite database but not an activeq results store "
                                      f"(tables: {sorted(tables)}); it was left untouched")
            if not tables:
                with self._transaction():
                    for stmt in _SCHEMA.strip().split(";"):
                        if stmt.strip():
                            conn.execute(stmt)
                    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            columns = {r[1] for r in conn.execute("PRAGMA table_info(trials)")}
            if "position" in columns:   # stores written before 2026-11-27 kept a spec position; rowid orders now
                with self._transaction():
                    conn.execute("ALTER TABLE trials DROP COLUMN position")
            row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None or row[0] != str(SCHEMA_VERSION):
                raise ExperimentError(f"store {self.db_path} has schema version {row and row[0]}, this activeq "
                                      f"reads version {SCHEMA_VERSION}")

    # -- plumbing ---------------------------------------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ExperimentError(f"store {self.root} is closed")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    @contextlib.contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            msg = str(exc)
            if "locked" in msg or "busy" in msg:
                raise ExperimentError(f"store {self.db_path} is locked by another process (waited {self.timeout:g} s "
                                      f"while {what})") from None
            raise ExperimentError(f"store {self.db_path}: SQLite error while {what}: {msg}") from None
        except sqlite3.DatabaseError as exc:
            raise ExperimentError(f"store {self.db_path} is corrupt or not an SQLite database ({exc}); it was left "
                                  "untouched") from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # -- paths ------------------------------------------------------------------------------------------------
    def checkpoint_dir(self, key: str) -> Path:
        """The checkpoint directory of trial ``key`` (not created here)."""
        return self.root / "checkpoints" / key

    def remove_checkpoint(self, key: str) -> None:
        """Delete trial ``key``'s checkpoint directory, if any."""
        shutil.rmtree(self.checkpoint_dir(key), ignore_errors=True)

    # -- the driver's lock ------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self, experiment: str, *, wait: float = 0.0) -> Iterator[None]:
        """Hold the driver lock of ``experiment`` (an flock, released when the process ends, even by SIGKILL).

        ``wait`` seconds are spent retrying a held lock before ExperimentError says who holds it.
        """
        path = self.root / "locks" / f"{experiment}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + float(wait)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                        raise ExperimentError(f"store {self.root}: experiment {experiment!r} is being run by another "
                                              f"process ({holder}); wait for it to finish or stop it") from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {time.ctime()}".encode(), 0)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # -- writing (the driver) ---------------------------------------------------------------------------------
    def register(self, experiment: Experiment, trials: Sequence[Trial]) -> tuple[dict[str, str], int]:
        """Record ``experiment`` and its ``trials`` (new ones as ``pending``); reset ``running`` rows of this
        experiment to ``pending`` (call with the experiment's lock held: they belong to a driver that died).

        Returns ``({key: status} for the given trials, number of rows reset from running)``.
        """
        now = time.time()
        with self._guard(f"registering experiment {experiment.name!r}"), self._transaction() as conn:
            row = conn.execute("SELECT function FROM experiments WHERE name=?", (experiment.name,)).fetchone()
            if row is not None and row[0] != experiment.function:
                raise ExperimentError(f"experiment {experiment.name!r} in store {self.root} was run with function "
                                      f"{row[0]!r}, this spec names {experiment.function!r}: give it another name "
                                      "(the stored trials are kept)")
            spec = canonical_json(experiment.to_dict())
            conn.execute("INSERT INTO experiments VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                         "spec=excluded.spec, updated=excluded.updated",
                         (experiment.name, experiment.function, spec, now, now))
            texts: dict[str, str] = {}
            for t in trials:
                if t.params_hash not in texts:
                    texts[t.params_hash] = canonical_json(dict(t.params))
            conn.executemany(
                "INSERT OR IGNORE INTO trials (key, experiment, params_hash, params, seed, status) "
                "VALUES (?, ?, ?, ?, ?, 'pending')",
                ((t.key, t.experiment, t.params_hash, texts[t.params_hash], t.seed) for t in trials))
            reset = conn.execute("UPDATE trials SET status='pending' WHERE experiment=? AND status='running'",
                                 (experiment.name,)).rowcount
            stored = dict(conn.execute("SELECT key, status FROM trials WHERE experiment=?", (experiment.name,)))
        return {t.key: stored[t.key] for t in trials}, reset

    def mark_running(self, keys: Iterable[str]) -> None:
        """Set ``keys`` to ``running`` (never a ``done`` row)."""
        now = time.time()
        with self._guard("marking trials running"), self._transaction() as conn:
            conn.executemany("UPDATE trials SET status='running', started=? WHERE key=? AND status!='done'",
                             ((now, k) for k in keys))

    def release(self, keys: Iterable[str]) -> None:
        """Set ``running`` rows among ``keys`` back to ``pending`` (an interrupted driver's in-flight trials)."""
        with self._guard("releasing trials"), self._transaction() as conn:
            conn.executemany("UPDATE trials SET status='pending' WHERE key=? AND status='running'",
                             ((k,) for k in keys))

    def record_attempt(self, key: str, error: str) -> None:
        """Count a failed attempt that will be retried (the row stays ``running``; ``error`` keeps the traceback)."""
        with self._guard("recording a failed attempt"), self._transaction() as conn:
            conn.execute("UPDATE trials SET attempts=attempts+1, error=? WHERE key=? AND status!='done'", (error, key))

    def commit(self, outcome: Any) -> bool:
        """Store a trial's final outcome (``done`` with its result and series, or ``failed`` with its traceback) in
        one transaction; returns False if the row was already ``done`` (nothing is written then)."""
        metrics = self._write_series(outcome.key, outcome.series) if outcome.ok else {}
        values = (json.dumps(outcome.result) if outcome.ok else None, outcome.error,
                  json.dumps(metrics) if metrics else None, outcome.started, outcome.ended, outcome.host,
                  outcome.activeq_version, outcome.git_commit, outcome.key)
        with self._guard(f"committing trial {outcome.key!r}"), self._transaction() as conn:
            cur = conn.execute(
                f"UPDATE trials SET status='{'done' if outcome.ok else 'failed'}', attempts=attempts+1, result=?, "
                "error=?, metrics=?, started=?, ended=?, host=?, activeq_version=?, git_commit=? "
                "WHERE key=? AND status!='done'", values)
        return cur.rowcount == 1

    def _write_series(self, key: str, series: Mapping[str, Mapping[str, Sequence[float]]]) -> dict[str, str]:
        out = {}
        for name, cols in series.items():
            rel = Path("metrics") / key / f"{name}.csv"
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            names = list(cols)
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "w") as f:
                f.write(",".join(names) + "\n")
                for row in zip(*(cols[c] for c in names)):
                    f.write(",".join(map(repr, row)) + "\n")
            os.replace(tmp, path)
            out[name] = rel.as_posix()
        return out

    # -- reading ----------------------------------------------------------------------------------------------
    def experiments(self) -> list[str]:
        """Names of the experiments in the store."""
        with self._guard("listing experiments"):
            return [r[0] for r in self.conn.execute("SELECT name FROM experiments ORDER BY created, name")]

    def spec(self, name: str) -> dict[str, Any]:
        """The latest spec stored for experiment ``name`` (plain data)."""
        with self._guard("reading a spec"):
            row = self.conn.execute("SELECT spec FROM experiments WHERE name=?", (name,)).fetchone()
        if row is None:
            raise ExperimentError(f"no experiment {name!r} in store {self.root}; it has {self.experiments()}")
        return json.loads(row[0])

    def results(self, experiment: str | None = None, *, status: str | None = None,
                keys: Sequence[str] | None = None) -> Results:
        """Stored trials (of ``experiment``, with ``status``) in the order they were first registered (spec order);
        with ``keys``, those trials in that order."""
        if experiment is not None and experiment not in self.experiments():
            raise ExperimentError(f"no experiment {experiment!r} in store {self.root}; it has {self.experiments()}")
        if status is not None and status not in STATUSES:
            raise ExperimentError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
        where, args = [], []
        if experiment is not None:
            where.append("experiment=?")
            args.append(experiment)
        if status is not None:
            where.append("status=?")
            args.append(status)
        sql = f"SELECT {_COLUMNS} FROM trials" + (" WHERE " + " AND ".join(where) if where else "")
        with self._guard("reading results"):
            rows = self.conn.execute(sql + " ORDER BY experiment, rowid", args).fetchall()
        records = [self._record(r) for r in rows]
        if keys is not None:
            by_key = {r.key: r for r in records}
            missing = [k for k in keys if k not in by_key]
            if missing:
                raise ExperimentError(f"store {self.root} has no trial {missing[0]!r}")
            records = [by_key[k] for k in keys]
        return Results(records)

    def _record(self, row: Sequence[Any]) -> TrialRecord:
        (key, experiment, params, seed, status, result, error, attempts, started, ended, host, version, commit,
         metrics) = row
        return TrialRecord(key, experiment, json.loads(params), int(seed), status,
                           None if result is None else json.loads(result), error, int(attempts), started, ended, host,
                           version, commit, json.loads(metrics) if metrics else {}, str(self.root))

    def status(self) -> list[dict[str, Any]]:
        """Per experiment: trial counts by status (``trials``, ``done``, ``running``, ``pending``, ``failed``) and
        the time of the last finished trial."""
        with self._guard("reading the status"):
            counts = self.conn.execute("SELECT experiment, status, COUNT(*), MAX(ended) FROM trials "
                                       "GROUP BY experiment, status").fetchall()
            names = self.experiments()
        out = {n: {"experiment": n, "trials": 0, **{s: 0 for s in ("done", "running", "pending", "failed")},
                   "last_ended": None} for n in names}
        for name, status, n, last in counts:
            row = out[name]
            row[status] = n
            row["trials"] += n
            if last is not None and (row["last_ended"] is None or last > row["last_ended"]):
                row["last_ended"] = last
        return list(out.values())
