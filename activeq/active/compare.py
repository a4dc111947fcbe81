"""Active equilibria vs Nash, one table per game.

:func:`compare` lists every Nash equilibrium of the stage game (from :func:`activeq.nash.solve`) with its payoffs,
then, for each named opponent learner, the active best response of the row agent against it (exact for finite-state
opponents, else searched and simulated with error bars), what baseline learners (naive, LOLA, ...) earn against the
same opponent, and the active equilibrium reached by alternating best responses (finite-state opponents).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .._checks import check_choice, check_positive_int, show
from ..errors import ArgumentError, ArgumentTypeError, CatalogError
from ..games import IteratedGame, NormalFormGame, StochasticGame, load_game
from .best_response import active_best_response
from .equilibrium import active_equilibrium
from .learners import (LOLA, FixedPolicy, NaiveLearner, QPersona, SampledNaiveLearner, TitForTat,
                       WindowedFictitiousPlay, WinStayLoseShift)
from .markov_game import ActiveMarkovGame
from .objective import active_average_reward


def _uniform(game: StochasticGame, seat: int) -> FixedPolicy:
    k = game.num_actions[seat]
    return FixedPolicy(np.full(k, 1.0 / k), name="uniform")


def _q_persona(game: StochasticGame, seat: int) -> QPersona:
    k = game.num_actions[seat]
    return QPersona(initial_q=(10.0, 20.0) if k == 2 else tuple(10.0 * (a + 1) for a in range(k)))


LEARNERS: dict[str, Callable[[StochasticGame, int], Any]] = {
    "naive": lambda g, i: NaiveLearner(),
    "naive_sampled": lambda g, i: SampledNaiveLearner(),
    "lola": lambda g, i: LOLA(),
    "q_persona": _q_persona,
    "fictitious_play": lambda g, i: WindowedFictitiousPlay(window=2),
    "tit_for_tat": lambda g, i: TitForTat(),
    "win_stay_lose_shift": lambda g, i: WinStayLoseShift(),
    "uniform": _uniform,
}
"""Named learners for :func:`compare` and the CLI: name -> factory(game, seat)."""

DEFAULT_OPPONENTS = ("q_persona", "naive", "fictitious_play", "tit_for_tat")
DEFAULT_BASELINES = ("naive", "lola")


def make_learner(name: str, game: StochasticGame, seat: int) -> Any:
    """A learner from :data:`LEARNERS` by name, sized for ``game``'s seat ``seat``."""
    if name not in LEARNERS:
        raise ArgumentError(f"unknown learner {name!r}; known: {', '.join(sorted(LEARNERS))}")
    return LEARNERS[name](game, seat)


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the table: what was computed, who plays in the profile it reports, and whether it converged.

    ``kind``: ``nash`` (a certified Nash equilibrium of the stage game), ``active_br`` (the row agent's active best
    response to ``opponent``), ``learning`` (a baseline learner against ``opponent``), ``active_eq`` (alternating
    active best responses started from the active BR against ``opponent``). ``label``: what was computed, in words.
    ``opponent``: the named opponent learner the computation started from (``-`` for Nash rows).
    ``agents``: who plays in the reported profile, per seat (for ``active_eq`` the *final* profile: a learner that
    was replaced by its own active best response says so). ``payoffs``/``stderr``: per agent. ``converged``: True
    (a certified equilibrium, an estimate whose two halves agree, or active best responses that stopped improving),
    False (not converged: for ``active_eq`` the payoffs are those of the last profile, *not* an equilibrium), None
    (exact computation, nothing to converge). ``method``, ``note``: details.
    """

    kind: str
    label: str
    opponent: str
    payoffs: tuple[float, ...]
    stderr: tuple[float, ...]
    method: str
    note: str = ""
    agents: tuple[str, ...] = ()
    converged: bool | None = None

    @property
    def status(self) -> str:
        """``yes`` / ``no`` / ``exact``, or ``certified`` for a Nash equilibrium."""
        if self.converged is None:
            return "exact"
        return ("certified" if self.kind == "nash" else "yes") if self.converged else "no"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "opponent": self.opponent, "agents": list(self.agents),
                "payoffs": list(self.payoffs), "stderr": list(self.stderr), "converged": self.converged,
                "status": self.status, "method": self.method, "note": self.note}


@dataclass(frozen=True, eq=False)
class Comparison:
    """Result of :func:`compare` for one game: rows plus the Nash equilibria and settings (JSON-ready)."""

    game: str
    players: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    nash: tuple[Any, ...] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    #: opponent name -> the game played by the active best response against it (for figures; not in to_dict)
    active: dict[str, ActiveMarkovGame] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"game": self.game, "players": list(self.players), "rows": [r.to_dict() for r in self.rows],
                "nash": [e.to_dict() for e in self.nash], "settings": self.settings}

    def rows_of(self, kind: str) -> list[ComparisonRow]:
        return [r for r in self.rows if r.kind == kind]

    def table(self) -> str:
        """Aligned text table: what was computed, who plays (per seat), each payoff (± stderr), converged, method.

        A stopped, unconverged alternation of active best responses is not an equilibrium: its payoffs are left out
        of the payoff columns (the note gives the last profile's).
        """
        headers = ["computed"] + [f"{p} plays" for p in self.players] + [f"{p} payoff" for p in self.players]
        headers += ["converged", "method", "note"]
        body = []
        for r in self.rows:
            if r.kind == "active_eq" and r.converged is False:
                pays = ["-"] * len(r.payoffs)
            else:
                pays = [f"{v:.3f}" + (f" ± {e:.3f}" if e > 0 else "") for v, e in zip(r.payoffs, r.stderr)]
            body.append([r.label] + list(r.agents) + pays + [r.status, r.method, r.note])
        return f"== {self.game} ==\n" + _aligned(headers, body)

    def to_frame(self):
        """A pandas DataFrame, one row per table row (pandas is optional; ArgumentError without it)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas ships with the test extra
            raise ArgumentError("to_frame needs pandas (an optional dependency): pip install pandas") from None
        out = []
        for r in self.rows:
            row: dict[str, Any] = {"game": self.game, "kind": r.kind, "computed": r.label, "opponent": r.opponent}
            row |= {f"{p} plays": a for p, a in zip(self.players, r.agents)}
            row |= {f"payoff[{p}]": v for p, v in zip(self.players, r.payoffs)}
            row |= {f"stderr[{p}]": e for p, e in zip(self.players, r.stderr)}
            row |= {"converged": r.converged, "status": r.status, "method": r.method, "note": r.note}
            out.append(row)
        return pd.DataFrame(out)


def _aligned(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(h)] + [len(r[k]) for r in rows]) for k, h in enumerate(headers)]
    fmt = lambda row: "  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def _final_agents(eq: Any, agent: int, opponent: str) -> tuple[str, ...]:
    """Who plays in an alternation's final profile: the opponent, or the active BR that replaced it (and when)."""
    last_switch: dict[int, int] = {}
    for step in eq.history:
        if step["switched"]:
            last_switch[step["agent"]] = step["round"]
    names = []
    for seat in range(len(eq.profile)):
        if seat == agent:
            names.append("active BR" + (f" (re-optimised, round {last_switch[seat]})" if seat in last_switch else ""))
        elif seat in last_switch:
            names.append(f"active BR (replaced {opponent}, round {last_switch[seat]})")
        else:
            names.append(opponent)
    return tuple(names)


