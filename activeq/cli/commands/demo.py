"""``activeq demo``: the library's main job on built-in defaults.

1. the catalog; 2. every equilibrium of the catalog's normal-form games (certified by their regret);
3. the zero-sum stochastic game's value by Shapley iteration; 4. active vs Nash on the reference 2x2 games, with figures.
Everything printed is also written to ``--out`` (default ``results/demo``) as JSON/CSV/PNG.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from ..output import add_json_flag, print_json, table


# The 2x2 games of the reference results (DESIGN.md); the other catalog 2x2 games: `activeq compare GAME`.
ACTIVE_GAMES = ("bach_or_stravinsky", "cooperative", "matching_pennies", "prisoners_dilemma_shaping")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the catalog demo: equilibria, stochastic values, active vs Nash")
    p.add_argument("--out", default="results/demo", help="directory for the JSON/CSV/PNG results")
    p.add_argument("--skip-active", action="store_true", help="skip the active-vs-Nash comparison (the slow part)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--seed", type=int, default=0, help="seed of the active-vs-Nash simulations and searches")
    p.add_argument("--active-games", default=",".join(ACTIVE_GAMES),
                   help="comma-separated 2x2 catalog games for the active-vs-Nash section (default: the reference "
                        "games)")
    add_json_flag(p)
    p.set_defaults(func=run)


def _num(v: float) -> str:
    """Round-off-free display: |v| < 1e-12 prints as 0."""
    return f"{0.0 if abs(v) < 1e-12 else v:.3g}"


def _section(title: str, quiet_json: bool) -> None:
    if not quiet_json:
        print(f"\n== {title} " + "=" * max(0, 72 - len(title)))


def run(args: argparse.Namespace) -> int:
    from ... import list_games, load_game
    from ...nash import solve
    from ...nash.stochastic import shapley

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    js = bool(args.json)

    entries = list_games()
    report["catalog"] = [{"name": e.name, "title": e.title, "kind": e.kind, "players": len(e.players)} for e in entries]
    _section("catalog", js)
    if not js:
        print(table(["name", "kind", "players", "title"],
                    [[e.name, e.kind, len(e.players), e.title] for e in entries]))

    _section("Nash equilibria of the normal-form games (certified: max regret <= tol x payoff scale)", js)
    eq_rows, eq_json = [], {}
    for e in entries:
        if e.kind != "normal_form":
            continue
        game = load_game(e.name)
        t0 = time.perf_counter()
        eqs = solve(game)
        dt = time.perf_counter() - t0
        eq_json[e.name] = {"seconds": dt, "method": eqs.method, "tol": eqs.tol, "complete": eqs.complete,
                           "equilibria": [q.to_dict() for q in eqs]}
        for k, q in enumerate(eqs):
            strat = "  ".join("(" + ", ".join(_num(p) for p in s) + ")" for s in q.strategies)
            what = "all extreme" if eqs.complete else "not exhaustive"
            eq_rows.append([e.name if k == 0 else "", strat, ", ".join(_num(v) for v in q.payoffs),
                            f"{q.max_regret:.1e}", f"<= {q.tol:g}" if q.converged else "NO", q.method,
                            what if k == 0 else ""])
    report["nash"] = eq_json
    if not js:
        print(table(["game", "strategies", "payoffs", "max_regret", "certified", "method", "listed"], eq_rows))

    _section("zero-sum stochastic games: Shapley value iteration", js)
    sg_json = {}
    for e in entries:
        if e.kind != "stochastic":
            continue
        game = load_game(e.name)
        if game.num_players != 2 or not game.is_zero_sum or game.discount is None:
            continue
        res = shapley(game)
        normalised = (1.0 - game.discount) * res.values  # per-step value, comparable across discounts
        sg_json[e.name] = {"values": res.values.tolist(), "normalised_values": normalised.tolist(),
                           "discount": game.discount, "error_bound": float(res.error_bound)}
        if not js:
            print(f"{e.name} (discount {game.discount:g}): state values ({', '.join(_num(v) for v in res.values)}), "
                  f"per step (1-discount)*V = ({', '.join(_num(v) for v in normalised)}) "
                  f"(error bound {res.error_bound:.1e}, {res.iterations} iterations)")
    report["shapley"] = sg_json

    if not args.skip_active:
        from ...active import demo_comparison

        _section("active equilibria vs Nash on the 2x2 games (each row: what was computed, who plays, converged?)",
                 js)
        games = [g.strip() for g in args.active_games.split(",") if g.strip()]
        text = demo_comparison(out, progress=not (args.quiet or js), games=games, seed=args.seed)
        report["active"] = {"table": text, "figures": sorted(p.name for p in out.glob("*.png"))}
        if not js:
            print(text)

    (out / "demo.json").write_text(json.dumps(report, indent=2, default=float))
    if js:
        print_json(report)
    else:
        print(f"\nresults written to {out}/")
    return 0
