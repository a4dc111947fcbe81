"""Speed of FURTHER on iterated Bach or Stravinsky vs the Q persona: seeds batched in one process vs one seed a loop.

The original updates on one transition per step, one seed per process (50,000 steps per seed). Here the batched
runner advances 10 seeds at once (parameters with a leading seed dimension, batched matmuls, flat parameter/gradient
buffers); the baseline is a straightforward one-seed loop with the same networks and the same per-step work
(``activeq.active.further.reference.ReferenceFurther``: nn.Linear MLPs, one Adam per part, clip_grad_norm_, a Python
Q persona and game). Both are timed in the same run with ``time.process_time`` (CPU time of this single-threaded
process, so other load on the shared machine distorts it less than wall time), median over timed segments.

Throughput is reported in *seed-steps per second* (transitions processed, each with one update, summed over seeds).
Full mode also runs the whole 10 seeds x 50,000 steps experiment once and reports its CPU and wall time.

    .venv/bin/python benchmarks/active.py [--quick]   # writes benchmarks/results/active[_quick].md
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def one_seed_loop(steps: int, warm: int, seed: int, segments: int) -> list[float]:
    """Seed-steps/s of the straightforward loop over ``segments`` equal segments after ``warm`` steps."""
    from activeq.active.further import FurtherConfig
    from activeq.active.further.reference import ReferenceFurther

    cfg = FurtherConfig.preset("bach_or_stravinsky")
    agent = ReferenceFurther(5, (2, 2), player=0, config=cfg, seed=seed)
    rng = np.random.default_rng(seed + 1)
    q = [10.0, 20.0]
    R = [[(2.0, 1.0), (0.0, 0.0)], [(0.0, 0.0), (1.0, 2.0)]]
    s, t = 0, 0
    rates = []

    def run(n: int) -> None:
        nonlocal s, t, q
        for _ in range(n):
            a0 = agent.act(s)
            a1 = int(rng.integers(2)) if rng.random() < 0.05 else int(np.argmax(q))
            r0, r1 = R[a0][a1]
            t += 1
            s2 = 0 if t % 150 == 0 else 1 + 2 * a0 + a1
            agent.observe(s, (a0, a1), r0, s2)
            if t >= cfg.window:  # the persona starts learning with the agent (original: at batch_size)
                q[a1] = q[a1] + 1.0 * (r1 + 0.9 * max(q) - q[a1])
            s = s2

    run(warm)
    seg = max(1, steps // segments)
    for _ in range(segments):
        c0 = time.process_time()
        run(seg)
        rates.append(seg / max(time.process_time() - c0, 1e-9))
    return rates


def batched(num_seeds: int, steps: int, warm: int, seed: int, segments: int) -> list[float]:
    """Seed-steps/s of the batched runner (``num_seeds`` seeds per step) over timed segments after warm-up."""
    from activeq.active.further.matches import bos_vs_q_persona

    match = bos_vs_q_persona(num_seeds, seed=seed)
    match.run(warm, progress=False)
    seg = max(1, steps // segments)
    rates = []
    for _ in range(segments):
        target = match.step_count + seg
        c0 = time.process_time()
        match.run(target, progress=False)
        rates.append(seg * num_seeds / max(time.process_time() - c0, 1e-9))
    return rates


def full_experiment(num_seeds: int, steps: int, seed: int) -> tuple[float, float, np.ndarray]:
    from activeq.active.further.matches import bos_vs_q_persona

    match = bos_vs_q_persona(num_seeds, seed=seed)
    c0, w0 = time.process_time(), time.perf_counter()
    res = match.run(steps, progress=True)
    return time.process_time() - c0, time.perf_counter() - w0, res.final_average(1000)[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: short timed segments, no full experiment")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--skip-full", action="store_true", help="time the segments only, not the 10 x 50k run")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (1 = one core)")
    args = parser.parse_args(argv)
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import torch

    from activeq.cli.output import table

    torch.set_num_threads(args.threads)
    B = args.seeds
    warm = 300  # past the 256-step warm-up so every step includes an update
    steps, segments = (300, 3) if args.quick else (3000, 5)
    loop = one_seed_loop(steps, warm, seed=0, segments=segments)
    batch1 = batched(1, steps, warm, seed=0, segments=segments)
    batchB = batched(B, steps, warm, seed=0, segments=segments)
    m_loop, m1, mB = statistics.median(loop), statistics.median(batch1), statistics.median(batchB)
    target = 10 * 50_000
    rows = [
        ["one-seed loop (reference, nn.Linear)", 1, m_loop, 1.0, target / m_loop / 60],
        ["batched runner, 1 seed", 1, m1, m1 / m_loop, target / m1 / 60],
        [f"batched runner, {B} seeds", B, mB, mB / m_loop, target / mB / 60],
    ]
    headers = ["implementation", "seeds/process", "seed-steps/s (median)", "ratio vs loop",
               "10x50k CPU minutes"]
    text = table(headers, rows, floatfmt=".3g")
    lines = ["# FURTHER speed: iterated Bach or Stravinsky vs the Q persona", "",
             f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
             f"{torch.get_num_threads()} torch thread(s); CPU time (process_time), median of {segments} segments "
             f"of {max(1, steps // segments)} steps after {warm} warm-up steps; one transition and one update per "
             "seed per step in every row.", "", "```", text, "```", ""]
    print(text)
    if not args.quick and not args.skip_full:
        cpu, wall, final = full_experiment(B, 50_000, seed=0)
        k = int(np.sum(final >= 1.8))
        full = (f"Full experiment, {B} seeds x 50,000 steps in one process: CPU {cpu / 60:.1f} min, wall "
                f"{wall / 60:.1f} min (target: under 10 min). FURTHER's average reward over the final 1,000 steps "
                f">= 1.8 in {k}/{B} seeds; per seed: {np.round(final, 2).tolist()}.")
        print(full)
        lines += [full, ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("active_quick.md" if args.quick else "active.md")
    out.write_text("\n".join(lines))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
