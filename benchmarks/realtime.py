"""Speed of activeq.realtime: the virtual-clock wrapper's overhead per env step, and wall-clock action timing.

1. **Virtual-clock overhead.** ``RealtimeEnv`` over a MinAtar game against the raw MinAtar step (target: <= 1.5x),
   for the configurations a user runs: sequential with τ_θ = τ_M (one agent call per env step), sequential with
   τ_θ = 8 τ_M (one call per 8 env steps), and 8 staggered workers at τ_θ = 8 τ_M (N*: one call per env step).
   Both loops draw the same pre-generated random actions; CPU time (``time.process_time``), median of segments.
   ``record=False`` (counters only) and ``record=True`` (per-step rollout) are both reported.
2. **Wall-clock inter-action interval jitter** at τ_M = 1/59.7275 s with N* = 8 sleep-emulated workers
   (τ_θ = 8 τ_M) on this 2-core machine: median and p99 of |interval - τ_M| between consecutive env steps taking
   their action, beside the action rate; the 1-minute load average is printed with it.
3. **Parallel against sequential layer computation** of a pipelined network per tick (all layers of one tick in one
   fused block call vs one call per layer; the temporal-skip paper reports 6-350% on GPU): the table of
   ``benchmarks/_realtime_pipelined.py``, run here.

    .venv/bin/python benchmarks/realtime.py [--quick]   # writes benchmarks/results/realtime[_quick].md
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
FRAME = 1 / 59.7275


def _minatar(game: str):
    from minatar.gym import BaseEnv

    return BaseEnv(game, sticky_action_prob=0.1)


def raw_steps(game: str, actions: np.ndarray, segments: int) -> list[float]:
    """Microseconds per env step of the raw MinAtar gymnasium env, per segment."""
    env = _minatar(game)
    env.reset(seed=0)
    per = len(actions) // segments
    out = []
    for s in range(segments):
        acts = actions[s * per:(s + 1) * per].tolist()
        t0 = time.process_time()
        for a in acts:
            _, _, term, trunc, _ = env.step(a)
            if term or trunc:
                env.reset()
        out.append((time.process_time() - t0) / per * 1e6)
    return out


def wrapped_steps(game: str, actions: np.ndarray, segments: int, delay: int, workers: int, record: bool) -> list[float]:
    """Microseconds per *env* step of RealtimeEnv over the same game, per segment."""
    from activeq.realtime import RealtimeEnv

    env = RealtimeEnv(_minatar(game), FRAME, delay * FRAME, workers=workers, record=record, seed=0)
    env.reset(seed=0)
    per = len(actions) // segments
    out = []
    i = 0
    acts = actions.tolist()
    for _ in range(segments):
        done = 0
        t0 = time.process_time()
        while done < per:
            _, _, term, trunc, info = env.step(acts[i % len(acts)])
            i += 1
            done += info["env_steps"]
            if term or trunc:
                env.reset()
        out.append((time.process_time() - t0) / done * 1e6)
    return out


def overhead_table(quick: bool) -> tuple[list[list], str]:
    games = ["breakout"] if quick else ["breakout", "space_invaders"]
    steps = 20_000 if quick else 200_000
    segments = 5
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 6, size=steps)
    rows = []
    for game in games:
        raw = statistics.median(raw_steps(game, actions, segments))
        rows.append([game, "raw MinAtar step", "-", "-", raw, 1.0])
        for delay, workers, label in [(1, 1, "sequential, tau_theta = tau_M"), (8, 1, "sequential, tau_theta = 8 tau_M"),
                                      (8, 8, "8 staggered workers, tau_theta = 8 tau_M")]:
            for record in (False, True):
                us = statistics.median(wrapped_steps(game, actions, segments, delay, workers, record))
                rows.append([game, label, "yes" if record else "no", f"{1 / delay * workers:.3g}" if workers > 1
                             else f"{1 / delay:.3g}", us, us / raw])
    note = f"CPU time per env step (process_time), median of {segments} segments of {steps // segments} env steps"
    return rows, note


def jitter_table(quick: bool) -> tuple[list[list], str]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from activeq.cli.commands.realtime import _CounterEnv, _echo
    from activeq.realtime.runtime import RuntimeConfig, run_realtime

    steps = 240 if quick else 1200
    rows = []
    for workers in (8,):
        load = os.getloadavg()[0]
        cfg = RuntimeConfig(tau_m=FRAME, tau_theta=8 * FRAME, workers=workers, steps=steps)
        res = run_realtime(_CounterEnv, cfg, act_fn=_echo)
        dev = np.abs(res.intervals() - FRAME) * 1e3
        rows.append([workers, steps, float(np.median(dev)), float(np.quantile(dev, 0.99)), float(dev.max()),
                     res.action_rate(), res.lost, load])
    return rows, f"tau_M = 1/59.7275 s = {FRAME * 1e3:.3f} ms, sleep-emulated inference tau_theta = 8 tau_M"


def main(argv: Sequence[str] | None = None) -> int:
    from activeq.cli.output import table

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    load0 = os.getloadavg()
    rows, note = overhead_table(args.quick)
    t1 = table(["game", "configuration", "record", "agent calls per env step", "us per env step", "ratio vs raw"],
               rows, ".3g")
    rows2, note2 = jitter_table(args.quick)
    t2 = table(["workers", "env steps", "median |dt - tau_M| ms", "p99 ms", "max ms", "action rate", "lost actions",
                "load (1 min)"], rows2, ".3g")
    import importlib.util

    spec = importlib.util.spec_from_file_location("_realtime_pipelined", Path(__file__).with_name("_realtime_pipelined.py"))
    pipelined = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pipelined)
    repeat, ticks = (3, 50) if args.quick else (9, 300)
    load3 = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    t3 = pipelined.table(pipelined.run(args.quick, repeat, ticks), load3, repeat, ticks)
    import torch

    text = (f"# Realtime: virtual-clock overhead, wall-clock timing, parallel layer computation\n\n"
            f"torch {torch.__version__}, {platform.machine()}, Python {platform.python_version()}; load average "
            f"{load0[0]:.1f} / {load0[1]:.1f} / {load0[2]:.1f} at the start (2 cores, shared).\n\n"
            f"## Virtual-clock wrapper overhead (target <= 1.5x the raw step)\n\n{note}.\n\n```\n{t1}\n```\n\n"
            f"## Wall-clock inter-action interval jitter\n\n{note2}.\n\n```\n{t2}\n```\n\n"
            f"## Parallel (fused) against sequential (per-layer) layer computation per tick\n\n{t3}")
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"realtime{'_quick' if args.quick else ''}.md").write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
