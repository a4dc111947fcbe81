"""Full-scale results for activeq.active (issue 5, part 1): writes tables and figures under analysis/results/.

1. iterated prisoner's dilemma vs a naive learner: active best response (gradient through the unrolled learner) vs
   LOLA and naive learners, all over the same late window of long runs (several seeds);
2. matching pennies vs windowed fictitious play: exact active best response per window, brute force where small;
3. the lookahead sweep 0 / 1 / K / inf (vs a naive learner in the PD; vs fictitious play in MP, exact);
4. Bach or Stravinsky vs the Q persona: the active best response's average reward over the final 1,000 steps;
5. compare() on every 2x2 catalog game, plus the trajectories figure.

Run: ``.venv/bin/python analysis/active_results.py [--quick]``; ``--figure`` redraws only
``active_trajectories.png`` (it computes the active best responses against the naive learner it plots).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from activeq.active import (LOLA, ActiveMarkovGame, FixedPolicy, MetaPolicy, NaiveLearner, QPersona,
                            WindowedFictitiousPlay, active_average_reward, active_best_response, compare,
                            lookahead_sweep, trajectories_figure)
from activeq.games import IteratedGame, StochasticGame, list_games, load_game

OUT = Path(__file__).resolve().parent / "results"


def md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def ipd_vs_naive(seeds, quick):
    """Active BR (gradient through the unrolled naive learner) vs LOLA and naive, all against the same naive learner
    and all measured over the same late window of a long run (LOLA's exploitation of the naive learner keeps growing
    for thousands of steps, so a short window flatters the comparison)."""
    pd = IteratedGame(load_game("prisoners_dilemma"))
    horizon, window = (2000, 500) if quick else (10_000, 1000)
    late = dict(method="simulate", steps=horizon, burn_in=horizon - window, chains=4 if quick else 8)
    rows = []
    for seed in seeds:
        amg = ActiveMarkovGame(pd, [FixedPolicy([0.5, 0.5]), NaiveLearner()])
        br = active_best_response(amg, 0, steps=300 if quick else 1000, restarts=8 if quick else 12,
                                  iterations=15 if quick else 30, seed=seed)
        played = active_average_reward(amg.replace(0, br.learner), seed=seed, **late)
        naive = active_average_reward(ActiveMarkovGame(pd, [NaiveLearner(init_scale=0.5), NaiveLearner()]), seed=seed,
                                      **late)
        lola = active_average_reward(ActiveMarkovGame(pd, [LOLA(init_scale=0.5), NaiveLearner()]), seed=seed, **late)
        rows.append((seed, played.values[0], played.stderr[0], lola.values[0], lola.stderr[0], naive.values[0],
                     naive.stderr[0], np.round(br.policy[..., 0], 3).tolist()))
    return rows, horizon, window


def mp_vs_fp(windows):
    rows = []
    for w in windows:
        for kind in ("iterated", "repeated"):
            stage = load_game("matching_pennies")
            g = IteratedGame(stage) if kind == "iterated" else StochasticGame(
                stage.payoffs[None], np.ones((1, 2, 2, 1)), name="repeated_matching_pennies")
            amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=w)])
            t0 = time.perf_counter()
            br = active_best_response(amg, 0)
            dt = time.perf_counter() - t0
            brute = ""
            K = 2 ** w * g.num_states
            if K <= 10:
                fp = amg.learners[1]
                brute = max(active_average_reward(amg.replace(0, MetaPolicy(np.eye(2)[list(c)].reshape(
                    g.num_states, 2 ** w, 2), [fp]))).values[0] for c in itertools.product(range(2), repeat=K))
                brute = f"{brute:.4f}"
            rows.append((kind, w, br.info["mdp_states"], f"{br.value:.4f}", brute, f"{dt:.3f}"))
    return rows


def sweeps(search, fig_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pd = IteratedGame(load_game("prisoners_dilemma"))
    la_pd = (0, 1, 5, 20, 100, "inf")
    s_pd = lookahead_sweep(ActiveMarkovGame(pd, [FixedPolicy([0.5, 0.5]), NaiveLearner()]), 0, la_pd, seed=0, **search)
    mp = IteratedGame(load_game("matching_pennies"))
    la_mp = (0, 1, 2, 5, "inf")
    s_mp = lookahead_sweep(ActiveMarkovGame(mp, [FixedPolicy([0.5, 0.5]), WindowedFictitiousPlay(window=2)]), 0,
                           la_mp, seed=0, **search)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, sw, title, nash in [(axes[0], s_pd, "PD vs naive learner", 1.0), (axes[1], s_mp, "MP vs fictitious play (W=2)", 0.0)]:
        ax.bar([str(r.lookahead) for r in sw], [r.value for r in sw], yerr=[2 * r.stderr for r in sw], color="tab:blue")
        ax.axhline(nash, color="k", ls="--", lw=1, label="Nash value")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("lookahead")
        ax.set_ylabel("achieved active average reward")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(fig_path, dpi=120)
    plt.close(fig)
    return [("PD vs naive", r.lookahead, f"{r.value:.3f}", f"{r.stderr:.3f}", f"{r.objective:.3f}") for r in s_pd] + \
           [("MP vs FP(2)", r.lookahead, f"{r.value:.3f}", f"{r.stderr:.3f}", f"{r.objective:.3f}") for r in s_mp]


def bos_vs_q(seeds, steps):
    g = IteratedGame(load_game("bach_or_stravinsky"))
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), QPersona()])
    br = active_best_response(amg, 0, population=16, generations=2, chains=2, steps=600, seed=0)
    played = amg.replace(0, br.learner)
    seeds = list(seeds)
    ro = played.simulate(steps, batch=len(seeds), seed=12345)  # one independent chain per seed, batched
    rows = [(s, float(ro.rewards[-1000:, k, 0].mean())) for k, s in enumerate(seeds)]
    return br, rows


def trajectories(games, active, search, quick):
    """The figure: naive vs naive, the active BR vs the naive learner (from ``active``, else computed), naive vs Q."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = trajectories_figure(games, runs=2, steps=600 if quick else 1500, active=active, search=search)
    fig.savefig(OUT / "active_trajectories.png", dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small budgets (a minute or two)")
    ap.add_argument("--figure", action="store_true", help="only redraw active_trajectories.png")
    ap.add_argument("--compare", action="store_true",
                    help="only redo the compare() tables (and the figure), keeping the report's earlier sections")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    quick = args.quick
    search = dict(population=12 if quick else 16, generations=2 if quick else 3, chains=1 if quick else 2,
                  steps=300 if quick else 500, eval_chains=4 if quick else 8, eval_steps=600 if quick else 1500,
                  restarts=8 if quick else 12, iterations=15 if quick else 30)
    sim = dict(steps=600 if quick else 1500, chains=4 if quick else 8)
    if args.figure:
        trajectories(["bach_or_stravinsky", "chicken", "cooperative", "coordination"], {}, search, quick)
        return 0
    report_file = OUT / ("active_results_quick.md" if quick else "active_results.md")

    def flush(text):
        report.append(text)
        print(text, flush=True)
        report_file.write_text("\n".join(report) + "\n")

    seeds = range(2 if quick else 5)
    report = []
    t0 = time.perf_counter()
    if args.compare and report_file.exists():
        kept = report_file.read_text().split("\n```\n", 1)[0].rstrip("\n")
        report.append(kept)
        return compare_tables(report, flush, search, sim, quick, t0)

    rows, horizon, window = ipd_vs_naive(seeds, quick)
    report.append("## Iterated prisoner's dilemma vs a naive learner (row player's average reward; mutual defection = 1)\n")
    report.append(f"Average reward over steps {horizon - window}..{horizon} of each run, mean ± se over chains. The active "
                  "BR is optimised by gradient through the unrolled naive learner (one optimisation per seed).\n")
    flush(md_table(["seed", "active BR", "± se", "LOLA vs naive", "± se", "naive vs naive", "± se",
                            "active BR P(C) per state start,CC,CD,DC,DD"],
                           [(r[0], f"{r[1]:.3f}", f"{r[2]:.3f}", f"{r[3]:.3f}", f"{r[4]:.3f}", f"{r[5]:.3f}",
                             f"{r[6]:.3f}", r[7]) for r in rows]))

    rows = mp_vs_fp((1, 2, 3) if quick else (1, 2, 3, 4, 5))
    report.append("\n## Matching pennies vs windowed fictitious play: exact active best response (Nash value 0)\n")
    flush(md_table(["game", "window W", "MDP states", "exact active BR", "brute force (all meta-policies)",
                    "seconds"], rows))

    rows = sweeps(search, OUT / "active_lookahead_sweep.png")
    report.append("\n## Lookahead sweep (achieved value against the learning opponent; objective = lookahead-K score)\n")
    flush(md_table(["case", "lookahead", "achieved", "± se", "objective"], rows))

    br, rows = bos_vs_q(range(10) if not quick else range(3), 3000 if quick else 50_000)
    report.append("\n## Bach or Stravinsky vs the Q persona: active BR's reward over the final 1,000 steps "
                  "(claim for FURTHER: >= 1.8 in >= 8 of 10 seeds)\n")
    flush(f"meta-policy table P(bach | state, persona-bin) = {np.round(br.policy[..., 0], 3).tolist()}, achieved "
          f"{br.value:.3f} ± {br.stderr:.3f}\n\n" + md_table(["seed", "mean reward, final 1000 steps"],
                                                            [(s, f"{v:.3f}") for s, v in rows]))

    return compare_tables(report, flush, search, sim, quick, t0)


def compare_tables(report, flush, search, sim, quick, t0) -> int:
    """``compare()`` on every 2x2 catalog game: Nash, active BRs, active equilibria and learners, labelled rows."""
    games = [e.name for e in list_games() if e.kind == "normal_form" and len(e.players) == 2]
    tables, payload, active = [], [], {}
    for k, name in enumerate(games):
        g = load_game(name)
        if g.num_actions != (2, 2):
            continue
        c = compare(name, opponents=("q_persona", "naive", "fictitious_play", "tit_for_tat", "win_stay_lose_shift"),
                    baselines=("naive", "lola"), steps=sim["steps"], chains=sim["chains"], search=search, seed=k)
        tables.append(c.table())
        payload.append(c.to_dict())
        active |= {(name, opp): amg for opp, amg in c.active.items()}
        flush("\n```\n" + tables[-1] + "\n```")
        (OUT / "active_vs_nash.json").write_text(json.dumps(payload, indent=1))
    trajectories([p["game"] for p in payload][:4], active, search, quick)
    flush(f"\n(total {time.perf_counter() - t0:.0f} s, quick={quick})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