def _as_game(game: Any) -> tuple[str, NormalFormGame | None, StochasticGame]:
    if isinstance(game, str):
        try:
            game = load_game(game)
        except CatalogError as exc:
            raise CatalogError(f"game: {exc}") from None
    if isinstance(game, IteratedGame):
        return game.name or "iterated game", game.stage, game
    if isinstance(game, NormalFormGame):
        return game.name or "game", game, IteratedGame(game, memory=1)
    if isinstance(game, StochasticGame):
        return game.name or "stochastic game", None, game
    raise ArgumentTypeError(f"game must be a catalog name, NormalFormGame, IteratedGame or StochasticGame, "
                            f"got {type(game).__name__}")


def _fmt_strategy(s: np.ndarray) -> str:
    return "[" + ",".join(f"{p:.3g}" for p in s) + "]"


def compare(game: Any, opponents: Sequence[str] = DEFAULT_OPPONENTS, *, baselines: Sequence[str] = DEFAULT_BASELINES,
            agent: int = 0, equilibrium: bool = True, steps: int = 1500, chains: int = 8,
            search: dict[str, Any] | None = None, seed: int = 0, progress: bool = False) -> Comparison:
    """Nash equilibria of the stage game vs active best responses / equilibria and learning outcomes.

    ``opponents``: learner names (see :data:`LEARNERS`) seated as the agent other than ``agent``; ``baselines``:
    learners seated as ``agent`` against each opponent (their achieved average rewards); ``steps``/``chains``:
    simulation size for non-finite processes; ``search``: options for :func:`active_best_response` (search and gradient settings).
    Two-player games only.
    """
    name, stage, sg = _as_game(game)
    if sg.num_players != 2:
        raise ArgumentError(f"compare handles 2-player games, {name!r} has {sg.num_players} players")
    agent = check_choice(agent, "agent", (0, 1))
    steps = check_positive_int(steps, "steps", minimum=10)
    chains = check_positive_int(chains, "chains", minimum=2)
    for field, names in (("opponents", opponents), ("baselines", baselines)):
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            raise ArgumentError(f"{field} must be a list of learner names, got {show(names)}")
        for o in names:
            if not isinstance(o, str) or o not in LEARNERS:
                raise ArgumentError(f"{field}: unknown learner {show(o)}; known: {', '.join(sorted(LEARNERS))}")
    if search is not None and (not isinstance(search, dict) or not all(isinstance(k, str) for k in search)):
        raise ArgumentError(f"search must be a dict of active_best_response options (or None), got {show(search)}")
    other = 1 - agent
    search = dict(population=16, generations=3, chains=2, steps=400, eval_chains=8, restarts=8, iterations=20) | \
        dict(search or {})
    rows: list[ComparisonRow] = []
    active: dict[str, ActiveMarkovGame] = {}
    nash_eqs: tuple[Any, ...] = ()
    if stage is not None:
        from .. import nash
        nash_eqs = tuple(nash.solve(stage))
        for eq in nash_eqs:
            rows.append(ComparisonRow("nash", f"Nash equilibrium ({'pure' if eq.is_pure else 'mixed'})", "-",
                                      tuple(float(v) for v in eq.payoffs), (0.0, 0.0), eq.method,
                                      f"max regret {eq.max_regret:.1g}",
                                      tuple(_fmt_strategy(s) for s in eq.strategies), True))
    work = [(o, b) for o in opponents for b in ["__br__"] + list(baselines)]
    it = work
    if progress:
        from .._progress import progress_bar as tqdm
        it = tqdm(work, desc=f"compare {name}", leave=False)
    for k, (opp, who) in enumerate(it):
        seats: list[Any] = [None, None]
        seats[other] = make_learner(opp, sg, other)
        if who == "__br__":
            seats[agent] = _uniform(sg, agent)
            amg = ActiveMarkovGame(sg, seats)
            br = active_best_response(amg, agent, "inf", seed=seed + k, **search)
            active[opp] = amg.replace(agent, br.learner)
            stderr = tuple(float(e) for e in br.evaluation.stderr)
            exact = br.method.startswith("exact")
            agents = tuple("active BR" if seat == agent else opp for seat in range(2))
            rows.append(ComparisonRow("active_br", f"active BR ({agent_label(agent)}) vs {opp}", opp,
                                      tuple(float(v) for v in br.values), stderr, br.method,
                                      "" if exact or br.evaluation.converged else "value estimate still moving",
                                      agents, None if exact else bool(br.evaluation.converged)))
            if equilibrium and amg.finite:
                # non-convergence is the row's own label ("NOT an equilibrium"), so no warning
                eq = active_equilibrium(amg.replace(agent, br.learner), max_rounds=6, seed=seed + k, warn=False,
                                        **search)
                values = tuple(float(v) for v in eq.values)
                if eq.converged:
                    label = f"active equilibrium from BR vs {opp}"
                    note = f"max gain {eq.max_improvement:.2g} after {eq.rounds} round(s)"
                else:
                    label = f"alternating BRs from BR vs {opp}: NOT an equilibrium"
                    note = (f"stopped after {eq.rounds} rounds; last profile earns "
                            f"{' / '.join(f'{v:.3f}' for v in values)}")
                rows.append(ComparisonRow("active_eq", label, opp, values, tuple(float(e) for e in eq.stderr),
                                          "exact", note, _final_agents(eq, agent, opp), bool(eq.converged)))
        else:
            seats[agent] = make_learner(who, sg, agent)
            amg = ActiveMarkovGame(sg, seats)
            ev = active_average_reward(amg, steps=steps, chains=chains, seed=seed + k)
            exact = ev.method.startswith("exact")
            agents = tuple(who if seat == agent else opp for seat in range(2))
            rows.append(ComparisonRow("learning", f"{who} learner vs {opp}", opp, tuple(float(v) for v in ev.values),
                                      tuple(float(e) for e in ev.stderr), ev.method,
                                      "" if exact or ev.converged else "average reward still moving", agents,
                                      None if exact else bool(ev.converged)))
    return Comparison(name, tuple(sg.player_names), tuple(rows), nash_eqs,
                      {"opponents": list(opponents), "baselines": list(baselines), "agent": agent, "steps": steps,
                       "chains": chains, "seed": seed, "search": search}, active)


