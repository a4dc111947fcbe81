"""Trial functions for the experiments tests: small, fast, deterministic given (seed, params)."""

from __future__ import annotations

import json
import os
import time

import numpy as np


def walk(seed, steps=50, drift=0.0, sleep=0.0, context=None):
    """A Gaussian random walk with drift; its path as a metric series; ``sleep`` seconds of pretend work."""
    rng = np.random.default_rng(seed)
    path = np.cumsum(drift + rng.standard_normal(steps))
    if sleep:
        time.sleep(sleep)
    if context is not None:
        context.write_series("path", step=np.arange(1, steps + 1), value=path)
        context.log("final", float(path[-1]), step=steps)
    return {"final": float(path[-1]), "max": float(path.max()), "mean": float(path.mean()), "seed_echo": seed}


def plain(seed, a, b=1):
    """No context parameter."""
    return {"sum": a + b + seed}


def flaky(seed, context):
    """Raises on its first attempt, succeeds on the retry."""
    if context.attempt == 0:
        raise RuntimeError(f"transient failure of seed {seed}")
    return {"seed": seed, "attempt": context.attempt}


def broken(seed, fail_seed=1):
    """Raises for ``fail_seed`` only, every time."""
    if seed == fail_seed:
        raise ValueError(f"seed {seed} always fails")
    return {"seed": seed}


def not_json(seed):
    return {"seed": seed, "payload": {1, 2, 3}}


def worker_crash(seed):
    """Kills its own worker process on seed 0's first try (marker file), like a segfault would."""
    marker = os.environ.get("ACTIVEQ_TEST_CRASH_MARKER")
    if seed == 0 and marker and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return {"seed": seed}


def counting(seed, steps=10, stop_at=None, context=None):
    """A long trial that checkpoints every step to ``context.checkpoint_dir`` and resumes from it; ``stop_at``
    makes the first attempt raise after that many steps (as if killed), leaving its checkpoint behind."""
    state = {"t": 0, "total": 0}
    path = context.checkpoint_dir / "state.json" if context is not None else None
    if path is not None and path.exists():
        state = json.loads(path.read_text())
    resumed_from = state["t"]
    rng = np.random.default_rng([seed, state["t"]])
    while state["t"] < steps:
        state["total"] += int(rng.integers(10))
        state["t"] += 1
        rng = np.random.default_rng([seed, state["t"]])
        if path is not None:
            tmp = path.with_name("state.json.tmp")
            tmp.write_text(json.dumps(state))
            os.replace(tmp, path)
        if stop_at is not None and context is not None and context.attempt == 0 and state["t"] == stop_at:
            raise RuntimeError("interrupted")
    return {"total": state["total"], "resumed_from": resumed_from}


not_callable = 42


def exits(seed):
    """Calls sys.exit: a failure of this trial, not of the sweep."""
    import sys

    if seed == 0:
        sys.exit(3)
    return {"seed": seed}
