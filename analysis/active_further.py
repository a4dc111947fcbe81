"""FURTHER's four claims run the way the original ran them: run the specs, then report (figures, tables, verdicts).

Every long run is an experiment of :mod:`activeq.experiments` (spec files in ``analysis/specs/further_*.toml``), stored
in ``analysis/results/runs/further`` (not committed) and resumed from per-trial checkpoints when started again. The
original code's runs (``further_original_*``) need a checkout of github.com/dkkim93/further (see
``analysis/active_further_original.py``). The report reads the store, and with ``--partial`` also the checkpoints of
trials still running (labelled with the step they reached).

    OMP_NUM_THREADS=1 .venv/bin/python analysis/active_further.py run further_mp further_pd --workers 2
    .venv/bin/python analysis/active_further.py report [--partial]

Writes ``results/active_further.md``, ``results/active_further_{mp,pd,bos,cooperative}.png`` and
``results/active_further_summary.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
SPECS = ROOT / "specs"
STORE = RESULTS / "runs" / "further"
SPEC_NAMES = ["further_mp", "further_original_imp", "further_pd_q", "further_pd_q_baselines", "further_pd_reinforce",
              "further_pd_reinforce_baselines", "further_bos", "further_cooperative", "further_original_ibs",
              "further_original_ic", "further_speed"]
EPISODE = 150
PD_OPPONENTS = ["q_persona", "reinforce_cooperative", "reinforce_defective"]
PD_ROWS = [("further", "FURTHER"), ("lili", "LILI"), ("lola", "LOLA (models a naive learner)"),
           ("active_br", "active best response (search)"), ("learner", "learner vs learner"),
           ("defect", "always defect")]


# --- running -------------------------------------------------------------------------------------------------------
def run(names: list[str], workers: int, quiet: bool) -> None:
    """Run (or resume) the named specs into the store, one after the other."""
    from activeq import experiments

    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    sys.path.insert(0, str(ROOT))  # the original-code trials live in analysis/active_further_original.py
    for name in names:
        spec = experiments.load_spec(SPECS / f"{name}.toml")
        res = experiments.run(spec, STORE, workers=workers, progress=not quiet)
        print(f"{name}: {sum(r.status == 'done' for r in res)}/{len(res)} trials done")


# --- reading ---------------------------------------------------------------------------------------------------------
def _partial(key: str, params: dict) -> dict | None:
    """A running trial's numbers so far, from its checkpoint (None if it has none yet)."""
    import torch

    from activeq.active.further.reproductions import summarize
    from activeq.active.further.runner import MatchResult

    d = STORE / "checkpoints" / key
    if not (d / "checkpoint.json").exists():
        return None
    meta = json.loads((d / "checkpoint.json").read_text())
    state = torch.load(d / "checkpoint.pt", weights_only=True)
    rewards = state["rewards"].numpy()
    div = state["learner_diverged"].clone()
    for i in range(2):
        p = state.get(f"player{i}")
        if isinstance(p, dict) and "diverged_at" in p:
            div[i] = p["diverged_at"]
    names = tuple(p.get("kind") if p.get("kind") != "learner" else p.get("name") for p in meta["players"])
    res = MatchResult(rewards=rewards, players=names, episode_length=meta["episode_length"],
                      diverged_at=div.numpy(), seconds=float(state["elapsed"]))
    out = summarize(res, min(int(params.get("late", 1000)), res.steps))
    out["partial_step"] = res.steps
    out["target"] = int(params.get("steps", res.steps))
    out["_episodes"] = res.episode_averages()
    return out


def load(name: str, partial: bool) -> list[dict[str, Any]]:
    """Every trial of experiment ``name``: params, seed, status, result (+ ``_episodes`` curves when stored)."""
    from activeq import experiments
    from activeq.errors import ExperimentError

    try:
        records = experiments.results(STORE, name)
    except ExperimentError:
        return []
    out = []
    for r in records:
        res = r.result
        if r.status == "done" and res is not None:
            res = dict(res)
            if "episodes" in r.metrics:
                cols = r.series("episodes")
                n = int(res.get("num_seeds", 0))
                res["_episodes"] = np.array([[cols[f"p{i}_s{b}"] for b in range(n)] for i in range(2)])
        elif partial and r.status in ("running", "pending") and not name.startswith("further_original"):
            res = _partial(r.key, r.params)
        else:
            res = None
        if res is not None:
            out.append({"params": r.params, "seed": r.seed, "status": r.status, "result": res})
    return out


def _original_partial(key: str, seed: int) -> dict | None:
    """An unfinished original-code seed's curves so far, parsed from the log it left in its run directory."""
    from active_further_original import parse_log

    d = STORE / "checkpoints" / key / f"run_seed{seed}" / "log"
    logs = sorted(d.glob("env::*_log")) if d.is_dir() else []
    if not logs:
        return None
    cur = parse_log(logs[0].read_text(), 0)
    n = min(len(cur["episode_timestep"]), *(len(x) for x in cur["episode_average"]))
    if n == 0:
        return None
    out = {"seed": seed, "steps": int(cur["episode_timestep"][n - 1]), "partial_step": int(cur["episode_timestep"][n - 1]),
           "seconds": float("nan"), "episode_timestep": cur["episode_timestep"][:n],
           "episode_average": [x[:n] for x in cur["episode_average"]]}
    if "accumulated" in cur:
        out["accumulated"] = [x[:n] for x in cur["accumulated"]]
    return out


def load_original(name: str, partial: bool) -> list[dict[str, Any]]:
    """One row per seed of the original code's experiment ``name``: finished seeds, and with ``partial`` the seeds
    interrupted or still running (from their logs); where a seed ran under several specs, the longest run."""
    from activeq import experiments
    from activeq.errors import ExperimentError

    sys.path.insert(0, str(ROOT))
    try:
        records = experiments.results(STORE, name)
    except ExperimentError:
        return []
    best: dict[int, dict] = {}
    for r in records:
        res = r.result if r.status == "done" else (_original_partial(r.key, r.seed) if partial else None)
        if res is None or not res.get("episode_timestep"):
            continue
        if r.seed not in best or len(res["episode_timestep"]) > len(best[r.seed]["result"]["episode_timestep"]):
            best[r.seed] = {"params": r.params, "seed": r.seed, "status": r.status, "result": res}
    return [best[k] for k in sorted(best)]


