"""Speed of ``stationary_distribution`` and ``mixing_time`` on sparse chains with ~1e5 states, against baselines.

Chains (all built in this process):

* ``rooms-goal``: 16 bottleneck rooms of side ``L`` (L = 79: 99,856 cells), the goal-seeking policy of task 0
  (move along a shortest path to room 0's goal, 5% slip): not doubly stochastic, a stationary law concentrated
  near the goal, a mixing time of a few hundred steps;
* ``random-sparse``: 1e5 states, 4 random successors per state plus a Hamiltonian cycle (irreducible), an
  expander-like chain whose sparse LU fills in (``stationary_distribution`` takes its power-iteration path);
* ``hypercube-17``: lazy walk on {0,1}^17 (131,072 states), vertex-transitive so one start is exact.

Baselines, same chains in the same run: ``scipy.sparse.linalg.eigs(P.T, k=1)`` (ARPACK) for the stationary law at
full size, and at small size (``n`` about 500-2000, where they fit) a dense eigen-decomposition
(``numpy.linalg.eig``) and a naive "step a dense ``P^t`` from every start" mixing time against our binary lifting.
CPU time (``time.process_time``, single-threaded BLAS), median over ``--repeat`` runs.
Run: ``.venv/bin/python benchmarks/avgreward_chains.py [--quick]``; writes
``benchmarks/results/avgreward_chains.md`` (``avgreward_chains_quick.md`` with ``--quick``).
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
import scipy.sparse as sp  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()
        out = fn()
        times.append(time.process_time() - t0)
    return statistics.median(times), out


def goal_chain(rooms: int, length: int, slip: float = 0.05) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Chain of the shortest-path-to-goal-0 policy in bottleneck rooms; returns (P, reward at goal, far starts)."""
    import scipy.sparse.csgraph as csgraph

    from activeq.games.generators.scalable import RoomsLayout

    lay = RoomsLayout(rooms, length, slip)
    C = lay.n_cells
    G = sp.csr_matrix((np.ones(C * 4), (np.repeat(np.arange(C), 4), lay.next_cell.ravel())), shape=(C, C))
    dist = csgraph.shortest_path(G.T, unweighted=True, indices=int(lay.goals[0]))  # distance to the goal
    action = np.argmin(dist[lay.next_cell], axis=1)
    T = lay.cell_transitions
    P = sp.csr_matrix(T[np.arange(C) * 4 + action])
    r = np.zeros(C)
    r[lay.goals[0]] = 1.0
    far = np.argsort(dist)[-8:]
    return P, r, far


def random_sparse(n: int, seed: int = 0) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), 5)
    cols = rng.integers(0, n, 5 * n)
    cols[::5] = (np.arange(n) + 1) % n
    P = sp.csr_matrix((rng.random(5 * n) + 0.05, (rows, cols)), shape=(n, n))
    return sp.csr_matrix(sp.diags(1.0 / np.asarray(P.sum(axis=1)).ravel()) @ P)


def eigs_stationary(P: sp.csr_matrix) -> np.ndarray | None:
    import scipy.sparse.linalg as spla

    try:
        w, v = spla.eigs(P.T.tocsc(), k=1, which="LM", tol=1e-12, maxiter=5000)
    except spla.ArpackNoConvergence:
        return None
    pi = np.abs(np.real(v[:, 0]))
    return pi / pi.sum()


