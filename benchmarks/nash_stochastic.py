"""Speed of activeq.nash.stochastic against sgamesolver, one run, same games, medians and ratios.

1. general-sum stationary equilibrium of sgamesolver's own random game ``SGame.random_game(64, 2, 4, seed=42)``
   (64 states, 2 players, 4 actions, discount 0.95; its payoff array ``u`` and transition array ``phi`` are passed to
   activeq unchanged): activeq ``stationary(sg)`` (logit homotopy + support polish, certificate computed exactly)
   vs sgamesolver ``homotopy.QRE`` (cython build) run to its default convergence. Both results are scored by the
   same exact one-shot-deviation certificate (sgamesolver's own ``check_equilibrium``; activeq's agrees);
2. with ``--quick``: a 16-state game of the same kind instead.
3. zero-sum: ``shapley`` vs OpenSpiel's ``value_iteration`` (which handles simultaneous-move nodes with an LP per
   state and sweep) on the Big Match (g = 0.9, 0.99) and a random 5-state 3x3 game, the game handed to OpenSpiel as
   a python pyspiel game whose chance node ends play with probability 1 - g.
4. with ``--scaling``: how the cost grows with the state count: ``stationary`` on ``SGame.random_game(S, 2, A,
   seed=42)`` for S in 64, 256, 1024 and A in 2, 4 (discount 0.95), sgamesolver's ``homotopy.QRE`` on the same
   games in a child process with a CPU-time limit (``--limit``, default 600 s; "did not finish" otherwise). Rows are
   checkpointed to ``benchmarks/results/nash_stochastic_scaling.json`` and a rerun skips finished ones; the table
   goes to ``benchmarks/results/nash_stochastic_scaling.md`` with the fitted growth exponent of our time in S.

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


def _random_arrays(states: int, actions: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray, float, Any]:
    sgs = _import_sgamesolver()
    if sgs is not None:
        game = sgs.SGame.random_game(states, 2, actions, seed=seed)
        return game.u, game.phi, float(game.delta[0]), game
    rng = np.random.default_rng(seed)
    u = rng.random((states, 2, actions, actions))
    phi = rng.exponential(size=(states, actions, actions, states))
    phi /= phi.sum(axis=-1, keepdims=True)
    return u, phi, 0.95, None


def _sgs_child(states: int, actions: int, limit: float, queue: Any) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (int(limit), int(limit) + 5))
    sgs = _import_sgamesolver()
    game = sgs.SGame.random_game(states, 2, actions, seed=42)
    t0 = time.process_time()
    h = sgs.homotopy.QRE(game)
    h.solver_setup()
    h.solver.verbose = 0
    h.solve()
    dt = time.process_time() - t0
    cert = float("nan") if h.equilibrium is None else float(np.abs(game.check_equilibrium(
        np.asarray(h.equilibrium.strategies))).max())
    queue.put((dt, cert))


def bench_scaling(limit: float, state_counts: Sequence[int], action_counts: Sequence[int] = (2, 4)) -> str:
    """Our stationary solver (and sgamesolver where it finishes) on 2-player random games of growing size."""
    import json
    import multiprocessing as mp

    from activeq.games import StochasticGame
    from activeq.nash.stochastic import stationary

    ckpt = RESULTS / "nash_stochastic_scaling.json"
    done: dict[str, Any] = json.loads(ckpt.read_text()) if ckpt.exists() else {}
    for actions in action_counts:
        for states in state_counts:
            key = f"{states}x{actions}"
            if key in done:
                continue
            u, phi, delta, game = _random_arrays(states, actions)
            sg = StochasticGame(u, phi, discount=delta)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = CLOCK()
                eq = stationary(sg)
                t_ours = CLOCK() - t0
            row = {"ours_s": t_ours, "cert": float(eq.certificate), "converged": bool(eq.converged),
                   "steps": int(eq.info["steps"]), "sgs_s": None, "sgs_cert": None}
            if game is not None:
                ctx = mp.get_context("fork")
                q = ctx.Queue()
                proc = ctx.Process(target=_sgs_child, args=(states, actions, limit, q))
                proc.start()
                # the child is stopped by its CPU-time limit (SIGXCPU): poll until it reports or dies
                while True:
                    try:
                        row["sgs_s"], row["sgs_cert"] = q.get(timeout=5.0)
                        break
                    except Exception:  # noqa: BLE001 - nothing yet
                        if not proc.is_alive():
                            break
                if proc.is_alive():
                    proc.kill()
                proc.join()
            done[key] = row
            ckpt.write_text(json.dumps(done, indent=1))
            print(key, row, flush=True)
    rows = []
    for actions in (2, 4):
        ss = [s for s in sorted(int(k.split("x")[0]) for k in done if k.endswith(f"x{actions}"))]
        for s in ss:
            r = done[f"{s}x{actions}"]
            sgs = "did not finish" if r["sgs_s"] is None else f"{r['sgs_s']:.1f}"
            ratio = "-" if r["sgs_s"] is None else f"{r['sgs_s'] / r['ours_s']:.1f}x"
            rows.append([f"{s}", f"{actions}", f"{r['ours_s']:.2f}", f"{r['cert']:.1e}", str(r["converged"]),
                         str(r["steps"]), sgs, "-" if r["sgs_cert"] is None else f"{r['sgs_cert']:.1e}", ratio])
        if len(ss) >= 2:
            t = [done[f"{s}x{actions}"]["ours_s"] for s in ss]
            slope = float(np.polyfit(np.log(ss), np.log(t), 1)[0])
            rows.append(["growth", f"{actions}", f"time ~ S^{slope:.2f}", "", "", "", "", "", ""])
    table = _table(["states", "actions", "activeq s", "certificate", "converged", "path steps",
                    "sgamesolver s", "sgamesolver cert", "sgamesolver / ours"], rows)
    return table


def _openspiel_game(R0: np.ndarray, T: np.ndarray, gamma: float, name: str = "activeq_stochastic") -> Any:
    """W = (1 - gamma) V: from state s under (a, b), terminate w.p. 1 - gamma with return R0[s, a, b],
    else move to s' ~ T[s, a, b]. OpenSpiel's value_iteration then computes W at each state."""
    import pyspiel

    S, A, B = R0.shape
    gt = pyspiel.GameType(short_name=name, long_name=name, dynamics=pyspiel.GameType.Dynamics.SIMULTANEOUS,
                          chance_mode=pyspiel.GameType.ChanceMode.EXPLICIT_STOCHASTIC,
                          information=pyspiel.GameType.Information.PERFECT_INFORMATION,
                          utility=pyspiel.GameType.Utility.ZERO_SUM,
                          reward_model=pyspiel.GameType.RewardModel.TERMINAL, max_num_players=2, min_num_players=2,
                          provides_information_state_string=False, provides_information_state_tensor=False,
                          provides_observation_string=False, provides_observation_tensor=False,
                          parameter_specification={})
    lo, hi = float(R0.min()), float(R0.max())
    info = pyspiel.GameInfo(num_distinct_actions=max(A, B, S + 1), max_chance_outcomes=S + 1, num_players=2,
                            min_utility=lo, max_utility=hi, utility_sum=0.0, max_game_length=10 ** 6)

    class State(pyspiel.State):
        def __init__(self, game, s=0):
            super().__init__(game)
            self.s, self.joint, self.ret = s, None, None

        def current_player(self):
            if self.ret is not None:
                return pyspiel.PlayerId.TERMINAL
            return pyspiel.PlayerId.CHANCE if self.joint is not None else pyspiel.PlayerId.SIMULTANEOUS

        def _legal_actions(self, player):
            return list(range(A if player == 0 else B))

        def chance_outcomes(self):
            a, b = self.joint
            p = gamma * T[self.s, a, b]
            return [(t, float(p[t])) for t in range(S) if p[t] > 0] + [(S, 1.0 - gamma)]

        def _apply_action(self, outcome):
            if outcome == S:
                self.ret = float(R0[self.s][self.joint])
            else:
                self.s = outcome
            self.joint = None

        def _apply_actions(self, actions):
            self.joint = (actions[0], actions[1])

        def is_terminal(self):
            return self.ret is not None

        def returns(self):
            return [0.0, 0.0] if self.ret is None else [self.ret, -self.ret]

        def __str__(self):
            if self.ret is not None:
                return f"end {self.ret!r}"
            return f"s{self.s}" + ("" if self.joint is None else f" {self.joint}")

    class Game(pyspiel.Game):
        def __init__(self, params=None):
            super().__init__(gt, info, params or {})

        def new_initial_state(self):
            return State(self)

        def new_initial_states(self):
            return [State(self, s) for s in range(S)]

    return Game()


#: Stopping tolerance of both zero-sum solvers. OpenSpiel solves each stage game with cvxpy (ECOS), accurate to
#: ~1e-8, and its threshold is on (1 - g) V: below ~1e-7 (1 - g) its value iteration may never stop (at 1e-10 it ran
#: for an hour on the Big Match).
ZS_TOL = 1e-5


def bench_shapley(repeat: int) -> list[list[str]]:
    """Shapley iteration vs OpenSpiel's value iteration (an LP per state and sweep, cvxpy) on the same games."""
    from open_spiel.python.algorithms import value_iteration

    from activeq.games import StochasticGame
    from activeq.games.generators.zero_sum import big_match
    from activeq.nash.stochastic import shapley

    rng = np.random.default_rng(4)
    R = rng.random((5, 2, 3, 3))
    R[:, 1] = -R[:, 0]
    T = rng.exponential(size=(5, 3, 3, 5))
    T /= T.sum(axis=-1, keepdims=True)
    games = [("Big Match g=0.9", big_match(discount=0.9)), ("Big Match g=0.99", big_match(discount=0.99)),
             ("random 5 states 3x3 g=0.9", StochasticGame(R, T, discount=0.9))]
    rows = []
    for label, sg in games:
        g = sg.discount
        t, _, res = _timed(lambda: shapley(sg, tol=ZS_TOL), repeat)
        exact = shapley(sg, tol=1e-13).values
        os_game = _openspiel_game(sg.rewards[:, 0], sg.transitions, g)
        t_os, _, vals = _timed(lambda: value_iteration.value_iteration(os_game, -1, ZS_TOL * (1 - g),
                                                                     cyclic_game=True), 1)
        v_os = np.array([vals.get(f"s{k}", np.nan) for k in range(sg.num_states)]) / (1 - g)
        err_os = float(np.nanmax(np.abs(v_os - exact)))
        rows.append([label, f"{t * 1e3:.1f}", f"{res.iterations}", f"{float(np.abs(res.values - exact).max()):.1e}",
                     f"{t_os * 1e3:.0f}", f"{err_os:.1e}", f"{t_os / t:.0f}x"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    global CLOCK
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="16-state game instead of 64 (CI-sized)")
    ap.add_argument("--repeat", type=int, default=None, help="timed repetitions (default 3, quick 1)")
    ap.add_argument("--wall", action="store_true", help="wall-clock instead of process CPU time")
    ap.add_argument("--scaling", action="store_true", help="only the 64/256/1024-state scaling table")
    ap.add_argument("--limit", type=float, default=600.0, help="CPU seconds for each sgamesolver run (--scaling)")
    ap.add_argument("--states", type=int, nargs="+", default=[64, 256, 1024], help="state counts (--scaling)")
    ap.add_argument("--actions", type=int, nargs="+", default=[2, 4], help="actions per player (--scaling)")
    args = ap.parse_args(argv)
    if args.wall:
        CLOCK = time.perf_counter
    if args.scaling:
        RESULTS.mkdir(exist_ok=True)
        load = os.getloadavg()
        table = bench_scaling(args.limit, args.states, args.actions)
        text = (f"# Stationary equilibria at scale: activeq vs sgamesolver\n\n"
                f"`.venv/bin/python benchmarks/nash_stochastic.py --scaling --limit {args.limit:g} [--states S ...] "
                f"[--actions A ...]` (rows checkpointed in nash_stochastic_scaling.json; each run adds the missing ones; "
                f"this run: states {' '.join(map(str, args.states))}, actions {' '.join(map(str, args.actions))}) on "
                f"{platform.platform()}, python {platform.python_version()}, numpy {np.__version__}; process CPU "
                f"time, one run each, single-threaded BLAS; load average at start {load[0]:.1f} (2 cores, shared)."
                f"\n\nGames: `sgamesolver.SGame.random_game(S, 2, A, seed=42)` (discount 0.95), the same arrays for "
                f"both. certificate = largest one-shot deviation gain at the returned profile (exact values). "
                f"sgamesolver runs in a child process with a {args.limit:g} s CPU limit.\n\n" + table + "\n")
        (RESULTS / "nash_stochastic_scaling.md").write_text(text)
        print(text)
        return 0
    repeat = args.repeat or (1 if args.quick else 3)
    states = 16 if args.quick else 64
    clock = "wall" if args.wall else "process CPU"

    rows, facts = bench_general_sum(states, repeat)
    t1 = _table(["solver", "median s", "runs s", "certificate", "cert (sgamesolver's check)", "path steps",
                 "time / ours"], rows)
    t2 = _table(["zero-sum", "shapley ms", "sweeps", "shapley |V - V*|", "openspiel VI ms", "openspiel |V - V*|",
                 "openspiel / shapley"], bench_shapley(repeat))
    head = (f"# activeq.nash.stochastic vs sgamesolver\n\n"
            f"{platform.platform()}, python {platform.python_version()}, numpy {np.__version__}; {clock} time, "
            f"median of {repeat}; single-threaded BLAS.\n\n"
            f"## General-sum: `SGame.random_game({states}, 2, 4, seed=42)` (discount 0.95), same arrays for both\n\n")
    note = ("\n\ncertificate = max over states and players of the one-shot deviation gain against the profile's own "
            "exact values (0 for an exact Markov perfect equilibrium).")
    if "strat_diff" in facts:
        note += f" Max |strategy difference| between the two answers: {facts['strat_diff']:.1e}."
    text = (head + t1 + note + "\n\n## Zero-sum: Shapley iteration vs OpenSpiel value iteration\n\n"
            "OpenSpiel's `value_iteration` solves a cvxpy LP per state per sweep; the game is handed to it as a python "
            "pyspiel game (simultaneous moves; a chance node ends the game w.p. 1 - g with the stage reward as return, "
            f"so its values are (1 - g) V). Both stop when a sweep changes V by less than {ZS_TOL:g} (OpenSpiel: its "
            f"threshold {ZS_TOL:g} (1 - g); its cvxpy/ECOS stage LPs are accurate to ~1e-8, so at 1e-10 it ran "
            "for an hour without stopping); V* = Shapley at tol 1e-13. OpenSpiel timed once.\n\n" + t2 + "\n")
    print(text)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("nash_stochastic_quick.md" if args.quick else "nash_stochastic.md")
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