def original_arrays(rows: list[dict], player: int = 0) -> dict[str, Any] | None:
    """The original code's seeds cut to their common length: steps, per-episode averages and cumulative reward."""
    if not rows:
        return None
    done = [len(r["result"]["episode_timestep"]) for r in rows if "partial_step" not in r["result"]]
    if done:  # seeds still far from a finished seed's length would cut every seed short: leave them out
        left_out = [r["seed"] for r in rows if len(r["result"]["episode_timestep"]) < min(done)]
        rows = [r for r in rows if len(r["result"]["episode_timestep"]) >= min(done)]
    else:
        left_out = []
    n = min(len(r["result"]["episode_timestep"]) for r in rows)
    steps = np.asarray(rows[0]["result"]["episode_timestep"][:n], dtype=float)
    ep = np.array([r["result"]["episode_average"][player][:n] for r in rows])
    if all("accumulated" in r["result"] for r in rows):
        cum = np.array([r["result"]["accumulated"][player][:n] for r in rows])
    else:
        cum = np.cumsum(ep * EPISODE, axis=1)
    return {"steps": steps, "ep": ep, "cum": cum, "seeds": [r["seed"] for r in rows],
            "partial": [r["seed"] for r in rows if "partial_step" in r["result"]],
            "lengths": [int(r["result"]["episode_timestep"][-1]) for r in rows], "left_out": left_out}


def spec_budget(name: str) -> str:
    """What spec ``name`` asks for: trials x runs per trial x steps."""
    from activeq import experiments

    spec = experiments.load_spec(SPECS / f"{name}.toml")
    trials = spec.trials()
    p = trials[0].params
    runs = p.get("num_seeds", 1)
    return (f"{len(trials)} trial{'s' if len(trials) > 1 else ''} x {runs} run{'s' if runs > 1 else ''} x "
            f"{p.get('steps', '?'):,} steps")


RUN_KEYS = ("cumulative_final", "cumulative_slope", "cumulative_slope_second_half", "opponent_p_cooperate",
            "agent_p_cooperate")
PLAYER_KEYS = ("running_average", "late_average", "diverged_at")


def pick(rows: list[dict], **params: Any) -> dict | None:
    """The trials matching ``params`` merged into one result with all their runs (in seed order).

    Trials that stopped at different steps (running ones read from checkpoints) are cut to the shortest and their
    numbers recomputed from the per-episode curves (slopes then at episode resolution).
    """
    sel = [r["result"] for r in sorted(rows, key=lambda r: r["seed"])
           if all(r["params"].get(k) == v for k, v in params.items())]
    if not sel:
        return None
    if len(sel) == 1:
        return sel[0]
    out = dict(sel[0])
    out["num_seeds"] = sum(r["num_seeds"] for r in sel)
    for key in RUN_KEYS:
        if all(key in r for r in sel):
            out[key] = [x for r in sel for x in r[key]]
    for key in PLAYER_KEYS:
        if all(key in r for r in sel):
            out[key] = [[x for r in sel for x in r[key][i]] for i in range(len(sel[0][key]))]
    if all("_episodes" in r for r in sel):
        n = min(np.asarray(r["_episodes"]).shape[2] for r in sel)
        out["_episodes"] = np.concatenate([np.asarray(r["_episodes"])[:, :, :n] for r in sel], axis=1)
    if len({r["steps"] for r in sel}) > 1 and "_episodes" in out:
        out |= from_episodes(out["_episodes"], out["late"])
        out["partial_step"] = out["steps"]
    return out


