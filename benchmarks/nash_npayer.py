"""n-player Nash solvers: activeq's logit path and global Newton vs pygambit's, on random 3- and 4-player games.

Same games for both (standard normal payoffs, seeded), one run, median wall time per shape and the ratio
(ours / Gambit's; < 1 means we are faster). Gambit's gnm does not return on some games (seen on 3x3x3x3), so
each Gambit gnm call runs in a child process with a time limit; games where it hangs are counted, not timed.
We also report on how many games our result contains every equilibrium Gambit found (max abs difference
<= 1e-5) and how many further equilibria (each certified, regret <= 1e-9) our gnm path found that Gambit's did not.

    .venv/bin/python benchmarks/nash_npayer.py [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import time
import warnings

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
    t = time.perf_counter()
    res = gbt.nash.gnm_solve(gg)
    queue.put((time.perf_counter() - t, _profiles(res, gg)))


def _gambit_gnm(payoffs: np.ndarray, limit: float) -> tuple[float, list[np.ndarray]] | None:
    q: mp.Queue = mp.Queue()
    proc = mp.Process(target=_gambit_gnm_child, args=(payoffs, q))
    proc.start()
    proc.join(limit)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return None
    return q.get()


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
    rows = []
    for shape in shapes:
        t_ours_l, t_gb_l, t_ours_g, t_gb_g = [], [], [], []
        agree_l = agree_g = hung = extra = 0
        for seed in range(per):
            payoffs = np.random.default_rng(1000 + seed).standard_normal((len(shape),) + shape)
            game = NormalFormGame(payoffs)
            gg = gbt.Game.from_arrays(*payoffs)
            t = time.perf_counter()
            ours = logit_solve(game)
            t_ours_l.append(time.perf_counter() - t)
            t = time.perf_counter()
            ref = gbt.nash.logit_solve(gg)
            t_gb_l.append(time.perf_counter() - t)
            agree_l += _covers([np.concatenate(e.strategies) for e in ours], _profiles(ref, gg))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                ours_g = gnm_solve(game)
                dt = time.perf_counter() - t
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
    print(table(["game", "method", "games", "activeq ms", "gambit ms", "ratio", "has gambit's", "extra eqa", "gambit hung"], rows,
                floatfmt=".3g"))


if __name__ == "__main__":
    main()