def agent_label(agent: int) -> str:
    return "row" if agent == 0 else "column"


def policy_trajectories(game: Any, learners: Sequence[Any], steps: int = 1000, seed: int = 0,
                        smooth: int = 25) -> np.ndarray:
    """Each agent's probability of its first action along one run, smoothed: ``(T, 2)`` for 2-player games.

    Memory-1 policies differ per state, so this is the empirical mixed strategy actually played (e.g. an alternating
    convention shows as 0.5), comparable with the stage game's mixed Nash profiles.

    The probability is the one played at the visited state; ``smooth`` is a moving-average window.
    """
    _, _, sg = _as_game(game)
    amg = ActiveMarkovGame(sg, learners)
    ro = amg.simulate(steps, batch=1, seed=seed, record_policies=True)
    traj = np.stack([ro.action_probs[i][:, 0, 0] for i in range(2)], axis=1)
    if smooth > 1 and steps > smooth:
        kernel = np.ones(smooth) / smooth
        traj = np.stack([np.convolve(traj[:, i], kernel, mode="valid") for i in range(2)], axis=1)
    return traj


DEMO_GAMES = ("bach_or_stravinsky", "prisoners_dilemma", "matching_pennies", "cooperative", "stag_hunt", "chicken",
              "coordination", "prisoners_dilemma_shaping")


