"""Full-scale FURTHER reproductions: iterated BoS vs the Q persona, cooperative FURTHER vs FURTHER, matching pennies
FURTHER vs LILI and prisoner's dilemma vs a naive learner. Writes per-experiment JSON, learning-curve figures and a
markdown summary table under analysis/results/. Runs resume from checkpoints under analysis/results/checkpoints/.

    .venv/bin/python analysis/active_further.py                      # all four, full scale
    .venv/bin/python analysis/active_further.py bos_vs_q_persona --steps 50000 --seeds 10
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"

# (builder name, steps, claim checker) at the original's scale; MP and PD are sized to this machine.
FULL = {
    "bos_vs_q_persona": 50_000,
    "cooperative_further_vs_further": 10_000,
    "matching_pennies_further_vs_lili": 50_000,
    "pd_vs_naive": 20_000,
}


def claim(name: str, res) -> tuple[str, bool]:
    """The paper's claim for experiment ``name`` evaluated on a result."""
    if name == "bos_vs_q_persona":
        f = res.final_average(1000)[0]
        k = int(np.sum(f >= 1.8))
        return f"FURTHER avg reward over final 1000 steps >= 1.8 in {k}/{len(f)} seeds (need >= 8/10)", k >= 0.8 * len(f)
    if name == "cooperative_further_vs_further":
        f = res.final_average(1000)
        k = int(np.sum((f >= 7.5).all(axis=0)))
        return f"both agents >= 7.5 over final 1000 steps in {k}/{f.shape[1]} seeds", k == f.shape[1]
    if name == "matching_pennies_further_vs_lili":
        m = float(np.nanmean(res.running_average()[0]))
        return f"FURTHER mean running reward over seeds = {m:+.4f} (need > 0)", m > 0
    if name == "pd_vs_naive":
        f = res.final_average(1000)[0]
        return (f"FURTHER avg reward over final 1000 steps: mean {np.nanmean(f):.3f}, min {np.nanmin(f):.3f} "
                f"(mutual defection pays 1)"), bool(np.nanmean(f) > 1.0)
    raise KeyError(name)


def figure(name: str, res, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ea = res.episode_averages()
    x = (np.arange(ea.shape[2]) + 1) * res.episode_length
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharex=True)
    for i, ax in enumerate(axes):
        for b in range(ea.shape[1]):
            ax.plot(x, ea[i, b], lw=0.7, alpha=0.5)
        ax.plot(x, np.nanmean(ea[i], axis=0), color="k", lw=1.8, label="mean over seeds")
        ax.set_title(f"{res.players[i]} (player {i})")
        ax.set_xlabel("step")
        ax.set_ylabel("episode average reward")
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{name}: {res.num_seeds} seeds, {res.steps} steps")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(name: str, steps: int, seeds: int, seed: int, progress: bool) -> dict:
    from activeq.active.further.reproductions import EXPERIMENTS

    match = EXPERIMENTS[name](seeds, seed=seed)
    ckpt = RESULTS / "checkpoints" / f"{name}_s{seeds}_seed{seed}"
    res = match.run(steps, progress=progress, checkpoint_dir=ckpt, checkpoint_every=5000)
    text, ok = claim(name, res)
    out = res.to_dict(curves=True) | {"experiment": name, "seed": seed, "claim": text, "claim_holds": ok}
    (RESULTS / f"active_further_{name}.json").write_text(json.dumps(out, indent=1))
    figure(name, res, RESULTS / f"active_further_{name}.png")
    print(f"{name}: {text} -> {'HOLDS' if ok else 'FAILS'} ({res.seconds:.0f} s)", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiments", nargs="*", default=list(FULL))
    ap.add_argument("--steps", type=int, default=None, help="override the full-scale step count")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.experiments:
        out = run(name, args.steps or FULL[name], args.seeds, args.seed, not args.quiet)
        rows.append(out)
    summary = RESULTS / "active_further.md"
    prev = {}
    if summary.exists():
        for line in summary.read_text().splitlines()[2:]:
            parts = [p.strip() for p in line.strip("|").split("|")]
            if len(parts) == 6:
                prev[parts[0]] = line
    for o in rows:
        prev[o["experiment"]] = (f"| {o['experiment']} | {o['num_seeds']} | {o['steps']} | {o['claim']} | "
                                 f"{'holds' if o['claim_holds'] else 'FAILS'} | {o['seconds']:.0f} |")
    lines = ["| experiment | seeds | steps | result | claim | seconds |", "|---|---|---|---|---|---|"]
    lines += [prev[k] for k in sorted(prev)]
    summary.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
