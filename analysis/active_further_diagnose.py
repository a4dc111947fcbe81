"""FURTHER matching-pennies diagnostic: how well each agent's inference tracks the other agent, step by step.

Made the numbers of the "inference tracking" table in ``results/active_further_diagnosis.md`` (10,000 steps, 10 runs).
It runs one short batched match directly (no store; it takes minutes, not hours).

    .venv/bin/python analysis/active_further_diagnose.py --steps 10000 --seeds 10
    .venv/bin/python analysis/active_further_diagnose.py --steps 12000 --seeds 10 --entropy-weight 0.1
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

RESULTS = Path(__file__).resolve().parent / "results"


def mean_se(x) -> tuple[float, float]:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")


def diagnose_mp(steps: int, seeds: int, seed: int, overrides: dict, lili_discount: float | None) -> dict:
    """Matching pennies, FURTHER vs LILI, with each agent's inference checked against the truth at every step.

    Records the probability that the decoder p(a_peer | s, z) gives the other agent's actual next action, and the
    same probability under the other agent's true current policy (the best any predictor can do). A decoder that
    tracks the opponent comes close to the true value.
    """
    from activeq.active.further import FurtherConfig
    from activeq.active.further.matches import matching_pennies_further_vs_lili

    cfg = FurtherConfig.preset("matching_pennies", **overrides)
    lili = cfg.replace(discount=lili_discount) if lili_discount is not None else None
    match = matching_pennies_further_vs_lili(seeds, seed=seed, config=cfg, lili_config=lili)
    agents = match.players
    dec = np.zeros((2, steps))
    true = np.zeros((2, steps))
    b = torch.arange(seeds)
    for t in range(steps):
        s = match.state
        with torch.no_grad():
            pred = [torch.softmax(a.inference.peer_logits(a._eye_s[s].unsqueeze(1), a.z.unsqueeze(1))[:, 0], -1)
                    for a in agents]
            pol = [a.policy(s) for a in agents]
        match.step()
        lay = agents[0].layout
        row = agents[0].buffer[:, (agents[0].steps - 1) % agents[0].config.window]
        acts = [row[:, lay.action(0)].argmax(-1), row[:, lay.action(1)].argmax(-1)]
        for i in range(2):
            dec[i, t] = float(pred[i][b, acts[1 - i]].mean())
            true[i, t] = float(pol[1 - i][b, acts[1 - i]].mean())
    res = match.result()
    m, se = mean_se(res.running_average()[0])
    windows = np.array_split(np.arange(steps), 6)
    out = {"steps": steps, "seeds": seeds, "seed": seed, "overrides": overrides, "lili_discount": lili_discount,
           "running_mean": m, "running_se": se,
           "windows": [{"start": int(w[0]), "reward0": float(res.rewards[0][:, w].mean()),
                        "decoder": [float(dec[i, w].mean()) for i in range(2)],
                        "true": [float(true[i, w].mean()) for i in range(2)]} for w in windows]}
    print(f"MP diagnose {overrides} lili_discount={lili_discount}: FURTHER running mean {m:+.4f} +- {se:.4f}")
    for w in out["windows"]:
        print(f"  from step {w['start']:6d}: FURTHER reward {w['reward0']:+.3f}; prob. given to the other's actual "
              f"action: FURTHER decoder {w['decoder'][0]:.3f} (truth {w['true'][0]:.3f}), LILI decoder "
              f"{w['decoder'][1]:.3f} (truth {w['true'][1]:.3f})")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--entropy-weight", type=float, default=None, help="override the preset")
    ap.add_argument("--lili-discount", type=float, default=None, help="LILI's discount")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    over = {} if args.entropy_weight is None else {"entropy_weight": args.entropy_weight}
    out = diagnose_mp(args.steps, args.seeds, args.seed, over, args.lili_discount)
    tag = "_".join(f"{k}{v}" for k, v in (over | {"lili_discount": args.lili_discount}).items() if v is not None)
    path = RESULTS / f"active_further_mp_diagnose_{out['steps']}{'_' + tag if tag else ''}.json"
    path.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
