"""Full-size claim R4 (delay regret) and the realtime iterated game, with the closed forms beside ours.

* the flip MDP: exact delay regret against 1 - (1 + (1-2p)^d)/2 for p in {0, 0.05, 0.1, 0.25, 0.4}, d = 1..8;
* random slip MDPs (8 states, 3 actions, 5 seeds): delay regret against slip probability and τ_θ (zero without slip);
* exact against empirical (simulated through RealtimeEnv, 95% CIs) for three schedules;
* the realtime iterated game: a slow thinker (uniform policy, β = repeat) against a fast Q-learner, reward against τ_θ.

Writes ``analysis/results/realtime_regret.{md,json}``, ``realtime_delay_regret.png`` and ``realtime_game.png``.
Finished pieces are kept in the JSON and skipped on a rerun. Run: ``.venv/bin/python analysis/realtime_regret.py
[--quick]``. (R4's empirical MinAtar part, sticky_action_prob 0/0.1/0.25, is in the realtime-nets analysis.)
"""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Sequence  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results"


def _slip_mdp(slip: float, seed: int, S: int = 8, A: int = 3):
    import numpy as np

    from activeq.games import StochasticGame

    rng = np.random.default_rng(seed)
    nxt = rng.integers(S, size=(S, A))
    T = np.full((S, A, S), slip / S)
    T[np.arange(S)[:, None], np.arange(A)[None, :], nxt] += 1 - slip
    return StochasticGame.mdp(rng.random((S, A)), T)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    import matplotlib.pyplot as plt
    import numpy as np

    from activeq.cli.output import table
    from activeq.realtime.game import realtime_game
    from activeq.realtime.regret import empirical_regret, flip_mdp, regret_decomposition

    OUT.mkdir(exist_ok=True)
    tag = "_quick" if args.quick else ""
    path = OUT / f"realtime_regret{tag}.json"
    data = json.loads(path.read_text()) if path.exists() else {}

    def save() -> None:
        path.with_suffix(".tmp").write_text(json.dumps(data, indent=1))
        path.with_suffix(".tmp").replace(path)

    dmax = 5 if args.quick else 8
    flip = data.setdefault("flip", {})
    for p in (0.0, 0.05, 0.1, 0.25, 0.4):
        for d in range(1, dmax + 1):
            key = f"{p}/{d}"
            if key not in flip:
                r = regret_decomposition(flip_mdp(p), 1.0, float(d), 1, "sequential")
                flip[key] = {"p": p, "d": d, "delay": r.delay, "closed": 1 - (1 + (1 - 2 * p) ** d) / 2,
                             "inaction": r.inaction, "total": r.total, "states": r.augmented_states}
                save()
    slip = data.setdefault("slip", {})
    for s_ in (0.0, 0.1, 0.25, 0.5):
        for seed in range(2 if args.quick else 5):
            for d in range(1, (3 if args.quick else 4) + 1):
                key = f"{s_}/{seed}/{d}"
                if key not in slip:
                    r = regret_decomposition(_slip_mdp(s_, seed), 1.0, float(d), 1, "sequential")
                    slip[key] = {"slip": s_, "seed": seed, "d": d, "delay": r.delay, "inaction": r.inaction}
                    save()
    emp = data.setdefault("empirical", {})
    for schedule, workers, d in (("sequential", 1, 3), ("staggered", 2, 4), ("staggered", 4, 4)):
        key = f"{schedule}/{workers}/{d}"
        if key not in emp:
            ex = regret_decomposition(flip_mdp(0.15), 1.0, float(d), workers, schedule)
            em = empirical_regret(flip_mdp(0.15), 1.0, float(d), workers, schedule, steps=2000 if args.quick else 20000,
                                  seeds=4 if args.quick else 10, seed=0)
            emp[key] = {"exact": ex.to_dict() | {"pattern": list(ex.pattern)}, "empirical": em.to_dict()}
            save()
    if "game" not in data:
        res = realtime_game("matching_pennies", delays=(1, 2, 4, 8, 16), steps=200 if args.quick else 1000,
                            seeds=3 if args.quick else 8, seed=0)
        data["game"] = res.to_dict()
        save()
    # tables
    lines = ["# Realtime regret: claim R4 and the realtime iterated game", "",
             "## Flip MDP: exact delay regret against the closed form 1 - (1 + (1-2p)^d)/2 (sequential schedule)", "",
             "```"]
    lines.append(table(["p", "d", "delay regret (ours)", "closed form", "|diff|", "inaction", "total",
                        "augmented states"],
                       [[v["p"], v["d"], v["delay"], v["closed"], abs(v["delay"] - v["closed"]), v["inaction"],
                         v["total"], v["states"]] for v in flip.values()], ".6g"))
    lines += ["```", "", "## Random slip MDPs (8 states, 3 actions): delay regret, mean over seeds", "", "```"]
    ds = sorted({v["d"] for v in slip.values()})
    rows = []
    for s_ in (0.0, 0.1, 0.25, 0.5):
        rows.append([s_] + [float(np.mean([v["delay"] for v in slip.values() if v["slip"] == s_ and v["d"] == d]))
                            for d in ds])
    lines.append(table(["slip"] + [f"d={d}" for d in ds], rows, ".4g"))
    lines += ["```", "", "Zero without slip (the in-flight actions make the future state known); grows with slip and "
              "with d.", "", "## Exact against empirical (flip MDP p = 0.15, 95% CI half-widths)", "", "```"]
    rows = []
    for key, v in emp.items():
        ex, em = v["exact"], v["empirical"]
        for term in ("inaction", "delay", "total"):
            rows.append([key, term, ex[term], em[term], em["ci"][term]])
    lines.append(table(["schedule/workers/d", "term", "exact", "empirical", "+-"], rows, ".4g"))
    g = data["game"]
    lines += ["```", "", f"## Realtime iterated game: {g['game']}, {g['slow']} (slow, β = repeat) vs {g['fast']} "
              f"(fast, τ_θ = τ_M), {g['steps']} steps x {g['seeds']} seeds", "", "```"]
    lines.append(table(["tau_theta/tau_M", "slow action rate", "slow reward", "+-", "fast reward", "+-"],
                       [[r["delay"], r["action_rate"], r["slow_reward"], r["slow_ci"], r["fast_reward"], r["fast_ci"]]
                        for r in g["rows"]], ".4g"))
    lines += ["```"]
    (OUT / f"realtime_regret{tag}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for p in (0.05, 0.1, 0.25, 0.4):
        vs = sorted((v for v in flip.values() if v["p"] == p), key=lambda v: v["d"])
        axes[0].plot([v["d"] for v in vs], [v["delay"] for v in vs], "o", label=f"p={p} (exact)")
        axes[0].plot([v["d"] for v in vs], [v["closed"] for v in vs], "k-", lw=0.8)
    axes[0].set_title("flip MDP: delay regret (line: closed form)")
    axes[0].set_xlabel("tau_theta / tau_M")
    axes[0].set_ylabel("regret per step")
    axes[0].legend(fontsize=7)
    for s_ in (0.0, 0.1, 0.25, 0.5):
        axes[1].plot(ds, [float(np.mean([v["delay"] for v in slip.values() if v["slip"] == s_ and v["d"] == d]))
                          for d in ds], "o-", label=f"slip {s_}")
    axes[1].set_title("random slip MDPs: delay regret")
    axes[1].set_xlabel("tau_theta / tau_M")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / f"realtime_delay_regret{tag}.png", dpi=120)
    fig, ax = plt.subplots(figsize=(4.6, 3.3))
    xs = [r["delay"] for r in g["rows"]]
    ax.errorbar(xs, [r["slow_reward"] for r in g["rows"]], [r["slow_ci"] for r in g["rows"]], fmt="o-",
                label="slow thinker")
    ax.errorbar(xs, [r["fast_reward"] for r in g["rows"]], [r["fast_ci"] for r in g["rows"]], fmt="s-",
                label="fast Q-learner")
    ax.plot(xs, [r["action_rate"] for r in g["rows"]], "k--", lw=1, label="slow action rate")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("slow player's tau_theta / tau_M")
    ax.set_ylabel("reward per step")
    ax.set_title("realtime matching pennies")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / f"realtime_game{tag}.png", dpi=120)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
