"""n-player Nash solvers: activeq's logit path and global Newton vs pygambit's, on random 3- and 4-player games.

Same games for both (standard normal payoffs, seeded), one run, median wall time per shape and the ratio
(ours / Gambit's; < 1 means we are faster). Gambit's gnm does not return on some games (seen on 3x3x3x3), so
each Gambit gnm call runs in a child process with a time limit; games where it hangs are counted, not timed.
We also report on how many games our result contains every equilibrium Gambit found (max abs difference
<= 1e-5) and how many further equilibria (each certified, regret <= 1e-9) our gnm path found that Gambit's did not.
Ours are warmed up (numba kernels compiled and cached) before timing; times are process CPU time (robust on a
shared machine; Gambit's gnm is timed inside its child process), each game timed for ours and Gambit's back to back,
and the load average is printed beside the table.

    .venv/bin/python benchmarks/nash_npayer.py [--quick]

Writes ``benchmarks/results/nash_npayer.md`` (``nash_npayer_quick.md`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pygambit as gbt

from activeq.cli.output import table
from activeq.games import NormalFormGame
from activeq.nash.global_newton import gnm_solve
from activeq.nash.logit import logit_solve


def _profiles(result, gg) -> list[np.ndarray]:
    return [np.concatenate([[float(v) for _, v in eq[p]] for p in gg.players]) for eq in result.equilibria]


def _gambit_gnm_child(payoffs, queue) -> None:
    gg = gbt.Game.from_arrays(*payoffs)
    t = time.process_time()
    res = gbt.nash.gnm_solve(gg)
    queue.put((time.process_time() - t, _profiles(res, gg)))


def _gambit_gnm(payoffs: np.ndarray, limit: float) -> tuple[float, list[np.ndarray]] | None:
    ctx = mp.get_context("fork")
    q = ctx.Queue()
    proc = ctx.Process(target=_gambit_gnm_child, args=(payoffs, q))
    proc.start()
    try:
        out = q.get(timeout=limit)  # read before join: the child blocks on exit until its queue is drained
    except Exception:  # noqa: BLE001 - hung (or crashed)
        out = None
    if proc.is_alive():
        proc.kill()
    proc.join()
    return out


def _covers(ours: list[np.ndarray], ref: list[np.ndarray]) -> bool:
    """Every equilibrium Gambit found is among ours (within 1e-5)."""
    return bool(ours) and all(min(np.abs(o - r).max() for o in ours) <= 1e-5 for r in ref)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer games per shape")
    ap.add_argument("--games", type=int, default=None, help="games per shape (default 10, quick 3)")
    ap.add_argument("--limit", type=float, default=20.0, help="seconds before a Gambit gnm call counts as hung")
    args = ap.parse_args(argv)
    per = args.games or (3 if args.quick else 10)
    shapes = [(3, 3, 3), (4, 4, 4), (2, 2, 2, 2), (3, 3, 3, 3)]
    warm = NormalFormGame(np.random.default_rng(0).standard_normal((3, 2, 2, 2)))
    logit_solve(warm)
    gnm_solve(warm)
    load_before = os.getloadavg()
    rows = []
    for shape in shapes:
        t_ours_l, t_gb_l, t_ours_g, t_gb_g = [], [], [], []
        agree_l = agree_g = hung = extra = 0
        for seed in range(per):
            payoffs = np.random.default_rng(1000 + seed).standard_normal((len(shape),) + shape)
            game = NormalFormGame(payoffs)
            gg = gbt.Game.from_arrays(*payoffs)
            t = time.process_time()
            ours = logit_solve(game)
            t_ours_l.append(time.process_time() - t)
            t = time.process_time()
            ref = gbt.nash.logit_solve(gg)
            t_gb_l.append(time.process_time() - t)
            agree_l += _covers([np.concatenate(e.strategies) for e in ours], _profiles(ref, gg))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.process_time()
                ours_g = gnm_solve(game)
                dt = time.process_time() - t
            out = _gambit_gnm(payoffs, args.limit)
            if out is None:
                hung += 1
                continue
            t_ours_g.append(dt)
            t_gb_g.append(out[0])
            mine = [np.concatenate(e.strategies) for e in ours_g]
            agree_g += _covers(mine, out[1])
            extra += sum(min((np.abs(m - r).max() for r in out[1]), default=1.0) > 1e-5 for m in mine)
        label = "x".join(map(str, shape))
        med = lambda v: float(np.median(v)) if v else float("nan")  # noqa: E731
        rows.append([label, "logit", per, med(t_ours_l) * 1e3, med(t_gb_l) * 1e3, med(t_ours_l) / med(t_gb_l),
                     f"{agree_l}/{per}", "-", "-"])
        timed = per - hung
        rows.append([label, "gnm", timed, med(t_ours_g) * 1e3, med(t_gb_g) * 1e3,
                     med(t_ours_g) / med(t_gb_g) if timed else float("nan"), f"{agree_g}/{timed}", extra, hung])
    head = ["game", "method", "games", "activeq ms", "gambit ms", "ratio", "has gambit's", "extra eqa", "gambit hung"]
    text = table(head, rows, floatfmt=".3g")
    print(text)
    load_after = os.getloadavg()
    md = ["# n-player Nash: activeq vs pygambit (gnm, logit)", "",
          f"`.venv/bin/python benchmarks/nash_npayer.py{' --quick' if args.quick else ''}` on {platform.platform()}, "
          f"python {platform.python_version()}, numpy {np.__version__}, pygambit {gbt.__version__}. "
          f"Load average (1/5/15 min) before: {' '.join(f'{v:.1f}' for v in load_before)}, after: "
          f"{' '.join(f'{v:.1f}' for v in load_after)} (2 cores, shared).", "",
          f"{per} games per shape, standard normal payoffs, seeds 1000..{999 + per}; median CPU ms per game; "
          "ratio = activeq / Gambit (< 1: activeq faster). 'has gambit's': games where ours contain every equilibrium "
          "Gambit found (1e-5); 'extra eqa': certified equilibria our gnm path found that Gambit's did not; "
          f"'gambit hung': Gambit gnm calls cut after {args.limit:g} s (not timed).", "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        md.append("| " + " | ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in r) + " |")
    out = Path(__file__).resolve().parent / "results" / f"nash_npayer{'_quick' if args.quick else ''}.md"
    out.write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