def naive_dense_mixing(P: np.ndarray, eps: float = 0.25) -> int:
    """Step P^t densely from every start until max TV <= eps (the straightforward way)."""
    w, v = np.linalg.eig(P.T)
    pi = np.abs(np.real(v[:, np.argmin(np.abs(w - 1))]))
    pi /= pi.sum()
    Pt, t = np.eye(P.shape[0]), 0
    while 0.5 * np.abs(Pt - pi).sum(axis=1).max() > eps:
        Pt = Pt @ P
        t += 1
    return t


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: ~1e4 states")
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    from activeq.avgreward import mixing_time, stationary_distribution
    from activeq.games.generators.scalable import hypercube

    quick = args.quick
    repeat = args.repeat or (1 if not quick else 1)
    L = 25 if quick else 79
    n_rand = 10_000 if quick else 100_000
    d_cube = 13 if quick else 17
    rows: list[tuple[str, str, int, str, float, str]] = []

    def add(task: str, chain: str, n: int, method: str, secs: float, note: str = "") -> None:
        rows.append((task, chain, n, method, secs, note))
        print(f"{task:<11} {chain:<15} {n:>7} {method:<34} {secs:9.3f} s  {note}", flush=True)

    P, r, far = goal_chain(16, L)
    Q = random_sparse(n_rand)
    H = hypercube(d_cube)
    # --- stationary distributions at full size
    for name, M in (("rooms-goal", P), ("random-sparse", Q)):
        secs, pi = _time(lambda: stationary_distribution(M), repeat)
        add("stationary", name, M.shape[0], "activeq stationary_distribution", secs,
            f"residual L1(pi P - pi) = {np.abs(pi @ M - pi).sum():.1e}")
        ours = secs
        secs, pe = _time(lambda: eigs_stationary(M), 1)
        note = "no convergence (maxiter 5000)" if pe is None else \
            f"max abs diff vs activeq {np.abs(pe - pi).max():.1e}, ratio {secs / max(ours, 1e-9):.1f}x"
        add("stationary", name, M.shape[0], "scipy eigs(P.T, k=1)", secs, note)
    # --- mixing times at full size
    secs, m = _time(lambda: mixing_time(P, 0.25, starts=far, dense_limit=1), repeat)
    add("mixing tv", "rooms-goal", P.shape[0], "activeq mixing_time, 8 far starts", secs, f"t_mix = {m.t}")
    gain = float(stationary_distribution(P) @ r)
    secs, m = _time(lambda: mixing_time(P, 0.1 * gain, "return", r), repeat)
    add("mixing ret", "rooms-goal", P.shape[0], "activeq return mixing, every start", secs,
        f"t_ret(0.1 g) = {m.t}")
    secs, m = _time(lambda: mixing_time(Q, 0.25, starts=np.arange(64), dense_limit=1), repeat)
    add("mixing tv", "random-sparse", Q.shape[0], "activeq mixing_time, 64 starts", secs, f"t_mix = {m.t}")
    secs, m = _time(lambda: mixing_time(H, 0.25, starts=[0], dense_limit=1), repeat)
    add("mixing tv", f"hypercube-{d_cube}", H.shape[0], "activeq mixing_time, exact (transitive)", secs,
        f"t_mix = {m.t}")
    # --- small sizes: dense baselines from every start
    Ps, _, _ = goal_chain(4, 7 if quick else 11)
    Pd = Ps.toarray()
    n_s = Pd.shape[0]
    secs_a, pi_a = _time(lambda: stationary_distribution(Ps), 3)
    add("stationary", "rooms-goal", n_s, "activeq stationary_distribution", secs_a)
    secs_b, _ = _time(lambda: np.linalg.eig(Pd.T), 1)
    add("stationary", "rooms-goal", n_s, "numpy dense eig", secs_b, f"ratio {secs_b / max(secs_a, 1e-9):.0f}x")
    secs_a, ma = _time(lambda: mixing_time(Ps, 0.25), 1)
    add("mixing tv", "rooms-goal", n_s, "activeq binary lifting, every start", secs_a, f"t_mix = {ma.t}")
    secs_b, tb = _time(lambda: naive_dense_mixing(Pd), 1)
    add("mixing tv", "rooms-goal", n_s, "naive dense P^t stepping, every start", secs_b,
        f"t_mix = {tb}, ratio {secs_b / max(secs_a, 1e-9):.1f}x")
    assert tb == ma.t, (tb, ma.t)

    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / ("avgreward_chains_quick.md" if quick else "avgreward_chains.md")
    lines = [f"# avgreward chains benchmark{' (quick)' if quick else ''}", "",
             f"{platform.platform()}, Python {platform.python_version()}, CPU seconds (process_time), "
             f"median of {repeat}", "",
             "| task | chain | states | method | CPU s | note |", "|---|---|---:|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e:.3f} | {f} |" for a, b, c, d, e, f in rows]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
