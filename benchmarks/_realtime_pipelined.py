"""Speed of one pipeline tick: all layers computed together (fused) against one layer after the other.

The layers of a pipelined network are independent within a tick (each reads only the previous tick's registers), so
:class:`activeq.realtime.pipelined.PipelinedMLP` / ``PipelinedCNN`` compute them in one block-structured matmul (and
one block-structured convolution) when ``parallel=True``. This script times, in one run and interleaved:

* ``fused``: ``step`` with ``parallel=True``;
* ``per-layer``: ``step`` with ``parallel=False`` (the same tick, one call per layer);
* ``unpipelined``: the same layers as an ordinary network (``pipeline=False``: a standard forward pass per tick).

Reference: the temporal-skip paper (Anokhin et al., ICLR 2025) reports 6-350% speed-ups of parallel over sequential
layer computation on GPU. Here: one CPU thread (``torch.set_num_threads(1)``), wall time per tick
(``time.perf_counter``), median of ``--repeat`` interleaved measurements of ``--ticks`` ticks each; the machine's load
average is printed beside the table.

A helper of ``benchmarks/realtime.py`` (its third table, in ``benchmarks/results/realtime.md``); run alone with
``.venv/bin/python benchmarks/_realtime_pipelined.py [--quick]``, it prints the table only.
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
from typing import Callable, Sequence  # noqa: E402

import torch  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _nets(quick: bool) -> list[tuple[str, Callable[..., torch.nn.Module], tuple[int, ...]]]:
    from activeq.realtime.pipelined import PipelinedCNN, PipelinedMLP

    nets = [
        ("MLP 400-64-64-6", lambda **kw: PipelinedMLP(400, (64, 64), out_features=6, **kw), (400,)),
        ("MLP 400-256x3-6", lambda **kw: PipelinedMLP(400, (256, 256, 256), out_features=6, **kw), (400,)),
        ("CNN MinAtar 16x3+128", lambda **kw: PipelinedCNN(4, 10, 10, out_features=6, **kw), (4, 10, 10)),
        ("CNN MinAtar 8x3+64", lambda **kw: PipelinedCNN(4, 10, 10, channels=(8, 8, 8), hidden=(64,),
                                                         out_features=6, **kw), (4, 10, 10)),
    ]
    if not quick:
        nets.append(("MLP 64-32x8-4 (deep)", lambda **kw: PipelinedMLP(64, (32,) * 8, out_features=4, **kw), (64,)))
    return nets


def flop_ratio(net: torch.nn.Module) -> float:
    """Multiply-adds of the fused tick's block-structured weights over those of the layers themselves (>= 1: the
    zero blocks are computed too)."""
    net.reset()
    net.step(torch.zeros(1, *net.obs_shape))
    fused = sum(blk[2].numel() for blk in net._fused_blocks().values())
    real = sum(layer.weight.numel() for layer in net.layers)
    return fused / real


def _time_ticks(net: torch.nn.Module, x: torch.Tensor, ticks: int) -> float:
    net.reset()
    net.step(x)  # allocate registers, build the fused blocks
    t0 = time.perf_counter()
    for _ in range(ticks):
        net.step(x)
    return (time.perf_counter() - t0) / ticks


def run(quick: bool, repeat: int, ticks: int) -> list[dict]:
    torch.set_num_threads(1)
    rows = []
    batches = (1, 8) if quick else (1, 8, 64)
    skips = ("none", "all")
    for name, make, shape in _nets(quick):
        for skip in skips:
            torch.manual_seed(0)
            fused = make(skip=skip)
            per_layer = make(skip=skip, parallel=False)
            per_layer.load_state_dict(fused.state_dict())
            plain = make(skip=skip, pipeline=False)
            plain.load_state_dict(fused.state_dict())
            for batch in batches:
                x = torch.randn(batch, *shape)
                # same outputs (the fused tick is the per-layer tick, up to float32 round-off)
                fused.reset()
                per_layer.reset()
                a = [fused.step(x).clone() for _ in range(fused.n_layers + 1)]
                b = [per_layer.step(x).clone() for _ in range(fused.n_layers + 1)]
                err = max(float((u - v).abs().max()) for u, v in zip(a, b))
                times: dict[str, list[float]] = {"fused": [], "per-layer": [], "unpipelined": []}
                for _ in range(repeat):  # interleaved, so load changes hit all three alike
                    times["fused"].append(_time_ticks(fused, x, ticks))
                    times["per-layer"].append(_time_ticks(per_layer, x, ticks))
                    times["unpipelined"].append(_time_ticks(plain, x, ticks))
                med = {k: statistics.median(v) for k, v in times.items()}
                rows.append({"net": name, "skip": skip, "layers": fused.n_layers, "delay": fused.delay,
                             "batch": batch, "flops": flop_ratio(fused), **{f"{k}_us": 1e6 * v for k, v in med.items()},
                             "speedup": med["per-layer"] / med["fused"], "max_abs_diff": err})
    return rows


def table(rows: list[dict], load: str, repeat: int, ticks: int) -> str:
    lines = [
        f"{platform.platform()}, Python {platform.python_version()}, torch {torch.__version__}, 1 thread; "
        f"load average before the run: {load}. Wall time per tick, median of {repeat} interleaved runs of "
        f"{ticks} ticks.",
        "",
        "Reference (temporal-skip paper, GPU): parallel layer computation 6-350% faster than sequential. "
        "`speed-up` = per-layer / fused (>1: fused is faster). `unpipelined` is the same layers as an ordinary "
        "network (one forward pass per tick, delay 1) for scale. `max |diff|` compares fused and per-layer outputs. "
        "`fused flops` = multiply-adds of the fused block weights / those of the layers: on one CPU thread nothing "
        "runs in parallel, so the fused tick only saves per-call overhead and pays for its zero blocks.",
        "",
        "| network | skip | layers | delay | batch | fused flops | fused us | per-layer us | unpipelined us | "
        "speed-up | max abs diff |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['net']} | {r['skip']} | {r['layers']} | {r['delay']} | {r['batch']} | "
                     f"{r['flops']:.2f}x | {r['fused_us']:.1f} | {r['per-layer_us']:.1f} | {r['unpipelined_us']:.1f} | "
                     f"{r['speedup']:.2f}x | {r['max_abs_diff']:.1e} |")
    sp = [r["speedup"] for r in rows]
    lines += ["", f"Speed-up over all rows: median {statistics.median(sp):.2f}x, range {min(sp):.2f}x-"
                  f"{max(sp):.2f}x ({sum(s > 1 for s in sp)}/{len(sp)} rows faster fused)."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer networks and batch sizes (CI-sized)")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--ticks", type=int, default=None)
    args = parser.parse_args(argv)
    repeat = args.repeat or (3 if args.quick else 9)
    ticks = args.ticks or (50 if args.quick else 300)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    rows = run(args.quick, repeat, ticks)
    text = table(rows, load, repeat, ticks)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
