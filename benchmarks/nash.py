"""Speed of activeq.nash against its peers, one run, same games, medians and ratios.

1. all extreme equilibria of random n x n games: activeq "vertex" vs QuantEcon ``vertex_enumeration``,
   Gambit ``enummixed_solve`` (floating point) and nashpy ``vertex_enumeration``; equilibrium counts compared
   (Gambit only up to n = 10: at n = 12 one game took over 5 minutes here; nashpy only on a few games);
2. one Lemke-Howson path on a 200 x 200 game: activeq vs ``pygambit.nash.lcp_solve(stop_after=1)``;
3. zero-sum n x n, n = 100, 300, 500, 1000: activeq "lp" vs HiGHS alone on the same LP (scipy) vs OpenSpiel
   ``lp_solver.solve_zero_sum_matrix_game`` with its default solver (its DEFAULT_SOLVER: ECOS via cvxpy).

Every tool runs single-threaded (BLAS threads pinned to 1 before numpy loads) on the same games; JIT-compiled
peers (QuantEcon) and our numba kernel are warmed up first. Run: ``.venv/bin/python benchmarks/nash.py [--quick]``.
Writes ``benchmarks/results/nash.md`` (``nash_quick.md`` with ``--quick``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Sequence  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


#: Clock for timings. Every tool here runs single-threaded, so process CPU time measures the same work as wall
#: time on an idle machine, and stays comparable when the (shared) machine is loaded. ``--wall`` switches.
CLOCK = time.process_time


def _timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median time (seconds, :data:`CLOCK`) over ``repeat`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = CLOCK()
        out = fn()
        times.append(CLOCK() - t0)
    return statistics.median(times), out


def _ms(t: float | None) -> str:
    return "n/a" if t is None else (f"{t * 1e3:.3g}" if t < 10 else f"{t * 1e3:.0f}")


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.3g}x"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


# --- 1. enumeration --------------------------------------------------------------------------------------------
def bench_enumeration(sizes: Sequence[int], games: int, nashpy_games: dict[int, int], gambit_games: dict[int, int],
                      seed: int) -> str:
    import nashpy
    import pygambit as gbt
    from quantecon.game_theory import NormalFormGame as QEGame
    from quantecon.game_theory import Player, vertex_enumeration

    from activeq.games import NormalFormGame
    from activeq.nash import solve

    rng = np.random.default_rng(seed)
    warm = rng.random((2, 4, 4))
    vertex_enumeration(QEGame((Player(warm[0]), Player(warm[1].T))))  # numba JIT
    solve(NormalFormGame(warm), "vertex")  # our numba kernel (cached on disk)
    rows = []
    for n in sizes:
        t_ours, t_qe, t_gb, t_np = [], [], [], []
        agree_qe, agree_gb = True, True
        for g in range(games):
            A, B = rng.random((n, n)), rng.random((n, n))
            game = NormalFormGame.bimatrix(A, B)
            rep = 5 if n <= 8 else 3
            t, ours = _timed(lambda: solve(game, "vertex"), rep)
            t_ours.append(t)
            qe_game = QEGame((Player(A), Player(B.T)))
            t, qe = _timed(lambda: vertex_enumeration(qe_game), rep)
            t_qe.append(t)
            agree_qe &= len(ours) == len(qe)
            if g < gambit_games.get(n, 0):
                gb_game = gbt.Game.from_arrays(A, B)
                t, gb = _timed(lambda: gbt.nash.enummixed_solve(gb_game, rational=False), 1)
                t_gb.append(t)
                agree_gb &= len(ours) == len(gb.equilibria)
            if g < nashpy_games.get(n, 0):
                np_game = nashpy.Game(A, B)
                t, found = _timed(lambda: list(np_game.vertex_enumeration()), 1)
                t_np.append(t)
        med = lambda ts: statistics.median(ts) if ts else None  # noqa: E731
        rows.append([str(n), str(games), _ms(med(t_ours)), _ms(med(t_qe)), f"{_ms(med(t_gb))} ({len(t_gb)})",
                     f"{_ms(med(t_np))} ({len(t_np)})", _ratio(med(t_qe), med(t_ours)), _ratio(med(t_np), med(t_ours)),
                     ("yes" if agree_qe else "NO") + " / " + (("yes" if agree_gb else "NO") if t_gb else "n/a")])
    headers = ["n", "games", "activeq ms", "QuantEcon ms", "Gambit enummixed ms (games)", "nashpy ms (games)",
               "QuantEcon/activeq", "nashpy/activeq", "same count as QuantEcon / Gambit"]
    return _table(headers, rows)


# --- 2. Lemke-Howson -------------------------------------------------------------------------------------------
def bench_lemke_howson(n: int, games: int, seed: int) -> str:
    import pygambit as gbt

    from activeq.games import NormalFormGame
    from activeq.nash import is_nash
    from activeq.nash.lemke_howson import lemke_howson_path

    rng = np.random.default_rng(seed + 1)
    rows = []
    for g in range(games):
        A, B = rng.random((n, n)), rng.random((n, n))
        t_ours, (x, y, pivots) = _timed(lambda: lemke_howson_path(A, B, 0), 1)
        ok = is_nash(NormalFormGame.bimatrix(A, B), (x, y), tol=1e-9)
        gb_game = gbt.Game.from_arrays(A, B)
        t_gb, res = _timed(lambda: gbt.nash.lcp_solve(gb_game, rational=False, stop_after=1), 1)
        rows.append([f"{n}x{n} #{g}", str(pivots), _ms(t_ours), _ms(t_gb), _ratio(t_gb, t_ours),
                     "yes" if ok and len(res.equilibria) == 1 else "NO"])
    headers = ["game", "pivots", "activeq ms", "Gambit lcp ms", "Gambit/activeq", "both found an equilibrium"]
    return _table(headers, rows)


# --- 3. zero-sum LP --------------------------------------------------------------------------------------------
def bench_zero_sum(sizes: Sequence[int], games: dict[int, int], seed: int) -> str:
    """activeq "lp" (through ``solve``, certificate included) vs HiGHS alone on the same LP (scipy ``linprog``) vs
    OpenSpiel's ``lp_solver.solve_zero_sum_matrix_game`` with its default solver (ECOS via cvxpy), same games."""
    import pyspiel
    from open_spiel.python.algorithms import lp_solver

    from activeq.games import NormalFormGame
    from activeq.nash import solve
    from activeq.nash.zerosum import solve_matrix_game

    rng = np.random.default_rng(seed + 2)
    solve(NormalFormGame.zero_sum(rng.normal(size=(60, 60))), "lp")  # warm: imports, threadpoolctl's controller
    rows = []
    for n in sizes:
        t_ours, t_highs, t_os, dv, reg = [], [], [], [], []
        for g in range(games[n]):
            A = rng.normal(size=(n, n))
            game = NormalFormGame.zero_sum(A)
            t, eq = _timed(lambda: solve(game, "lp"), 1)
            t_ours.append(t)
            t, sol_h = _timed(lambda: solve_matrix_game(A, "highs"), 1)
            t_highs.append(t)
            os_game = pyspiel.create_matrix_game(A.tolist(), (-A).tolist())
            t, (_, _, v0, _) = _timed(lambda: lp_solver.solve_zero_sum_matrix_game(os_game), 1)
            t_os.append(t)
            dv.append(max(abs(eq[0].info["value"] - v0), abs(eq[0].info["value"] - sol_h.value)))
            reg.append(eq[0].max_regret)
        med = statistics.median
        rows.append([f"{n}x{n}", str(games[n]), _ms(med(t_ours)), _ms(med(t_highs)), _ms(med(t_os)),
                     _ratio(med(t_highs), med(t_ours)), _ratio(med(t_os), med(t_ours)), f"{max(dv):.1e}",
                     f"{max(reg):.1e}"])
    headers = ["game", "games", "activeq lp ms", "HiGHS alone ms", "OpenSpiel lp_solver ms", "HiGHS/activeq",
               "OpenSpiel/activeq", "max |value diff|", "activeq max regret"]
    return _table(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run (smaller games, fewer repeats)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--wall", action="store_true", help="time with the wall clock instead of process CPU time")
    parser.add_argument("--only", choices=("enumeration", "lemke-howson", "lp"), default=None,
                        help="run one section (written to nash_<section>.md, so nash.md keeps the full run)")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.process_time
    if args.quick:
        sections = [("All extreme equilibria, random n x n games", lambda: bench_enumeration([6, 8], 3, {6: 1}, {6: 3, 8: 3}, args.seed)),
                    ("One Lemke-Howson path", lambda: bench_lemke_howson(60, 1, args.seed)),
                    ("Zero-sum LP", lambda: bench_zero_sum([100, 300], {100: 2, 300: 1}, args.seed))]
    else:
        sections = [("All extreme equilibria, random n x n games",
                     lambda: bench_enumeration([6, 8, 10, 12], 10, {6: 10, 8: 3, 10: 1},
                                               {6: 10, 8: 10, 10: 3}, args.seed)),
                    ("One Lemke-Howson path (label 0)", lambda: bench_lemke_howson(200, 3, args.seed)),
                    ("Zero-sum LP (random normal n x n; median over games)",
                     lambda: bench_zero_sum([100, 300, 500, 1000], {100: 3, 300: 3, 500: 2, 1000: 1}, args.seed))]
    if args.only:
        sections = [sections[("enumeration", "lemke-howson", "lp").index(args.only)]]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    header = (f"# activeq.nash benchmark{' (quick)' if args.quick else ''}\n\n"
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, Python {platform.python_version()}, "
              f"{platform.machine()}, load average {load:.1f} at start, 1 BLAS thread, seed {args.seed}, "
              f"{'wall-clock' if args.wall else 'process CPU'} time. Times are medians over the games "
              "(each game: median of repeats); ratios are peer / activeq (> 1: activeq is faster).\n")
    parts = [header]
    print(header)
    for title, run in sections:
        text = f"## {title}\n\n{run()}\n"
        print(text, flush=True)
        parts.append(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("nash_quick.md" if args.quick else f"nash_{args.only}.md" if args.only else "nash.md")
    out.write_text("\n".join(parts))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