def from_episodes(ep: np.ndarray, late: int) -> dict:
    """The summary numbers recomputed from per-episode averages ``(players, runs, episodes)``."""
    ep = np.asarray(ep, dtype=float)
    steps = (np.arange(ep.shape[2]) + 1) * EPISODE
    cum = np.cumsum(ep[0] * EPISODE, axis=1)
    half = ep.shape[2] // 2
    k = max(1, min(ep.shape[2], late // EPISODE))
    return {"steps": int(steps[-1]), "running_average": ep.mean(axis=2).tolist(),
            "late_average": ep[:, :, -k:].mean(axis=2).tolist(), "cumulative_final": cum[:, -1].tolist(),
            "cumulative_slope": episode_slopes(cum, steps).tolist(),
            "cumulative_slope_second_half": episode_slopes(cum[:, half:], steps[half:]).tolist()}


# --- statistics ------------------------------------------------------------------------------------------------------
def mean_ci(x: Any) -> tuple[float, float, int]:
    """Mean, half-width of its 95% t interval, and n, over the finite values."""
    from scipy import stats

    a = np.asarray(x, dtype=float)
    a = a[np.isfinite(a)]
    if a.size == 0:
        return float("nan"), float("nan"), 0
    if a.size == 1:
        return float(a[0]), float("nan"), 1
    return float(a.mean()), float(stats.t.ppf(0.975, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size)), int(a.size)


def fmt_ci(x: Any, digits: int = 3, scale: float = 1.0) -> str:
    m, h, n = mean_ci(np.asarray(x, dtype=float) * scale)
    if n == 0:
        return "-"
    return f"{m:+.{digits}f} ± {h:.{digits}f}" if np.isfinite(h) else f"{m:+.{digits}f}"


def episode_slopes(cum: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Least-squares slope (per step) of each row of the cumulative reward ``cum`` at ``steps``."""
    t = steps - steps.mean()
    return (cum - cum.mean(axis=1, keepdims=True)) @ t / (t @ t)


# --- matching pennies ------------------------------------------------------------------------------------------------
MP_LABELS = {"own": "ours, FURTHER as written (`latent_source=\"own\"`)",
             "peer": "ours, the original's wiring (`latent_source=\"peer\"`)",
             "issue5": "ours as written, the earlier run (issue 5)",
             "original": "the original code"}


def _verdict(slope: np.ndarray) -> dict[str, Any]:
    m, h, n = mean_ci(slope)
    return {"slope": m, "ci": h, "n": n, "positive": bool(m - h > 0), "negative": bool(m + h < 0)}


def _earlier_mp() -> dict | None:
    """The committed 10-run x 30,000-step run of FURTHER as written (issue 5), per-episode curves."""
    path = RESULTS / "active_further_matching_pennies_further_vs_lili.json"
    if not path.exists():
        return None
    d = json.loads(path.read_text())
    ep = np.asarray(d["episode_averages"], dtype=float)[0]
    return {"ep": ep, "steps_total": int(d["steps"])}


def mp_section(partial: bool) -> tuple[list[str], dict, dict]:
    ours = load("further_mp", partial)
    orig = original_arrays(load_original("further_original_imp", partial))
    cmp_steps = int(orig["steps"][-1]) if orig is not None else 10_000  # ours over the original code's length
    data: dict[str, Any] = {}
    for wiring in ("own", "peer"):
        res = pick(ours, latent_source=wiring, num_seeds=20)
        if res is None or "_episodes" not in res:
            continue
        ep = np.asarray(res["_episodes"])[0]  # (runs, episodes) of FURTHER
        data[wiring] = {"ep": ep, "res": res}
    early = _earlier_mp()
    if early is not None:
        data["issue5"] = {"ep": early["ep"], "res": None}
    for key, d in data.items():
        ep = d["ep"]
        d["steps"] = (np.arange(ep.shape[1]) + 1) * EPISODE
        d["cum"] = np.cumsum(ep * EPISODE, axis=1)
    if orig is not None:
        data["original"] = orig
    lines = [f"| run | runs | steps | FURTHER's cumulative reward at the end | slope of the cumulative reward, per step "
             f"(95% CI) | slope, second half | running reward at the end | slope over the first {cmp_steps:,} steps "
             f"| cumulative reward at step {cmp_steps:,} |", "|---|---|---|---|---|---|---|---|---|"]
    verdict: dict[str, Any] = {"compare_steps": cmp_steps}
    for key in ("own", "peer", "issue5", "original"):
        if key not in data:
            continue
        d = data[key]
        steps, cum = d["steps"], d["cum"]
        half = len(steps) // 2
        k = int(np.searchsorted(steps, cmp_steps, side="right"))
        slope = episode_slopes(cum, steps)
        slope2 = episode_slopes(cum[:, half:], steps[half:])
        slope_cmp = episode_slopes(cum[:, :k], steps[:k]) if k >= 2 else np.full(len(cum), np.nan)
        note = ""
        if key in ("own", "peer") and "partial_step" in d["res"]:
            note = f" (in progress: step {int(steps[-1]):,} of {d['res'].get('target', 200_000):,})"
        if key == "original":
            note = (f" (seeds {', '.join(map(str, d['seeds']))}" +
                    (f"; seed {', '.join(map(str, d['partial']))} from the log of a run stopped at or beyond this "
                     f"length, cut to it" if d["partial"] else "") +
                    (f"; seed {', '.join(map(str, d['left_out']))} stopped earlier, left out" if d["left_out"] else "")
                    + ")")
        lines.append(f"| {MP_LABELS[key]}{note} | {cum.shape[0]} | {int(steps[-1]):,} | {fmt_ci(cum[:, -1], 1)} | "
                     f"{fmt_ci(slope, 4)} | {fmt_ci(slope2, 4)} | {fmt_ci(cum[:, -1] / steps[-1], 4)} | "
                     f"{fmt_ci(slope_cmp, 4)} | {fmt_ci(cum[:, k - 1], 1) if k >= 1 else '-'} |")
        d["slope"], d["slope_cmp"] = slope, slope_cmp
        verdict[key] = _verdict(slope) | {"steps": int(steps[-1]), "runs": int(cum.shape[0]),
                                          "partial": bool(note and key != "original") or bool(d.get("partial")),
                                          "first": _verdict(slope_cmp)}
        if key == "original":
            verdict[key]["seeds"] = {int(sd): float(c) for sd, c in zip(d["seeds"], cum[:, -1])}
    return lines, data, verdict


def mp_figure(data: dict, verdict: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(2, 2, figsize=(14, 9))
    axes = axs.ravel()
    colors = {"own": "tab:blue", "peer": "tab:red", "issue5": "tab:cyan", "original": "k"}
    names = {"own": "ours, own latent", "peer": "ours, original wiring (peer)", "issue5": "ours, own (issue 5)",
             "original": "original code"}
    cmp_steps = verdict["compare_steps"]
    for key in ("own", "peer", "issue5", "original"):
        if key not in data:
            continue
        d = data[key]
        steps, cum = d["steps"], d["cum"]
        n = cum.shape[0]
        m = cum.mean(0)
        h = cum.std(0, ddof=1) / np.sqrt(n) * 1.96 if n > 1 else 0 * m
        if key != "original":
            ax = axes[0]
            if key != "issue5":
                for row in cum:
                    ax.plot(steps, row, color=colors[key], lw=0.4, alpha=0.2)
            ax.plot(steps, m, color=colors[key], lw=2, label=f"{names[key]}: mean of {n} runs")
            ax.fill_between(steps, m - h, m + h, color=colors[key], alpha=0.2)
        run = cum / steps
        rm = run.mean(0)
        rh = run.std(0, ddof=1) / np.sqrt(n) * 1.96 if n > 1 else 0 * rm
        axes[1].plot(steps, rm, color=colors[key], lw=2, label=f"{names[key]} ({n})")
        axes[1].fill_between(steps, rm - rh, rm + rh, color=colors[key], alpha=0.2)
        k = int(np.searchsorted(steps, cmp_steps, side="right"))
        axes[2].plot(steps[:k], m[:k], color=colors[key], lw=2, label=f"{names[key]} ({n})")
        axes[2].fill_between(steps[:k], (m - h)[:k], (m + h)[:k], color=colors[key], alpha=0.15)
        if key == "original":
            for row in cum:
                axes[2].plot(steps, row, color="k", lw=0.5, alpha=0.35)
    # slopes with their 95% CIs: whole run, and over the original code's length
    labels, xs = [], 0
    for key in ("own", "peer", "issue5", "original"):
        if key not in verdict:
            continue
        v = verdict[key]
        for j, (vv, tag) in enumerate(((v, f"{v['steps']:,} steps"), (v["first"], f"first {cmp_steps:,}"))):
            if j == 1 and (key == "original" or v["steps"] <= cmp_steps) or not np.isfinite(vv["slope"]):
                continue
            axes[3].errorbar([xs], [vv["slope"]], yerr=[vv["ci"] if np.isfinite(vv["ci"]) else 0], fmt="o",
                             color=colors[key], capsize=4, mfc="white" if j else colors[key])
            labels.append(f"{names[key]}\n{tag}")
            xs += 1
    ours_ext = [abs(verdict[k]["slope"]) + (verdict[k]["ci"] if np.isfinite(verdict[k]["ci"]) else 0.0)
                for k in ("own", "peer", "issue5") if k in verdict]
    if ours_ext:  # the original code's few seeds give a much wider interval: clip it, and say so
        lim = 1.6 * max(ours_ext)
        axes[3].set_ylim(-lim, lim)
        if "original" in verdict and abs(verdict["original"]["slope"]) + verdict["original"]["ci"] > lim:
            v = verdict["original"]
            axes[3].annotate(f"original code: {v['slope']:+.4f}\n± {v['ci']:.4f} ({v['runs']} seeds;\nclipped)",
                             (len(labels) - 1, 0), xytext=(-60, -50), textcoords="offset points", fontsize=7)
    axes[3].set_xticks(range(len(labels)))
    axes[3].set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
    axes[3].set_xlim(-0.5, max(len(labels), 1) - 0.5)
    axes[0].set_title("FURTHER's cumulative reward (the paper's MP metric)")
    axes[1].set_title("running reward = cumulative / steps (mean, 95% CI)")
    axes[2].set_title(f"first {cmp_steps:,} steps: ours vs the original code")
    axes[3].set_title("slope of the cumulative reward (95% CI)")
    axes[1].set_xscale("log")
    for ax in axes:
        ax.axhline(0.0, color="grey", lw=0.8)
    for ax in axes[:3]:
        ax.set_xlabel("step")
        ax.legend(fontsize=7, loc="best")
    axes[0].set_ylabel("cumulative reward")
    axes[1].set_ylabel("average reward per step")
    axes[2].set_ylabel("cumulative reward")
    axes[3].set_ylabel("reward per step")
    fig.suptitle("Iterated matching pennies, FURTHER (row) vs LILI: Nash value 0; the paper's claim is a rising "
                 "cumulative reward", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- prisoner's dilemma ----------------------------------------------------------------------------------------------
def pd_section(partial: bool) -> tuple[list[str], dict]:
    agents = load("further_pd_q", partial) + load("further_pd_reinforce", partial)
    base = load("further_pd_q_baselines", partial) + load("further_pd_reinforce_baselines", partial)
    table: dict[str, dict[str, Any]] = {}
    for opp in PD_OPPONENTS:
        table[opp] = {}
        for key, _ in PD_ROWS:
            res = pick(agents, agent=key, opponent=opp) if key in ("further", "lili") else \
                pick(base, row=key, opponent=opp)
            if res is not None:
                table[opp][key] = res
    lines = []
    for opp in PD_OPPONENTS:
        if not table[opp]:
            continue
        any_res = max(table[opp].values(), key=lambda r: (r.get("target", r["steps"]), "partial_step" not in r))
        lines += [f"**{opp}** ({any_res['num_seeds']} runs, {any_res.get('target', any_res['steps']):,} steps, late "
                  f"window the final {any_res['late']:,} steps; mutual defection earns 1, mutual cooperation 3; a row "
                  f"marked in progress stopped short, its late window is the last {any_res['late']:,} steps it "
                  f"reached):", "",
                  "| row player | row's reward, late window (95% CI) | runs above 1 | opponent's reward | opponent's "
                  "final P(cooperate), mean over states and runs |", "|---|---|---|---|---|"]
        for key, label in PD_ROWS:
            res = table[opp].get(key)
            if res is None:
                continue
            late = np.asarray(res["late_average"])
            note = f" (in progress: step {res['partial_step']})" if "partial_step" in res else ""
            pc = res.get("opponent_p_cooperate")
            pc_txt = f"{np.nanmean(pc):.2f}" if pc is not None else "-"
            lines.append(f"| {label}{note} | {fmt_ci(late[0])} | {int(np.sum(late[0] > 1.0))}/{late.shape[1]} | "
                         f"{fmt_ci(late[1])} | {pc_txt} |")
        lines.append("")
    return lines, table


def pd_figure(table: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    opps = [o for o in PD_OPPONENTS if table.get(o)]
    if not opps:
        return
    fig, ax = plt.subplots(figsize=(11, 4.2))
    width = 0.8 / len(PD_ROWS)
    for k, (key, label) in enumerate(PD_ROWS):
        xs, ms, hs = [], [], []
        for j, opp in enumerate(opps):
            res = table[opp].get(key)
            if res is None or "partial_step" in res:  # a row that stopped short has another late window
                continue
            m, h, _ = mean_ci(np.asarray(res["late_average"])[0])
            xs.append(j + (k - len(PD_ROWS) / 2 + 0.5) * width)
            ms.append(m)
            hs.append(h if np.isfinite(h) else 0.0)
        ax.bar(xs, ms, width, yerr=hs, capsize=2, label=label)
    ax.axhline(1.0, color="k", ls="--", lw=1, label="mutual defection (1)")
    ax.axhline(3.0, color="grey", ls=":", lw=1, label="mutual cooperation (3)")
    ax.set_xticks(range(len(opps)))
    ax.set_xticklabels([o.replace("_", " ") for o in opps])
    ax.set_ylabel("row player's reward per step, late window")
    ax.set_title("Iterated prisoner's dilemma vs opponents that learn from samples (mean, 95% CI over runs; rows "
                 "that stopped short are left out)", fontsize=10)
    ax.set_ylim(0, 4.4)
    ax.legend(fontsize=7, ncol=4, loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- Bach or Stravinsky and the cooperative game ---------------------------------------------------------------------
BC = {"bos": ("further_bos", "further_original_ibs", 1.8, "active_further_bos_vs_q_persona.json",
              "FURTHER >= 1.8 over the final 1,000 steps"),
      "cooperative": ("further_cooperative", "further_original_ic", 7.5,
                      "active_further_cooperative_further_vs_further.json",
                      "both agents >= 7.5 over the final 1,000 steps")}
CLAIM_FRACTION = 0.8  # issue 5's bar for BoS (>= 8 of 10 runs), used for both games


def _earlier_bc(file: str) -> dict | None:
    """The committed 10-run result of issue 5 (FURTHER as written) for BoS / the cooperative game."""
    path = RESULTS / file
    if not path.exists():
        return None
    d = json.loads(path.read_text())
    return {"late": np.asarray(d["final_1000_average"], dtype=float), "steps": int(d["steps"]),
            "_episodes": np.asarray(d["episode_averages"], dtype=float)}


ORIGINAL_LATE_EPISODES = 7  # the original logs per 150-step episode: its last 7 (1,050 steps) stand for the final 1,000


def _original_final(rows: list[dict], players: tuple[int, ...]) -> np.ndarray:
    """(seeds, players): each original-code seed's mean episode reward over its last ``ORIGINAL_LATE_EPISODES``."""
    return np.array([[float(np.mean(r["result"]["episode_average"][p][-ORIGINAL_LATE_EPISODES:])) for p in players]
                     for r in rows])


def bos_coop_section(partial: bool) -> tuple[list[str], dict]:
    out: dict[str, Any] = {}
    lines = ["| game | run | runs | steps | claim | runs meeting it | late-window reward, player 0 (95% CI) |",
             "|---|---|---|---|---|---|---|"]
    for game, (name, orig_name, thr, earlier_file, claim) in BC.items():
        rows = load(name, partial)
        out[game] = {}

        def meets(late: np.ndarray) -> np.ndarray:
            return late[0] >= thr if game == "bos" else (late >= thr).all(axis=0)

        for wiring in ("own", "peer"):
            res = pick(rows, latent_source=wiring)
            if res is None:
                continue
            late = np.asarray(res["late_average"])
            ok = meets(late)
            note = (f" (in progress: step {res['partial_step']:,} of {res.get('target', res['steps']):,}; late "
                    f"window = the last 1,000 steps reached)") if "partial_step" in res else ""
            lines.append(f"| {game} | ours, `latent_source=\"{wiring}\"`{note} | {res['num_seeds']} | "
                         f"{res['steps']:,} | {claim} | {int(ok.sum())}/{ok.size} | {fmt_ci(late[0])} |")
            out[game][wiring] = {"res": res, "hits": int(ok.sum()), "n": int(ok.size),
                                 "partial": "partial_step" in res, "steps": int(res["steps"])}
        early = _earlier_bc(earlier_file)
        if early is not None:
            ok = meets(early["late"])
            lines.append(f"| {game} | ours as written, the earlier run (issue 5) | {ok.size} | {early['steps']:,} | "
                         f"{claim} | {int(ok.sum())}/{ok.size} | {fmt_ci(early['late'][0])} |")
            out[game]["issue5"] = {"res": {"_episodes": early["_episodes"]}, "hits": int(ok.sum()),
                                   "n": int(ok.size), "partial": False, "steps": early["steps"]}
        orig = load_original(orig_name, partial)
        if orig:
            fin = _original_final(orig, (0,) if game == "bos" else (0, 1))
            ok = fin[:, 0] >= thr if game == "bos" else (fin >= thr).all(axis=1)
            steps = min(int(r["result"]["episode_timestep"][-1]) for r in orig)
            lines.append(f"| {game} | the original code (seeds {min(r['seed'] for r in orig)}-"
                         f"{max(r['seed'] for r in orig)}; last 7 episodes) | {len(orig)} | {steps:,} | {claim} | "
                         f"{int(ok.sum())}/{ok.size} | {fmt_ci(fin[:, 0])} |")
            out[game]["original"] = {"rows": orig, "hits": int(ok.sum()), "n": int(ok.size), "steps": steps,
                                     "partial": any("partial_step" in r["result"] for r in orig)}
    return lines, out


def bos_coop_figure(game: str, d: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not d:
        return
    players = (0,) if game == "bos" else (0, 1)
    fig, axes = plt.subplots(1, len(players), figsize=(6.5 * len(players), 4), squeeze=False)
    colors = {"own": "tab:blue", "peer": "tab:red", "issue5": "tab:cyan", "original": "k"}
    names = {"own": "ours, latent_source='own'", "peer": "ours, latent_source='peer'",
             "issue5": "ours as written (issue 5)"}
    for j, i in enumerate(players):
        ax = axes[0, j]
        for key in ("own", "peer", "issue5"):
            if key not in d or "_episodes" not in d[key]["res"]:
                continue
            ep = np.asarray(d[key]["res"]["_episodes"])[i]
            x = (np.arange(ep.shape[1]) + 1) * EPISODE
            if key != "issue5":
                for row in ep:
                    ax.plot(x, row, color=colors[key], lw=0.3, alpha=0.2)
            ax.plot(x, ep.mean(0), color=colors[key], lw=2, ls="--" if key == "issue5" else "-",
                    label=f"{names[key]}: mean of {ep.shape[0]} runs")
        if "original" in d:
            rows = d["original"]["rows"]
            n = min(len(r["result"]["episode_timestep"]) for r in rows)
            ep = np.array([r["result"]["episode_average"][i][:n] for r in rows])
            x = np.array(rows[0]["result"]["episode_timestep"][:n])
            ax.plot(x, ep.mean(0), color="k", lw=2, label=f"the original code: mean of {ep.shape[0]} seeds")
        ax.set_xlabel("step")
        ax.set_ylabel("episode average reward")
        ax.set_title(f"{'FURTHER' if game == 'bos' else f'FURTHER (player {i})'}")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Iterated Bach or Stravinsky vs the Q persona (claim: FURTHER -> 2)" if game == "bos" else
                 "Iterated cooperative game, FURTHER vs FURTHER (claim: both -> 8)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- speed -----------------------------------------------------------------------------------------------------------
def speed_lines() -> list[str]:
    rows = load("further_speed", False)
    if not rows:  # the spec did not run; measured by hand (600 steps of MP FURTHER vs LILI, OMP_NUM_THREADS=1)
        return ["`further_speed` was not run; measured by hand on 600 steps of the MP match (FURTHER vs LILI, hidden "
                "64, window 64), CPU time per step of the whole batch:", "",
                "| runs batched in one process | machine load | CPU ms per step | CPU ms per run-step |",
                "|---|---|---|---|",
                "| 10 | 1.1 (quiet) | 7.1 | 0.71 |",
                "| 20 | 1.1 (quiet) | 11.6 | 0.58 |",
                "| 1 | 10-15 (shared) | 10.4 | 10.4 |",
                "| 20 | 10-15 (shared) | 23.1 | 1.16 |", "",
                "One process with 20 runs costs ~9x less per run than 20 processes of one run each. On the shared "
                "machine every number is ~2-3x its quiet value (hyperthread and cache contention), and a niced "
                "process got 10-20% of a core, which is why the first MP session stopped at 15,000 steps.", "",
                "**Denormals.** Past ~100,000 steps the MP runs slowed from ~12 to ~39 ms per step (wall, 2 processes "
                "on 2 cores, 115k-135k): at 135k steps ~95% of two FURTHER Adam moment tensors were float32 denormals "
                "(moments of weights whose gradient stays zero decay geometrically), and CPU arithmetic on denormals "
                "is slow. `Match.run` now flushes denormals to zero while it plays (an Adam update changes by < 1e-30); "
                "the runs resumed from their 140k checkpoints and took 18 ms per step to 200k on the same shared "
                "machine (2.1x)."]
    lines = ["| trial | runs per trial | steps | CPU seconds per run-step (ms) |", "|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["params"]["num_seeds"]):
        res = r["result"]
        per = 1000 * res["cpu_seconds_this_session"] / (res["steps"] * res["num_seeds"])
        lines.append(f"| MP FURTHER vs LILI, seed {r['seed']} | {res['num_seeds']} | {res['steps']:,} | {per:.2f} |")
    return lines


# --- budget ----------------------------------------------------------------------------------------------------------
BUDGET_ROWS = [  # experiment, the original's protocol
    ("further_mp", "MP, FURTHER vs LILI: 1,000,000 steps x seeds 1-20"),
    ("further_original_imp", "(the original code itself, one seed per trial)"),
    ("further_pd_q", "no PD in the original"),
    ("further_pd_q_baselines", "no PD in the original"),
    ("further_pd_reinforce", "Meta-MAPG's IPD: 64 episodes x 150 steps per update, 7 updates"),
    ("further_pd_reinforce_baselines", "as above"),
    ("further_bos", "BoS vs the Q persona: 50,000 steps x seeds 1-20"),
    ("further_cooperative", "cooperative: 10,000 steps x seeds 1-20"),
    ("further_original_ibs", "(the original code itself, one seed per trial)"),
    ("further_original_ic", "(the original code itself, one seed per trial)"),
]


def budget_lines(partial: bool) -> list[str]:
    """What each spec asks for and what the store (and the checkpoints) held when the report was made."""
    lines = ["| experiment | the original | the spec asks for | reached when this report was made |",
             "|---|---|---|---|"]
    for name, orig in BUDGET_ROWS:
        asked = spec_budget(name)
        if name.startswith("further_original"):
            rows = load_original(name, partial)
            done = [r for r in rows if "partial_step" not in r["result"]]
            part = [f"seed {r['seed']}: {r['result']['partial_step']:,} steps (interrupted)" for r in rows
                    if "partial_step" in r["result"]]
            steps = sorted({int(r["result"]["steps"]) for r in done})
            reached = (f"{len(done)} seed{'s' if len(done) != 1 else ''} done"
                       + (f" ({', '.join(f'{x:,}' for x in steps)} steps)" if steps else "")
                       + ("; " + "; ".join(part) if part else "")) if rows else "not run"
        else:
            from activeq import experiments
            from activeq.experiments.spec import params_hash

            want = {t.key.split("/")[1] for t in experiments.load_spec(SPECS / f"{name}.toml").trials()}
            rows = [r for r in load(name, partial)]
            parts = []
            for r in sorted(rows, key=lambda r: json.dumps(r["params"], sort_keys=True)):
                if params_hash(r["params"]) not in want:
                    continue
                res = r["result"]
                tag = ", ".join(f"{v}" for k, v in r["params"].items()
                                if k in ("latent_source", "agent", "opponent", "row"))
                step = res.get("partial_step", res["steps"])
                parts.append(f"{tag or 'trial'}: {step:,}" + (" (stopped)" if "partial_step" in res else " (done)"))
            reached = "; ".join(parts) if parts else "not run"
        lines.append(f"| {name} | {orig} | {asked} | {reached} |")
    return lines


# --- verdicts --------------------------------------------------------------------------------------------------------
def _slope_txt(v: dict) -> str:
    word = "rises" if v["positive"] else "falls" if v["negative"] else "is flat (the CI holds 0)"
    return f"{word}: slope {v['slope']:+.4f} ± {v['ci']:.4f} per step"


def verdict_lines(mp: dict, pd: dict, bc: dict) -> tuple[list[str], dict]:
    """The verdict on each claim, written from the numbers (so a rerun with longer runs rewrites it)."""
    out: list[str] = []
    holds: dict[str, Any] = {}
    # 1. matching pennies
    parts = []
    for key in ("own", "peer", "original", "issue5"):
        if key in mp:
            v = mp[key]
            parts.append(f"{MP_LABELS[key]} ({v['runs']} runs x {v['steps']:,} steps"
                         f"{', stopped short of its target' if v['partial'] and key != 'original' else ''}): "
                         f"FURTHER's cumulative reward {_slope_txt(v)}")
    own, peer, orig = mp.get("own"), mp.get("peer"), mp.get("original")
    if own and peer:
        if peer["positive"] and not own["positive"]:
            cause = "the wiring: only the original's wiring makes FURTHER's cumulative reward rise"
        elif own["positive"] and peer["positive"]:
            cause = "the objective: FURTHER's cumulative reward rises with either wiring"
        elif own["positive"]:
            cause = "the objective, and the original's wiring does not produce it"
        else:
            cause = ("neither: with our wiring and with the original's, FURTHER's cumulative reward does not rise "
                     "at this length")
        holds["mp"] = {"holds": bool(own["positive"] or peer["positive"]), "cause": cause}
        out.append(f"- **Matching pennies: {'holds' if holds['mp']['holds'] else 'does not hold'}** at the length "
                   f"reached; the paper's rising curve is a property of {cause}.")
        if orig:
            first = {k: mp[k]["first"] for k in ("own", "peer") if k in mp}
            per_seed = ", ".join(f"seed {k} {v:+.0f}" for k, v in orig.get("seeds", {}).items())
            out.append(f"  The original code itself over its {orig['steps']:,} steps ({orig['runs']} seeds; FURTHER's "
                       f"cumulative reward at the end: {per_seed}): {_slope_txt(orig)}; ours over the "
                       f"same first {mp['compare_steps']:,} steps: "
                       + "; ".join(f"{k} {_slope_txt(v)}" for k, v in first.items()) + ".")
        out += [f"  - {p}" for p in parts]
    # 2. prisoner's dilemma
    from scipy import stats
    pd_claim = {}
    for opp, rows in pd.items():
        if "further" not in rows:
            continue
        f = np.asarray(rows["further"]["late_average"])[0]
        m, h, _ = mean_ci(f)
        above = m - h > 1.0
        cmp = []
        ok = above
        for key, label in (("lola", "LOLA"), ("learner", "learner vs learner"), ("lili", "LILI"),
                           ("active_br", "the searched active best response"), ("defect", "always defect")):
            if key not in rows:
                continue
            if "partial_step" in rows[key]:  # its late window is not the others': no comparison
                cmp.append(f"{label}: stopped at step {rows[key]['partial_step']:,}, not compared")
                continue
            g = np.asarray(rows[key]["late_average"])[0]
            g = g[np.isfinite(g)]
            diff = float(np.nanmean(f) - g.mean())
            t = stats.ttest_ind(f[np.isfinite(f)], g, equal_var=False)
            worse = bool(diff < 0 and t.pvalue < 0.05)
            if key in ("lola", "learner"):
                ok = ok and not worse
            cmp.append(f"{label} {g.mean():.2f} (FURTHER {'significantly lower' if worse else 'minus it'}: "
                       f"{diff:+.2f}, Welch p={t.pvalue:.3f})")
        pd_claim[opp] = bool(ok)
        out.append(f"- **PD vs {opp.replace('_', ' ')}: {'holds' if ok else 'does not hold'}.** FURTHER earns "
                   f"{m:.2f} ± {h:.2f} over the late window ({'above' if above else 'not above'} mutual defection, "
                   f"1); " + "; ".join(cmp) + ".")
    holds["pd"] = pd_claim
    # 3. BoS / cooperative
    for game, d in bc.items():
        complete = [d[k] for k in ("own", "issue5") if k in d and not d[k].get("partial")]
        best = complete[0] if complete else d.get("own")
        if best is None:
            continue
        ok = best["hits"] >= CLAIM_FRACTION * best["n"]
        holds[game] = bool(ok) if complete else None
        stopped = f" at step {best['steps']:,} (stopped short)" if best.get("partial") else ""
        if not complete:
            out.append(f"- **{'Bach or Stravinsky' if game == 'bos' else 'Cooperative game'}: undecided** (no run "
                       f"reached the original's length; {best['hits']}/{best['n']} runs meet the claim{stopped}).")
            continue
        extra = "; ".join(f"{k}: {v['hits']}/{v['n']}" + (f" at step {v['steps']:,} (stopped short)"
                                                        if v.get("partial") else f" at {v['steps']:,} steps")
                          for k, v in d.items() if v is not best)
        best_name = next(k for k, v in d.items() if v is best)
        out.append(f"- **{'Bach or Stravinsky' if game == 'bos' else 'Cooperative game'}: "
                   f"{'holds' if ok else 'does not hold'}** ({best_name}: {best['hits']}/{best['n']} runs meet the "
                   f"claim at {best['steps']:,} steps"
                   f"{stopped}; "
                   f"the bar is {CLAIM_FRACTION:.0%} of runs). Other rows: {extra or 'none'}.")
    return out, holds


def closing_lines(holds: dict, mp: dict) -> list[str]:
    """Which claims hold and which do not, in one paragraph each (from :func:`verdict_lines`' decisions)."""
    ok, bad = [], []
    names = {"bos": "Bach or Stravinsky (FURTHER steers the Q persona to its favourite)",
             "cooperative": "the cooperative game (two FURTHER agents reach the Pareto outcome)"}
    undecided = []
    for game, label in names.items():
        if game in holds:
            (undecided if holds[game] is None else ok if holds[game] else bad).append(label)
    if "mp" in holds:
        lengths = ", ".join(f"{k} {mp[k]['runs']} x {mp[k]['steps']:,}" for k in ("own", "peer", "original") if k in mp)
        (ok if holds["mp"]["holds"] else bad).append(f"matching pennies (runs x steps: {lengths})")
    for opp, v in holds.get("pd", {}).items():
        (ok if v else bad).append(f"the prisoner's dilemma vs the {opp.replace('_', ' ')} learner")
    return [f"Hold: {'; '.join(ok) or 'none'}.", "", f"Do not hold: {'; '.join(bad) or 'none'}.", ""] + \
        ([f"Undecided (no run reached the original's length): {'; '.join(undecided)}.", ""] if undecided else []) + [
            "The numbers behind each are in the verdicts above and the tables below; runs that stopped short of "
            "their spec's length are labelled in progress and resume with `analysis/active_further.py run`."]


# --- report ----------------------------------------------------------------------------------------------------------
def report(partial: bool) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    mp_lines, mp_data, mp_verdict = mp_section(partial)
    if mp_data:
        mp_figure(mp_data, mp_verdict, RESULTS / "active_further_mp.png")
    pd_lines, pd_table = pd_section(partial)
    pd_figure(pd_table, RESULTS / "active_further_pd.png")
    bc_lines, bc = bos_coop_section(partial)
    for game in ("bos", "cooperative"):
        bos_coop_figure(game, bc.get(game, {}), RESULTS / f"active_further_{game}.png")
    vlines, holds = verdict_lines(mp_verdict, pd_table, bc)
    summary = {"mp": mp_verdict,
               "pd": {opp: {k: {"late_mean": mean_ci(np.asarray(v["late_average"])[0])[0],
                                "late_ci": mean_ci(np.asarray(v["late_average"])[0])[1],
                                "runs": int(np.asarray(v["late_average"]).shape[1]), "steps": int(v["steps"])}
                            for k, v in rows.items()} for opp, rows in pd_table.items()},
               "bos_coop": {g: {w: {"hits": v["hits"], "n": v["n"], "steps": v["steps"], "partial": v["partial"]}
                                for w, v in d.items()} for g, d in bc.items()},
               "holds": holds}
    (RESULTS / "active_further_summary.json").write_text(json.dumps(summary, indent=1))
    md = (TEMPLATE.replace("{budget}", "\n".join(budget_lines(partial))).replace("{verdicts}", "\n".join(vlines))
          .replace("{mp_table}", "\n".join(mp_lines)).replace("{pd_table}", "\n".join(pd_lines))
          .replace("{bos_coop_table}", "\n".join(bc_lines)).replace("{speed}", "\n".join(speed_lines()))
          .replace("{closing}", "\n".join(closing_lines(holds, mp_verdict))))
    (RESULTS / "active_further.md").write_text(md)
    print(md)
    return summary


TEMPLATE = """# FURTHER's claims, run the way the original ran them

Kim et al., "Influencing Long-Term Behavior in Multiagent Reinforcement Learning" (NeurIPS 2022) make four claims on
iterated 2x2 games. This file holds, for each: the original's protocol, our numbers (and the original code's, where
this machine could run it) and the verdict. Made by `analysis/active_further.py report` from the experiment store
(`activeq run` with the specs in `analysis/specs/further_*.toml`). Intervals are 95% t intervals over runs.

{budget}

## Verdicts

{verdicts}

## 1. Iterated matching pennies, FURTHER vs LILI

**The original's protocol** (`config/imp.yaml`, `run.sh`): 1,000,000 steps, seeds 1-20, episodes of 150 steps,
FURTHER (row, wins on a match) vs LILI; actor lr 1e-3, critic 1e-2, gain 0.05, inference 1e-2, hidden 64, latent 5,
entropy 0.35, window ("batch size") 64, one update per step on the latest transition; the figure is FURTHER's
*cumulative* reward since step 1 (it logs "Accumulate reward" for this game only). The trainer's
`for agent, peer_laent, reward in zip(...)` encodes every agent's next latent from `peer_latent`, the leftover of the
previous loop: agent 1's (LILI's) latent. So FURTHER acts on a latent its encoder made from LILI's latent, while it
trains its encoder, critic and actor on its own. Our `latent_source="peer"` reproduces exactly that.

{mp_table}

![matching pennies](active_further_mp.png)

## 2. Iterated prisoner's dilemma vs opponents that learn from samples

**The original's protocol**: none; the FURTHER repository has no prisoner's dilemma. The closest setup by the same
authors is Meta-MAPG's IPD (github.com/dkkim93/meta-mapg): a peer with a tabular softmax policy over the 5 memory-1
states, started from a "cooperative" persona (P(cooperate) ~ U[0.5, 1] per state) or a "defective" one (U[0, 0.5]),
updated by REINFORCE with a linear baseline on 64 sampled 150-step episodes per update, lr 1.0, discount 0.96, 7
updates. Ours: `activeq.active.learners.ReinforcePeer` (checked unbiased against the exact gradient of the episodic
value in `tests/active/test_learners.py`), and the memory-1 Q persona `StateQPersona` (the original persona's Q
(10, 20) in every state, so it starts out defecting). FURTHER and LILI use the Bach-or-Stravinsky settings (the ones
tuned against a sample learner). Payoffs T=5, R=3, P=1, S=0: mutual defection earns 1. Every row of a table plays
the same opponent with the same protocol, runs and late window; "learner vs learner" puts a second copy of the
opponent's learner in the row seat; LOLA models the opponent as a naive exact-gradient learner (it is not one); the
active best response is the best stationary (REINFORCE) or tracking (Q persona) policy that
`active_best_response`'s search found against the opponent's learning, replayed in the same runs (a lower bound on
the true active best response: no time-dependent policy is searched). Neither learner is finite-state or has an
update that is differentiable in the policies, so the exact and the gradient active best responses do not apply.

{pd_table}

![prisoner's dilemma](active_further_pd.png)

## 3. Bach or Stravinsky vs the Q persona, and the cooperative game

**The original's protocols** (`config/ibs.yaml`, `config/ic.yaml`, seeds 1-20): BoS, FURTHER vs a stateless
tabular Q persona with Q (10, 20) (so it prefers the column player's favourite), 50,000 steps, window 256; the
cooperative game [4, 0; 0, 8], FURTHER vs FURTHER, 10,000 steps, window 64. The claims: FURTHER steers the persona to
its own favourite (2); the two FURTHER agents reach the Pareto outcome (8). In the original wiring, FURTHER in BoS
encodes from zeros (the Q persona's `encode` returns zeros), and in the cooperative game agent 0 encodes from
agent 1's latent.

{bos_coop_table}

![Bach or Stravinsky](active_further_bos.png)

![cooperative game](active_further_cooperative.png)

## 4. Speed: batched runs vs one run per process

{speed}

## Closing note

{closing}
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run or resume specs into the store")
    r.add_argument("names", nargs="*", default=SPEC_NAMES)
    r.add_argument("--workers", type=int, default=1)
    r.add_argument("--quiet", action="store_true")
    p = sub.add_parser("report", help="figures, tables and verdicts from the store")
    p.add_argument("--partial", action="store_true", help="include running trials from their checkpoints")
    args = ap.parse_args(argv)
    if args.command == "run":
        run(args.names, args.workers, args.quiet)
    else:
        report(args.partial)
    return 0


if __name__ == "__main__":
    sys.exit(main())