def demo_comparison(out_dir: Any, progress: bool = True, games: Sequence[str] | None = None, seed: int = 0) -> str:
    """Run :func:`compare` on the catalog's 2x2 games, save the tables (JSON, text) and a trajectories figure.

    Sized for ``activeq demo`` (one to two minutes on two cores): opponents Q persona, naive learner, fictitious play
    and tit-for-tat; a naive learner as the baseline; small search and simulation budgets. The figure shows naive vs
    naive, the active best response vs the naive learner (the one each table reports) and naive vs the Q persona.
    Returns the tables' text.
    """
    import json
    from pathlib import Path

    from ..games import list_games

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if games is None:
        known = {e.name for e in list_games()}
        games = [g for g in DEMO_GAMES if g in known]
    texts, payload, active = [], [], {}
    it = list(enumerate(games))
    if progress:
        from .._progress import progress_bar

        it = progress_bar(it, desc="active vs Nash")
    for k, g in it:
        c = compare(g, baselines=("naive",), steps=400, chains=2, seed=seed + k, progress=False,
                    search=dict(population=8, generations=1, chains=1, steps=200, eval_chains=2, eval_steps=400,
                                restarts=4, iterations=8))
        texts.append(c.table())
        payload.append(c.to_dict())
        active |= {(g, opp): amg for opp, amg in c.active.items()}
    (out / "active_vs_nash.json").write_text(json.dumps(payload, indent=1))
    fig = trajectories_figure(list(games)[:4], steps=300, seed=seed, active=active)
    fig.savefig(out / "active_trajectories.png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = "\n\n".join(texts)
    (out / "active_vs_nash.txt").write_text(text + "\n")
    return text


#: (legend label, row learner, column learner); ``"active_br"`` is the row agent's active best response to the
#: column learner (computed, or taken from :attr:`Comparison.active`).
TRAJECTORY_PAIRS = (("naive vs naive", "naive", "naive"), ("active BR vs naive", "active_br", "naive"),
                    ("naive vs Q persona", "naive", "q_persona"))


def trajectories_figure(games: Sequence[Any] = DEMO_GAMES[:4], pairs: Sequence[tuple[str, str, str]] = TRAJECTORY_PAIRS,
                        runs: int = 1, steps: int = 400, seed: int = 0,
                        active: dict[tuple[str, str], ActiveMarkovGame] | None = None,
                        search: dict[str, Any] | None = None) -> Any:
    """One unit-square panel per 2x2 game: policy trajectories of learner pairs, Nash equilibria as stars.

    Naive/LOLA learners start from random logits (scale 1, per run seed) so runs start at different points. A pair
    whose row learner is ``"active_br"`` plays the active best response against the column learner: taken from
    ``active[(game name, column learner)]`` when given (e.g. ``Comparison.active``), else computed with ``search``
    (options of :func:`active_best_response`). One legend for the figure: a colour per pair, circle = start,
    square = end, star = Nash equilibrium.
    """
    import textwrap

    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from .. import nash
    from ..plot.trajectories import plot_trajectories

    games = list(games)
    fig, axes = plt.subplots(1, len(games), figsize=(3.5 * len(games), 4.3), squeeze=False)
    for ax, g in zip(axes[0], games):
        name, stage, sg = _as_game(g)
        if stage is None or stage.num_actions != (2, 2):
            raise ArgumentError(f"trajectories need 2x2 games, {name!r} is not one")
        data: dict[str, list[np.ndarray]] = {}
        for label, a, b in pairs:
            data[label] = []
            for r in range(runs):
                if a == "active_br":
                    amg = (active or {}).get((name, b))
                    if amg is None:
                        base = ActiveMarkovGame(sg, [_uniform(sg, 0), make_learner(b, sg, 1)])
                        br = active_best_response(base, 0, "inf", seed=seed, **(search or {}))
                        amg = base.replace(0, br.learner)
                        active = dict(active or {}) | {(name, b): amg}
                    seats = list(amg.learners)
                else:
                    seats = []
                    for seat, who in enumerate((a, b)):
                        lrn = make_learner(who, sg, seat)
                        if isinstance(lrn, NaiveLearner):  # LOLA too
                            lrn.init_scale = 1.0
                        seats.append(lrn)
                data[label].append(policy_trajectories(sg, seats, steps=steps, seed=seed + 97 * r))
        pts = [(float(e.strategies[0][0]), float(e.strategies[1][0])) for e in nash.solve(stage)]
        plot_trajectories(ax, data, pts, title="\n".join(textwrap.wrap(stage.title or name, 28)),
                          action_names=(stage.action_names[0][0], stage.action_names[1][0]))
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    handles = [Line2D([], [], color=colors[k % len(colors)], lw=1.5, label=label) for k, (label, _, _) in
               enumerate(pairs)]
    handles += [Line2D([], [], ls="", marker="o", color="0.3", ms=5, label="start"),
                Line2D([], [], ls="", marker="s", color="0.3", ms=5, label="end"),
                Line2D([], [], ls="", marker="*", color="k", mfc="gold", ms=11, label="Nash equilibrium")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle(f"Learning trajectories, iterated 2x2 games ({steps} steps, smoothed; x, y: each player's "
                 "probability of its first action)", fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.95))
    return fig
