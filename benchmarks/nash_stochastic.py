"""Speed of activeq.nash.stochastic against sgamesolver, one run, same games, medians and ratios.

1. general-sum stationary equilibrium of sgamesolver's own random game ``SGame.random_game(64, 2, 4, seed=42)``
   (64 states, 2 players, 4 actions, discount 0.95; its payoff array ``u`` and transition array ``phi`` are passed to
   activeq unchanged): activeq ``stationary(sg)`` (logit homotopy + support polish, certificate computed exactly)
   vs sgamesolver ``homotopy.QRE`` (cython build) run to its default convergence. Both results are scored by the
   same exact one-shot-deviation certificate (sgamesolver's own ``check_equilibrium``; activeq's agrees);
2. with ``--quick``: a 16-state game of the same kind instead.
3. zero-sum: ``shapley`` on the Big Match (no peer solves stochastic games by Shapley iteration in this
   environment; OpenSpiel's value iteration is for turn-based games) — reported for scale only.

sgamesolver is a benchmark-only dependency: ``pip install cython setuptools wheel && pip install
--no-build-isolation sgamesolver``; under numpy 2 it needs ``numpy.NaN = numpy.nan`` before import (done here).
Every tool runs single-threaded (BLAS threads pinned to 1 before numpy loads). Times are process CPU time (robust on
a shared machine; ``--wall`` switches to wall-clock). Run: ``.venv/bin/python benchmarks/nash_stochastic.py
[--quick] [--repeat R]``. Writes ``benchmarks/results/nash_stochastic.md`` (``nash_stochastic_quick.md``).
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
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Sequence  # noqa: E402

import numpy as np  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
CLOCK: Callable[[], float] = time.process_time


def _timed(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = CLOCK()
        out = fn()
        times.append(CLOCK() - t0)
    return statistics.median(times), times, out


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[k]) for r in rows)) if rows else len(h) for k, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])


def _import_sgamesolver() -> Any | None:
    if not hasattr(np, "NaN"):
        np.NaN = np.nan  # sgamesolver 1.0.2 still uses the alias removed in numpy 2
    try:
        import sgamesolver  # noqa: F401
        return sgamesolver
    except ImportError:
        return None


def bench_general_sum(states: int, repeat: int) -> tuple[list[list[str]], dict[str, Any]]:
    from activeq.games import StochasticGame
    from activeq.nash.stochastic import stationary

    sgs = _import_sgamesolver()
    rows: list[list[str]] = []
    facts: dict[str, Any] = {}
    if sgs is None:
        print("sgamesolver not installed: timing activeq alone on an equivalent random game")
        rng = np.random.default_rng(42)
        u = rng.random((states, 2, 4, 4))
        phi = rng.exponential(size=(states, 4, 4, states))
        phi /= phi.sum(axis=-1, keepdims=True)
        game = None
        delta = 0.95
    else:
        game = sgs.SGame.random_game(states, 2, 4, seed=42)
        u, phi, delta = game.u, game.phi, float(game.delta[0])
    sg = StochasticGame(u, phi, discount=delta)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, times_ours, eq = _timed(lambda: stationary(sg), repeat)
    cert_ours = float(eq.certificate)
    if game is not None:
        sig = np.stack(eq.strategies, axis=1)
        cert_ours_theirs = float(np.abs(game.check_equilibrium(sig)).max())
    else:
        cert_ours_theirs = float("nan")
    rows.append([f"activeq stationary (logit)", f"{t_ours:.2f}", " ".join(f"{t:.2f}" for t in times_ours),
                 f"{cert_ours:.1e}", f"{cert_ours_theirs:.1e}", f"{eq.info['steps']}", "1.00x"])
    facts.update(ours=t_ours, cert_ours=cert_ours, steps=eq.info["steps"], polished=eq.info["polished"])

    if game is not None:
        def run_theirs() -> Any:
            h = sgs.homotopy.QRE(game)
            h.solver_setup()
            h.solver.verbose = 0
            h.solve()
            return h

        t_theirs, times_theirs, h = _timed(run_theirs, repeat)
        if h.equilibrium is None:
            cert_theirs = float("nan")
            strat_diff = float("nan")
        else:
            sig_t = np.asarray(h.equilibrium.strategies)
            cert_theirs = float(np.abs(game.check_equilibrium(sig_t)).max())
            strat_diff = float(np.nanmax(np.abs(np.nan_to_num(sig_t) - np.stack(eq.strategies, axis=1))))
        rows.append(["sgamesolver homotopy.QRE", f"{t_theirs:.2f}", " ".join(f"{t:.2f}" for t in times_theirs),
                     f"{cert_theirs:.1e}", f"{cert_theirs:.1e}", f"{getattr(h.solver, 'step', 'n/a')}",
                     f"{t_theirs / t_ours:.2f}x"])
        facts.update(theirs=t_theirs, cert_theirs=cert_theirs, ratio=t_theirs / t_ours, strat_diff=strat_diff)
    return rows, facts


def bench_shapley(repeat: int) -> list[list[str]]:
    from activeq.games.generators.zero_sum import big_match
    from activeq.nash.stochastic import shapley

    rows = []
    for g in (0.9, 0.99):
        sg = big_match(discount=g)
        t, _, res = _timed(lambda: shapley(sg, tol=1e-10), repeat)
        rows.append([f"shapley Big Match g={g}", f"{t * 1e3:.1f}", f"{res.iterations}", f"{res.error_bound:.1e}",
                     f"{abs(res.values[0] * (1 - g) - 0.5):.1e}"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    global CLOCK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="16-state game instead of 64 (CI-sized)")
    ap.add_argument("--repeat", type=int, default=None, help="timed repetitions (default 3, quick 1)")
    ap.add_argument("--wall", action="store_true", help="wall-clock instead of process CPU time")
    args = ap.parse_args(argv)
    if args.wall:
        CLOCK = time.perf_counter
    repeat = args.repeat or (1 if args.quick else 3)
    states = 16 if args.quick else 64
    clock = "wall" if args.wall else "process CPU"

    rows, facts = bench_general_sum(states, repeat)
    t1 = _table(["solver", "median s", "runs s", "certificate", "cert (sgamesolver's check)", "path steps",
                 "time / ours"], rows)
    t2 = _table(["zero-sum", "median ms", "sweeps", "error bound", "|value - 1/2|"], bench_shapley(repeat))
    head = (f"# activeq.nash.stochastic vs sgamesolver\n\n"
            f"{platform.platform()}, python {platform.python_version()}, numpy {np.__version__}; {clock} time, "
            f"median of {repeat}; single-threaded BLAS.\n\n"
            f"## General-sum: `SGame.random_game({states}, 2, 4, seed=42)` (discount 0.95), same arrays for both\n\n")
    note = ("\n\ncertificate = max over states and players of the one-shot deviation gain against the profile's own "
            "exact values (0 for an exact Markov perfect equilibrium).")
    if "strat_diff" in facts:
        note += f" Max |strategy difference| between the two answers: {facts['strat_diff']:.1e}."
    text = head + t1 + note + "\n\n## Zero-sum (scale only)\n\n" + t2 + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("nash_stochastic_quick.md" if args.quick else "nash_stochastic.md")
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
