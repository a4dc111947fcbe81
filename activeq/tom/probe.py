"""Play an agent against a partner for T rounds over several seeds and score literal and functional theory of mind.

Per seed, round t at partner state q_t: the agent decides (action a_t, prediction b_hat_t), the partner draws b_t, the
agent gets u(a_t, b_t). Against the exact oracle (:mod:`activeq.tom.oracle`, equation 1) the metrics are
(DESIGN.md, "Functional vs literal theory of mind"):

- functional regret  Delta_F/T = (1/T) sum_t [V*_t(q_t) - Q*_t(q_t, a_t)].  The sum telescopes to V* - sum_t r_t for a
  deterministic partner (the issue's (V* - sum r_t)/T, exactly); for a stochastic partner it is the lower-variance
  estimator with the same expectation (performance-difference identity), and it is 0 for the oracle agent on every
  path. The raw (V* - sum_t r_t)/T is reported too, as ``realized_regret``.
- accuracy: the fraction of rounds with b_hat_t = b_t (an unreadable prediction counts as wrong; NaN for agents that
  do not predict).
- Delta_ToM/T: the regret had the agent best-responded (stage best response BR) to its own predictions. Against a
  reactive partner "had it played BR(b_hat_t)" also changes the partner's future, so two versions are reported:
  ``tom_regret`` = (1/T) sum_t [V*_t(q_t) - Q*_t(q_t, BR(b_hat_t))] scores each round's counterfactual on the *actual*
  partner trajectory (one-step deviation, then optimal play: the same yardstick as Delta_F, term by term), and
  ``tom_regret_counterfactual`` = (V* - E[sum_t u(BR(b_hat_t), b'_t)])/T replays the open-loop sequence BR(b_hat_t)
  against the partner, whose *counterfactual* trajectory b'_t follows those actions (exact expectation over its
  randomness; finite partners). Rounds without a prediction use the agent's actual action in both. Against a
  non-reactive partner the two coincide. Against a reactive one the counterfactual version replays predictions
  made on the actual path, which may not describe the counterfactual path: an accurate predictor that acts at random
  against RPS tit-for-tat has ``tom_regret`` 0.00 but ``tom_regret_counterfactual`` 1.05 (5 seeds), because its
  predictions followed its own random moves. ``tom_regret`` is therefore the primary Delta_ToM. Against tit-for-tat in the prisoner's dilemma BR is always "defect", so a
  perfect predictor that cooperates has Delta_F = 0 < Delta_ToM, and one that acts at random has Delta_F > Delta_ToM.
- consistency: how often a_t is a stage best response to b_hat_t; parse-failure, prediction-failure and retry rates,
  tokens and latency per round.

``checkpoint=DIR`` appends every round to ``DIR/<cell>_seed<k>.jsonl``; a later call with the same arguments replays
the recorded rounds (the agent observes them) and continues, so a failure loses nothing. Raises ProbeError for
``rounds`` < 1 or bad seeds; a backend failure raises BackendError whose ``partial`` is the trajectory so far.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import abc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .._checks import check_positive_int, show
from ..errors import ArgumentTypeError, BackendError, ProbeError
from ..games import NormalFormGame
from .agents.base import Episode, round_rng, stage_best_response
from .oracle import OracleResult, check_horizon, oracle
from .partners.base import bind_partner, check_two_player
from .results import ProbeResult, ProbeTable, Trajectory

MAX_SEEDS = 100_000
"""Most seeds one probe or sweep accepts (checked before any work)."""


def _seeds(seeds: Any, seed: int) -> list[int]:
    seed = check_positive_int(seed, "seed", minimum=0)
    if isinstance(seeds, (bool, np.bool_)):
        raise ArgumentTypeError("seeds must be an int count or a sequence of ints")
    if isinstance(seeds, (int, np.integer)):
        n = check_positive_int(seeds, "seeds")
        if n > MAX_SEEDS:
            raise ProbeError(f"seeds: at most {MAX_SEEDS} seeds, got {show(n)}")
        return [seed + k for k in range(n)]
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (abc.Sequence, np.ndarray)):
        raise ArgumentTypeError(f"seeds must be an int count or a sequence of ints, got {show(seeds)}")
    if len(seeds) > MAX_SEEDS:
        raise ProbeError(f"seeds: at most {MAX_SEEDS} seeds, got {len(seeds)}")
    out = [check_positive_int(s, f"seeds[{k}]", minimum=0) for k, s in enumerate(seeds)]
    if not out:
        raise ProbeError("seeds must be non-empty")
    return out


def _check_agent(agent: Any) -> None:
    if not callable(getattr(agent, "start", None)):
        raise ArgumentTypeError(f"agent must be an activeq.tom.agents agent (with .start()), "
                                f"got {type(agent).__name__}")


def _cell_key(game: NormalFormGame, partner_name: str, agent: Any, rounds: int) -> str:
    desc = json.dumps([game.payoffs.tolist(), partner_name, getattr(agent, "name", type(agent).__name__),
                       getattr(agent, "template_hash", ""), rounds])
    return hashlib.sha256(desc.encode()).hexdigest()[:16]


def _load(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return []
    recs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a torn last line: resume before it
    return [r for k, r in enumerate(recs) if r.get("t") == k]


def play(game: NormalFormGame, orc: OracleResult, agent: Any, seed: int, *,
         checkpoint: Path | None = None) -> Trajectory:
    """Play one seed of ``agent`` against the oracle's bound partner (see the module docstring).

    Parameters
    ----------
    game : NormalFormGame
        The stage game (agent = row player).
    orc : OracleResult
        ``oracle(game, partner, rounds)``: the partner and the yardstick.
    agent : Agent
        The agent specification.
    seed : int
        This seed (round-level random streams derive from it).
    checkpoint : Path, optional
        A JSONL file to resume from and append to.

    Returns
    -------
    Trajectory
    """
    game = check_two_player(game)
    if not isinstance(orc, OracleResult):
        raise ArgumentTypeError(f"orc must be the OracleResult of oracle(game, partner, rounds), got {show(orc)}")
    _check_agent(agent)
    seed = check_positive_int(seed, "seed", minimum=0)
    if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
        raise ArgumentTypeError(f"checkpoint must be a path (or None), got {show(checkpoint)}")
    checkpoint = None if checkpoint is None else Path(checkpoint)
    partner, T = orc.partner, orc.horizon
    U = np.asarray(game.payoff_matrix(0))
    player = agent.start(Episode(game, partner, T, seed, orc))
    records = _load(checkpoint)[:T]
    history: list[tuple[int, int]] = []
    state = partner.start
    for rec in records:
        player.observe(rec["t"], rec["action"], rec["partner_action"])
        history.append((rec["action"], rec["partner_action"]))
        state = partner.next_state(state, rec["action"], rec["partner_action"])
    fh = open(checkpoint, "a", encoding="utf-8") if checkpoint is not None else None
    try:
        for t in range(len(records), T):
            try:
                d = player.decide(t, history, state)
            except BackendError as exc:
                exc.partial = Trajectory.from_records(records, game, orc)
                if checkpoint is not None:
                    exc.args = (f"{exc.args[0]} (round {t + 1} of {T}, seed {seed}; {len(records)} rounds kept in "
                                f"{checkpoint}: call again to resume)",)
                raise
            pi = partner.policy(state)
            b = int(round_rng(seed, t, 1).choice(pi.size, p=pi)) if pi.max() < 1.0 else int(np.argmax(pi))
            gap = orc.gap(t, state, d.action)
            pred = d.prediction
            if pred is not None:
                br = stage_best_response(game, pred)
                tom_gap = orc.gap(t, state, br)
                consistent = bool(U[d.action, pred] >= U[:, pred].max() - 1e-9)
            else:
                br, tom_gap, consistent = d.action, gap, None
            rec = {"t": t, "action": d.action, "partner_action": b, "prediction": pred, "br": br,
                   "reward": float(U[d.action, b]), "gap": gap, "tom_gap": tom_gap, "consistent": consistent,
                   "failed": d.failed, "prediction_failed": d.prediction_failed, "retries": d.retries,
                   "prompt_tokens": d.prompt_tokens, "completion_tokens": d.completion_tokens,
                   "latency": d.latency, "cached": d.cached, "text": d.text[:400]}
            records.append(rec)
            if fh is not None:
                fh.write(json.dumps(rec) + "\n")
                fh.flush()
            player.observe(t, d.action, b)
            history.append((d.action, b))
            state = partner.next_state(state, d.action, b)
    finally:
        if fh is not None:
            fh.close()
    return Trajectory.from_records(records, game, orc)


def _jobs(cells: Sequence[tuple[NormalFormGame, Any, Any]], rounds: int, seeds: list[int],
          checkpoint: Any) -> tuple[list, list]:
    prepared = []
    for k, cell in enumerate(cells):
        if isinstance(cell, (str, bytes)) or not isinstance(cell, (tuple, list)) or len(cell) != 3:
            raise ArgumentTypeError(f"cells[{k}] must be a (game, partner, agent) triple, got {show(cell)}")
        game, partner, agent = cell
        game = check_two_player(game)
        _check_agent(agent)
        bound = bind_partner(partner, game)
        orc = oracle(game, bound, rounds)
        prepared.append((game, bound, agent, orc))
    jobs = []
    if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
        raise ArgumentTypeError(f"checkpoint must be a directory path (or None), got {show(checkpoint)}")
    ck = Path(checkpoint) if checkpoint is not None else None
    if ck is not None:
        ck.mkdir(parents=True, exist_ok=True)
    for c, (game, bound, agent, orc) in enumerate(prepared):
        key = _cell_key(game, bound.name, agent, rounds)
        for s in seeds:
            jobs.append((c, s, None if ck is None else ck / f"{key}_seed{s}.jsonl"))
    return prepared, jobs


def sweep(cells: Iterable[tuple[NormalFormGame, Any, Any]], rounds: int = 100, seeds: Any = 5, *, seed: int = 0,
          checkpoint: str | os.PathLike | None = None, workers: int = 1, progress: bool = False) -> ProbeTable:
    """Probe every (game, partner, agent) cell over the same seeds; seeds and cells run in ``workers`` threads.

    Parameters
    ----------
    cells : iterable of (game, partner, agent)
        The grid, e.g. games x partners x styles.
    rounds : int
        T >= 1.
    seeds : int or sequence of int
        A count (seeds ``seed .. seed + n - 1``) or explicit seeds.
    seed : int
        First seed when ``seeds`` is a count.
    checkpoint : path, optional
        Directory of per-seed JSONL files (resume).
    workers : int
        Threads (a backend's own ``max_concurrency`` still bounds requests in flight).
    progress : bool
        Show a tqdm bar over seeds.

    Returns
    -------
    ProbeTable
    """
    T = check_horizon(rounds, "rounds")
    seed_list = _seeds(seeds, seed)
    workers = check_positive_int(workers, "workers")
    if isinstance(cells, (str, bytes)) or not isinstance(cells, abc.Iterable):
        raise ArgumentTypeError(f"cells must be an iterable of (game, partner, agent) triples, got {show(cells)}")
    prepared, jobs = _jobs(list(cells), T, seed_list, checkpoint)
    out: dict[tuple[int, int], Trajectory] = {}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(jobs), desc="tom probe", unit="seed")
    lock = threading.Lock()

    def run(job: tuple[int, int, Path | None]) -> None:
        c, s, ck = job
        game, _, agent, orc = prepared[c]
        traj = play(game, orc, agent, s, checkpoint=ck)
        with lock:
            out[(c, s)] = traj
            if bar is not None:
                bar.update(1)

    try:
        if workers == 1:
            for j in jobs:
                run(j)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(run, j) for j in jobs]
                try:
                    for f in futures:
                        f.result()
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
    finally:
        if bar is not None:
            bar.close()
    results = []
    for c, (game, bound, agent, orc) in enumerate(prepared):
        trajs = tuple(out[(c, s)] for s in seed_list)
        results.append(ProbeResult(game.name or game.title or "game", bound.name, getattr(agent, "name", "agent"),
                                   getattr(agent, "style", "scripted"), getattr(agent, "model", "scripted"),
                                   getattr(agent, "template_hash", ""), T, orc.value, orc.gain,
                                   tuple(seed_list), trajs))
    return ProbeTable(tuple(results))


def probe(game: NormalFormGame, partner: Any, agent: Any, rounds: int = 100, seeds: Any = 5, *, seed: int = 0,
          checkpoint: str | os.PathLike | None = None, workers: int = 1, progress: bool = False) -> ProbeResult:
    """Probe ``agent`` against ``partner`` in ``game`` for ``rounds`` rounds over ``seeds`` seeds.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game (agent = row player).
    partner : Partner
        From :mod:`activeq.tom.partners`.
    agent : Agent
        From :mod:`activeq.tom.agents`.
    rounds : int
        T >= 1 (default 100).
    seeds : int or sequence of int
        A count or explicit seeds.
    seed : int
        First seed when ``seeds`` is a count.
    checkpoint : path, optional
        Directory for per-seed JSONL files; a re-run resumes from them.
    workers : int
        Seeds run in this many threads.
    progress : bool
        Show a progress bar.

    Returns
    -------
    ProbeResult
        ``functional_regret``, ``accuracy``, ``tom_regret`` (per-step, mean over seeds), ``summary()``, ``table()``,
        ``plot()``.

    Examples
    --------
    >>> from activeq import load_game
    >>> from activeq.tom import probe
    >>> from activeq.tom.agents import Oracle
    >>> from activeq.tom.partners import tit_for_tat
    >>> probe(load_game("prisoners_dilemma"), tit_for_tat(), Oracle(), rounds=100, seeds=2).functional_regret
    0.0
    """
    return sweep([(game, partner, agent)], rounds, seeds, seed=seed, checkpoint=checkpoint, workers=workers,
                 progress=progress).results[0]
