"""Realtime learning runs as trial functions: one agent, one MinAtar game, one seed per call, for activeq.experiments.

:func:`train_trial` is what ``activeq run`` runs (``trial(seed, **params) -> dict``): the parameters are the fields
of the algorithm's ``Args`` (:class:`activeq.realtime.agents.ppo.Args` or :class:`activeq.realtime.agents.dqn.Args`:
game, schedule, inference_frames, network, skip, history, total_frames, ...), so a sweep over delays, schedules and
networks is a TOML spec whose trials are stored as they end and resumed. Given a trial context (duck-typed: this
module never imports :mod:`activeq.experiments`) the run checkpoints after every segment in the trial's own directory,
so a killed trial resumes where its last segment ended and equals an uninterrupted one; every finished episode is
written as the metric series ``"episodes"`` (frame at its end, return, length).

Raises :class:`activeq.errors.ArgumentError` for an unknown algorithm or an ``Args`` field that does not exist,
before any environment is built.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

from ..errors import ArgumentError

TRIAL = "activeq.realtime.trials:train_trial"
ALGOS = ("ppo", "dqn")


def _module(algo: str) -> Any:
    """The agent module of ``algo`` (its ``Args`` and ``train``)."""
    from .agents import dqn, ppo

    if algo not in ALGOS:
        raise ArgumentError(f"algo must be one of {', '.join(ALGOS)}; got {algo!r}")
    return {"ppo": ppo, "dqn": dqn}[algo]


def make_args(algo: str, seed: int, **params: Any) -> Any:
    """``Args`` of ``algo`` from plain data: lists become tuples where the field is a tuple (TOML has no tuples)."""
    cls = _module(algo).Args
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise ArgumentError(f"{algo} has no argument {', '.join(map(repr, unknown))}; its arguments are "
                            f"{', '.join(sorted(n for n in fields if n != 'seed'))}")
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    args = cls(seed=seed, **kw)
    args.check()
    return args


def train_trial(seed: int, *, algo: str = "ppo", final_fraction: float = 0.2, context: Any = None,
                **params: Any) -> dict[str, Any]:
    """Train ``algo`` with ``params`` (its ``Args`` fields) and ``seed``; the final return and the run's delays.

    Parameters
    ----------
    seed : int
        The run's seed (networks, environments, sampling).
    algo : {"ppo", "dqn"}
        The learner.
    final_fraction : float
        The final return is the mean return of the episodes that ended in this last fraction of the frames.
    context : TrialContext, optional
        Given by :func:`activeq.experiments.run`: checkpoints in its directory, episodes as a series.
    **params
        Fields of the algorithm's ``Args``.

    Returns
    -------
    dict
        ``algo``, ``game``, ``schedule``, ``frames``, ``delay`` (the acting network's, in ticks), ``env_delay``
        (inference, in frames), ``episodes``, ``final_return``, ``final_episodes`` and ``seconds``.
    """
    from .._checks import check_in_range

    final_fraction = check_in_range(final_fraction, "final_fraction", 0.0, 1.0, low_open=True)
    args = make_args(algo, int(seed), **params)
    ckpt = None
    if context is not None and getattr(context, "checkpoint_dir", None) is not None:
        ckpt = Path(context.checkpoint_dir) / "train.json"
    res = _module(algo).train(args, checkpoint=ckpt, progress=False)
    ep = res.episodes
    if context is not None and ep.frames:
        context.write_series("episodes", frame=ep.frames, episode_return=ep.returns, length=ep.lengths)
    final = res.final_return(final_fraction)  # nan when no episode ended in the last fraction
    return {"algo": algo, "game": args.game, "schedule": args.schedule, "frames": res.frames, "delay": res.delay,
            "env_delay": res.env_delay, "episodes": len(ep.returns),
            "final_return": None if math.isnan(final) else final,
            "final_episodes": sum(f > res.frames * (1 - final_fraction) for f in ep.frames), "seconds": res.seconds}


__all__ = ["TRIAL", "ALGOS", "make_args", "train_trial"]
