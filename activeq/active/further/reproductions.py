"""FURTHER's experiments as trial functions for :mod:`activeq.experiments` (``trial(seed, **params) -> dict``).

Kim et al., "Influencing Long-Term Behavior in Multiagent Reinforcement Learning", NeurIPS 2022. Each trial plays one
*group* of ``num_seeds`` independent runs at once: the agents are batched over seeds, which costs far less per run
than one seed per process (see ``analysis/results/active_further.md`` for the measured ratio). Run ``b`` of the
trial with seed ``s`` is the ``b``-th member of the group built from seed ``s`` (a group of 20 is not 20 groups of 1:
the members draw from one generator). A spec sets ``seeds = [0]`` and ``num_seeds = 20`` for 20 runs in one trial,
or ``seeds = 20`` and ``num_seeds = 1`` for one run per trial.

A trial given a ``context`` (by :func:`activeq.experiments.run`, used by duck typing: this module does not import
the experiments layer) checkpoints its match into ``context.checkpoint_dir`` every ``checkpoint_every`` steps and
resumes from there after an interruption, and writes each player's per-episode average reward as the metric series
``"episodes"`` (columns ``step``, ``p0_s<b>``, ``p1_s<b>``). The result is a dict of per-run numbers (see
:func:`summarize`), the same with or without a context.

- :func:`bos_vs_q_persona`, :func:`cooperative_further_vs_further`, :func:`matching_pennies_further_vs_lili`: the
  original's three games (``latent_source="peer"`` reproduces the original trainer's latent wiring);
- :func:`pd_vs_learner`: FURTHER or LILI against a prisoner's-dilemma opponent that learns from samples;
- :func:`pd_baseline`: the same opponents against LOLA, against themselves, against a searched active best response
  or against always-defect, over the same window, on the same protocol (episodes restart every ``episode_length``).

Raises :class:`activeq.errors.ArgumentError` for bad arguments (from the builders and checks).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
from ..._checks import as_generator, check_choice, check_positive_int
from ...errors import ArgumentError
from . import matches
from .agent import FurtherConfig
from .runner import Match, MatchResult

PD_ROWS = ("lola", "learner", "active_br", "defect")


def summarize(res: MatchResult, late: int) -> dict[str, Any]:
    """Per-run numbers of a finished match (lists over runs; player 0 is FURTHER/LILI's seat).

    Parameters
    ----------
    res : MatchResult
        The match's rewards.
    late : int
        Length of the late window (the final ``late`` steps).

    Returns
    -------
    dict
        ``running_average`` and ``late_average`` ``[player][run]`` (NaN for a diverged run); for player 0:
        ``cumulative_final`` (total reward), ``cumulative_slope`` and ``cumulative_slope_second_half`` (least-squares
        slope of the cumulative reward against the step, per step, over the whole run / its second half) and
        ``reward_by_tenth`` (mean over runs of each tenth of the run); ``diverged_at`` ``[player][run]``.
    """
    late = check_positive_int(late, "late")
    r0 = res.rewards[0].astype(np.float64)  # (runs, steps)
    cum = np.cumsum(r0, axis=1)
    half = res.steps // 2
    tenths = np.array_split(r0, 10, axis=1) if res.steps >= 10 else [r0]
    return {"players": list(res.players), "steps": res.steps, "num_seeds": res.num_seeds, "late": late,
            "running_average": res.running_average().tolist(), "late_average": res.final_average(late).tolist(),
            "cumulative_final": cum[:, -1].tolist(), "cumulative_slope": _slopes(cum).tolist(),
            "cumulative_slope_second_half": _slopes(cum[:, half:]).tolist() if res.steps - half >= 2 else [],
            "reward_by_tenth": [float(c.mean()) for c in tenths], "diverged_at": res.diverged_at.tolist(),
            "seconds": res.seconds}


def _slopes(cum: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of ``cum`` against 0, 1, 2, ..."""
    t = np.arange(cum.shape[1], dtype=np.float64)
    t -= t.mean()
    return (cum - cum.mean(axis=1, keepdims=True)) @ t / (t @ t)


def _check_resume(resume_from: str, context: Any) -> Path:
    """``resume_from`` as a checkpoint directory, checked before anything is built."""
    src = Path(resume_from)
    if not (src / "checkpoint.json").is_file():
        raise ArgumentError(f"resume_from must be a directory holding checkpoint.json, got {resume_from!r}")
    if getattr(context, "checkpoint_dir", None) is None:
        raise ArgumentError("resume_from needs a trial context with a checkpoint directory (run the trial through "
                            "activeq.experiments)")
    return src


def _play(match: Match, steps: int, late: int, checkpoint_every: int, context: Any,
          resume_from: str | None = None) -> dict[str, Any]:
    """Run ``match`` to ``steps`` (checkpointed into the context's directory, if any) and summarise it.

    ``resume_from`` names another trial's checkpoint directory (kept with ``keep_checkpoints = true``) to start from
    when this trial has no checkpoint of its own: a longer run extends a shorter one instead of starting again.
    """
    steps = check_positive_int(steps, "steps")
    if late > steps:
        raise ArgumentError(f"late must be <= steps ({steps}), got {late}")
    ckpt = getattr(context, "checkpoint_dir", None) if context is not None else None
    if resume_from is not None:
        src = _check_resume(resume_from, context)
        if not (Path(ckpt) / "checkpoint.json").exists():
            Path(ckpt).mkdir(parents=True, exist_ok=True)
            for f in src.iterdir():
                if f.is_file():
                    shutil.copy2(f, Path(ckpt) / f.name)
    start, cpu = time.perf_counter(), time.process_time()
    res = match.run(steps, progress=False, checkpoint_dir=ckpt,
                    checkpoint_every=check_positive_int(checkpoint_every, "checkpoint_every"))
    out = summarize(res, late)
    out["wall_seconds_this_session"] = time.perf_counter() - start
    out["cpu_seconds_this_session"] = time.process_time() - cpu
    if context is not None and hasattr(context, "write_series"):
        ep = res.episode_averages()  # (players, runs, episodes)
        cols = {f"p{i}_s{b}": ep[i, b] for i in range(ep.shape[0]) for b in range(ep.shape[1])}
        context.write_series("episodes", step=(np.arange(ep.shape[2]) + 1) * res.episode_length, **cols)
    return out


def bos_vs_q_persona(seed: int, steps: int = 50_000, num_seeds: int = 1, latent_source: str = "own",
                     q_lr: float = 1.0, late: int = 1000, checkpoint_every: int = 5000,
                     context: Any = None) -> dict[str, Any]:
    """Iterated Bach or Stravinsky, FURTHER (row) vs the Q persona (the original: 50,000 steps, seeds 1-20).

    Parameters
    ----------
    seed : int
        Seeds the group of runs.
    steps : int
        Steps per run.
    num_seeds : int
        Runs in this trial (batched).
    latent_source : str
        ``"own"`` or ``"peer"`` (the original trainer's wiring).
    q_lr : float
        The persona's step (1.0 = the original's effective step).
    late : int
        Late window for ``late_average``.
    checkpoint_every : int
        Steps between checkpoints (with a context).
    context : TrialContext, optional
        Given by the experiments layer (checkpoint directory and metric series).

    Returns
    -------
    dict
        :func:`summarize` plus ``claim_threshold`` (1.8).
    """
    m = matches.bos_vs_q_persona(num_seeds, seed=seed, q_lr=q_lr, latent_source=latent_source)
    return _play(m, steps, late, checkpoint_every, context) | {"latent_source": latent_source, "claim_threshold": 1.8}


def cooperative_further_vs_further(seed: int, steps: int = 10_000, num_seeds: int = 1, latent_source: str = "own",
                                   late: int = 1000, checkpoint_every: int = 5000,
                                   context: Any = None) -> dict[str, Any]:
    """Iterated cooperative game, FURTHER vs FURTHER (the original: 10,000 steps, seeds 1-20).

    Parameters
    ----------
    seed, steps, num_seeds, latent_source, late, checkpoint_every, context
        As in :func:`bos_vs_q_persona`.

    Returns
    -------
    dict
        :func:`summarize` plus ``claim_threshold`` (7.5 for both agents).
    """
    m = matches.cooperative_further_vs_further(num_seeds, seed=seed, latent_source=latent_source)
    return _play(m, steps, late, checkpoint_every, context) | {"latent_source": latent_source, "claim_threshold": 7.5}


def matching_pennies_further_vs_lili(seed: int, steps: int = 1_000_000, num_seeds: int = 1,
                                     latent_source: str = "own", late: int = 10_000, checkpoint_every: int = 5000,
                                     resume_from: str | None = None, context: Any = None) -> dict[str, Any]:
    """Iterated matching pennies, FURTHER (row) vs LILI (the original: 1,000,000 steps, seeds 1-20).

    Parameters
    ----------
    seed, steps, num_seeds, latent_source, late, checkpoint_every, context
        As in :func:`bos_vs_q_persona`.
    resume_from : str, optional
        The checkpoint directory of a shorter run of the same match (same seed, runs and wiring) to extend.

    Returns
    -------
    dict
        :func:`summarize`; the claim is about player 0's cumulative reward (it should grow: slope > 0).
    """
    if resume_from is not None:
        _check_resume(resume_from, context)
    m = matches.matching_pennies_further_vs_lili(num_seeds, seed=seed, latent_source=latent_source)
    return _play(m, steps, late, checkpoint_every, context, resume_from) | {"latent_source": latent_source}


def pd_vs_learner(seed: int, steps: int = 76_800, num_seeds: int = 1, agent: str = "further",
                  opponent: str = "q_persona", latent_source: str = "own", late: int = 9600,
                  episodes: int | None = None, checkpoint_every: int = 4800,
                  context: Any = None) -> dict[str, Any]:
    """Iterated prisoner's dilemma, FURTHER or LILI (row) vs a sample-learning opponent (not in the original).

    Parameters
    ----------
    seed, steps, num_seeds, latent_source, late, checkpoint_every, context
        As in :func:`bos_vs_q_persona`. The default length is the REINFORCE peer's whole learning (7 updates of
        64 x 150 samples) plus one more batch, whose 9,600 steps are the late window.
    agent : str
        ``"further"`` or ``"lili"``.
    opponent : str
        ``"q_persona"``, ``"reinforce_cooperative"`` or ``"reinforce_defective"``.
    episodes : int, optional
        The REINFORCE peer's episodes per update (default 64; smaller for CI-sized runs).

    Returns
    -------
    dict
        :func:`summarize` plus the opponent's final probability of cooperating per state ``opponent_p_cooperate``
        ``[run][state]`` and the agent's ``agent_p_cooperate``.
    """
    opts = {} if episodes is None or opponent == "q_persona" else {"episodes": check_positive_int(episodes, "episodes")}
    m = matches.pd_vs_learner(num_seeds, seed=seed, agent=agent, opponent=opponent, latent_source=latent_source,
                              opponent_options=opts)
    out = _play(m, steps, late, checkpoint_every, context)
    out["opponent_p_cooperate"] = m.players[1].all_policies(m.params[1])[..., 0].tolist()
    out["agent_p_cooperate"] = m.players[0].all_policies()[..., 0].tolist()
    return out | {"agent": agent, "opponent": opponent, "latent_source": latent_source}


def pd_baseline(seed: int, row: str = "lola", opponent: str = "q_persona", steps: int = 76_800, num_seeds: int = 1,
                late: int = 9600, episodes: int | None = None, search: dict[str, Any] | None = None,
                checkpoint_every: int = 4800, context: Any = None) -> dict[str, Any]:
    """A baseline row player against a prisoner's-dilemma opponent, on :func:`pd_vs_learner`'s protocol.

    The same :class:`Match` runner (episodes of 150 steps, learners starting when :func:`pd_vs_learner`'s opponent
    starts: at FURTHER's 256-step warm-up for the Q persona, at step 0 for the REINFORCE peer) with a
    :class:`~activeq.active.Learner` in the row seat.

    Parameters
    ----------
    seed : int
        Seeds the runs (and the search).
    row : str
        ``"lola"`` (models the opponent as a naive exact-gradient learner, which it is not), ``"learner"`` (a copy
        of the opponent's learner in the row seat: learner vs learner), ``"active_br"`` (the policy that
        :func:`activeq.active.active_best_response`'s search finds against the opponent's learning, replayed here)
        or ``"defect"`` (always defect: mutual defection if the opponent learns to defect).
    opponent : str
        As in :func:`pd_vs_learner`.
    steps, num_seeds, late, episodes, checkpoint_every, context
        As in :func:`pd_vs_learner`.
    search : dict, optional
        Keyword arguments for the active best response's search (``population``, ``generations``, ``chains``,
        ``steps``, ``burn_in``, ``meta``...). Default: the whole run scored on its late window; ``meta="stationary"``
        for the REINFORCE peer, whose random persona a tracking meta-policy could not follow.

    Returns
    -------
    dict
        :func:`summarize` plus ``row``, ``opponent`` and, for ``active_br``, the searched policy ``br_policy``, the
        search's own score ``br_search_objective`` and its class ``br_meta``.
    """
    from ..best_response import active_best_response
    from ..learners import LOLA, FixedPolicy
    from ..markov_game import ActiveMarkovGame

    check_choice(row, "row", PD_ROWS)
    steps = check_positive_int(steps, "steps")
    late = check_positive_int(late, "late")
    opts = {} if episodes is None or opponent == "q_persona" else {"episodes": check_positive_int(episodes, "episodes")}
    col = matches.pd_opponent(opponent, **opts)
    game = matches.prisoners_dilemma()
    extra: dict[str, Any] = {}
    if row == "lola":
        row_learner: Any = LOLA(lr=1.0, opponent_lr=1.0, discount=0.96)
    elif row == "learner":
        row_learner = matches.pd_opponent(opponent, **opts)
    elif row == "defect":
        row_learner = FixedPolicy([0.0, 1.0], name="always_defect")
    else:
        amg = ActiveMarkovGame(game, [FixedPolicy([0.5, 0.5]), col])
        knobs = {"steps": steps, "burn_in": steps - late, "eval_chains": 2, "eval_steps": 4,
                 "meta": "auto" if opponent == "q_persona" else "stationary"} | (search or {})
        br = active_best_response(amg, 0, "inf", method="search", seed=int(as_generator(seed).integers(2**31)),
                                  **knobs)
        row_learner = br.learner
        extra = {"br_policy": np.asarray(br.policy).tolist(), "br_search_objective": float(br.objective),
                 "br_meta": str(br.info.get("meta", ""))}
    warmup = 0 if opponent != "q_persona" else FurtherConfig.preset("bach_or_stravinsky").window
    m = Match(game, [row_learner, col], num_seeds=check_positive_int(num_seeds, "num_seeds"), seed=seed,
              learner_warmup=warmup)
    out = _play(m, steps, late, checkpoint_every, context)
    out["opponent_p_cooperate"] = m.players[1].all_policies(m.params[1])[..., 0].tolist()
    return out | {"row": row, "opponent": opponent} | extra
