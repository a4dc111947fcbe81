"""``activeq tom``: probe a model's literal and functional theory of mind in repeated games.

One cell per game x partner x style (plus optional scripted baselines); per cell the per-step functional regret,
prediction accuracy, Delta_ToM, consistency, parse-failure and retry rates, tokens and latency, mean and 95% CI over
seeds. ``--out DIR`` writes ``tom_results.json``, ``tom_results.csv``, ``tom_regret.png`` and per-seed checkpoints
(a re-run resumes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..output import add_json_flag, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tom", help="LLM theory-of-mind probes: functional regret vs prediction accuracy")
    p.add_argument("--game", default="rock_paper_scissors", help="comma-separated catalog games")
    p.add_argument("--partner", default="single:0",
                   help="comma-separated partner specs: single:A, tft, cycle:A,B,.., mixed:P,.., fp:W, q")
    p.add_argument("--styles", default="plain,social", help="comma-separated prompt styles: plain,qa,cot,social,oracle")
    p.add_argument("--backend", default="openai", help="openai (HTTP), transformers (local dir), or none")
    p.add_argument("--base-url", default=None, help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
    p.add_argument("--model", default=None, help="model name (openai) or local model directory (transformers)")
    p.add_argument("--gguf", default=None, help="GGUF file inside --model (transformers)")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--baselines", default="", help="comma-separated scripted agents: oracle,model_based,"
                                                     "predicts_well,best_responder")
    p.add_argument("--rounds", type=int, default=100)
    p.add_argument("--seeds", type=int, default=5, help="number of seeds")
    p.add_argument("--seed", type=int, default=0, help="first seed")
    p.add_argument("--workers", type=int, default=4, help="threads over cells and seeds")
    p.add_argument("--cache", default="auto", help="'auto' (on at temperature 0), 'none', or a JSONL path")
    p.add_argument("--out", default=None, help="directory for JSON/CSV/PNG and checkpoints")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ... import load_game
    from ...errors import ProbeError
    from ...tom import sweep
    from ...tom.agents import LLMAgent
    from ...tom.partners import parse_partner
    from ...tom.prompting import check_style
    from ...tom.trials import make_baseline

    split = lambda s: [x.strip() for x in s.split(",") if x.strip()]  # noqa: E731
    games = [load_game(g) for g in split(args.game)]
    partners = []
    for spec in args.partner.split(";") if ";" in args.partner else _partner_specs(args.partner):
        partners.append(parse_partner(spec))
    styles = [check_style(s) for s in split(args.styles)]
    cache = None if args.cache == "none" else args.cache
    agents = []
    if args.backend not in ("openai", "transformers", "none"):
        raise ProbeError(f"--backend must be openai, transformers or none; got {args.backend!r}")
    if args.backend != "none" and styles:
        if not args.model:
            raise ProbeError("--model is required with --backend openai/transformers")
        if args.backend == "openai":
            if not args.base_url:
                raise ProbeError("--base-url is required with --backend openai")
            from ...tom.backends import OpenAIChat

            backend = OpenAIChat(args.base_url, args.model, args.temperature, args.seed,
                                 max_concurrency=max(1, args.workers))
        else:
            from ...tom.backends import TransformersChat

            backend = TransformersChat(args.model, temperature=args.temperature, seed=args.seed, gguf_file=args.gguf)
        agents += [LLMAgent(backend, s, cache=cache) for s in styles]
    agents += [make_baseline(b) for b in split(args.baselines)]
    if not agents:
        raise ProbeError("nothing to probe: give --styles with a backend, or --baselines")
    cells = [(g, p, a) for g in games for p in partners for a in agents]
    out = Path(args.out) if args.out else None
    try:
        res = sweep(cells, args.rounds, args.seeds, seed=args.seed, workers=args.workers,
                    checkpoint=None if out is None else out / "checkpoints",
                    progress=not (args.quiet or args.json))
    finally:
        if args.backend == "openai" and styles:
            backend.close()
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        res.to_json(out / "tom_results.json")
        res.to_csv(out / "tom_results.csv")
        import matplotlib

        matplotlib.use("Agg")
        res.plot(out / "tom_regret.png")
    if args.json:
        print_json(res.to_json())
    else:
        print(res.table())
        if out is not None:
            print(f"wrote {out / 'tom_results.json'}, {out / 'tom_results.csv'}, {out / 'tom_regret.png'}")
    return 0


def _partner_specs(text: str) -> list[str]:
    """Split partner specs on commas that start a new spec (``cycle:0,1,2,tft`` -> ``cycle:0,1,2``, ``tft``)."""
    specs: list[str] = []
    for part in (x.strip() for x in text.split(",")):
        if not part:
            continue
        if specs and ":" not in part and part[0].isdigit() or (specs and part.replace(".", "").isdigit()):
            specs[-1] += "," + part
        else:
            specs.append(part)
    return specs
