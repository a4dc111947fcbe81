"""ToM probe harness speed: a full sweep against a local OpenAI-compatible server, concurrent vs sequential, and a
re-run served from the record/replay cache.

Grid: 3 games x 2 partners (single-action, tit-for-tat) x 5 styles x 5 seeds x 100 rounds against the tiny
in-process Llama (``activeq.tom.testing.build_tiny_model``) behind ``activeq.tom.backends.ChatServer`` on
127.0.0.1, through ``OpenAIChat``. Every style uses 2 new tokens (this measures the harness and the HTTP path, not
the model); the tiny model's gibberish makes every round a call plus one corrective retry. Rows: a sequential loop
(1 worker, 1 request in flight), bounded concurrency (8 workers, 4 requests in flight), and the concurrent run
repeated with every answer replayed from the JSONL cache. ``--quick``: 10 rounds, 2 seeds, prompts showing the last
2 rounds (``--rounds/--seeds/--window`` override).

    .venv/bin/python benchmarks/tom.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent


def _sweep(backend, games, partners, styles, rounds, seeds, workers, cache, window):
    from activeq.tom import sweep
    from activeq.tom.agents import LLMAgent

    cells = [(g, p, LLMAgent(backend, s, max_tokens=2, cache=cache, history_window=window))
             for g in games for p in partners for s in styles]
    t0 = time.perf_counter()
    table = sweep(cells, rounds, seeds, workers=workers)
    return time.perf_counter() - t0, table


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--window", type=int, default=None, help="rounds shown in full in prompts (default: all; quick: 2)")
    a = p.parse_args(argv)
    rounds, seeds, window = (10, 2, 2) if a.quick else (100, 5, None)
    rounds, seeds = a.rounds or rounds, a.seeds or seeds
    window = a.window or window
    import torch

    torch.set_num_threads(1)
    from activeq import load_game
    from activeq.tom.backends import ChatServer, OpenAIChat, TransformersChat
    from activeq.tom.partners import single_action, tit_for_tat
    from activeq.tom.prompting import STYLES
    from activeq.tom.testing import build_tiny_model

    games = [load_game(g) for g in ("rock_paper_scissors", "prisoners_dilemma", "bach_or_stravinsky")]
    partners = [single_action(0), tit_for_tat()]
    rows = []
    load0 = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        local = TransformersChat(build_tiny_model(Path(tmp) / "m"), name="tiny-llama")
        with ChatServer(local) as server:
            seq = OpenAIChat(server.base_url, "tiny-llama", max_concurrency=1)
            t_seq, tab = _sweep(seq, games, partners, STYLES, rounds, seeds, 1, None, window)
            calls = server.calls
            answers = sum(len(t.records) + sum(r["retries"] for r in t.records) for res in tab.results
                          for t in res.trajectories)
            rows.append(("sequential loop (1 worker, 1 in flight)", answers, calls, t_seq))
            con = OpenAIChat(server.base_url, "tiny-llama", max_concurrency=4)
            cache = Path(tmp) / "cache.jsonl"
            c0 = server.calls
            t_con, _ = _sweep(con, games, partners, STYLES, rounds, seeds, 8, cache, window)
            rows.append(("bounded concurrency (8 workers, 4 in flight), recording", answers, server.calls - c0, t_con))
            c1 = server.calls
            t_rep, rep = _sweep(con, games, partners, STYLES, rounds, seeds, 8, cache, window)
            assert server.calls == c1, "the re-run must be served entirely from the cache"
            rows.append(("re-run served from the cache", answers, server.calls - c1, t_rep))
    load1 = os.getloadavg()
    n_rounds = len(games) * len(partners) * len(STYLES) * seeds * rounds
    lines = [f"# ToM probe harness: {len(games)} games x {len(partners)} partners x {len(STYLES)} styles x {seeds} "
             f"seeds x {rounds} rounds = {n_rounds} rounds", "",
             f"tiny Llama (built in-process) behind activeq's OpenAI-compatible server on 127.0.0.1, httpx client; "
             f"2 new tokens per call; history window {window or 'all'}; every round = call + corrective retry (gibberish). torch "
             f"{torch.__version__}, {platform.machine()}, 1 torch thread per request; load average "
             f"{load0[0]:.1f} before, {load1[0]:.1f} after (2 cores, shared).", "", "```"]
    head = (f"{'run':56s} {'answers':>8s} {'server calls':>12s} {'wall s':>8s} {'answers/s':>9s} "
            f"{'vs sequential':>13s}")
    lines += [head, "-" * len(head)]
    for name, n, c, t in rows:
        lines.append(f"{name:56s} {n:8d} {c:12d} {t:8.1f} {n / t:9.1f} {t_seq / t:12.2f}x")
    lines += ["```", "", "answers = model answers the probe consumed (first calls + corrective retries); the recording "
              "run makes fewer server calls than answers because, at temperature 0, a prompt already answered, or being "
              "asked, for another seed is served from the cache being recorded (the seeds of a cell coincide until "
              "their first fallback)."]
    text = "\n".join(lines)
    print(text)
    out = HERE / "results" / ("tom_quick.md" if a.quick else "tom.md")
    out.parent.mkdir(exist_ok=True)
    out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
