"""ToM probes as trial functions: one (game, partner, agent) cell and one seed per call, for :mod:`activeq.experiments`.

:func:`probe_trial` is what ``activeq run`` runs (``trial(seed, **params) -> dict``), so a grid of games x partners
x styles x models x seeds is a TOML spec: trials run in parallel (local processes or Ray), each result is stored as
soon as it ends, a re-run runs only what is missing, and a failed trial (a server down past its retries) is
recorded with its traceback while the others go on. Given a trial context (duck-typed: this module never imports
:mod:`activeq.experiments`) the probe checkpoints every round in the trial's own directory, so a killed trial resumes
from its last round, and the cumulative functional regret is written as the metric series ``"regret"``.

The agent is a scripted baseline (:data:`BASELINES`) or ``"llm"`` with a prompt style and a backend: ``"openai"``
(an OpenAI-compatible server at ``base_url``) or ``"transformers"`` (a local model directory). Metrics are those of
:class:`activeq.tom.results.ProbeResult` for the one seed: per-step functional regret (V* - sum r_t)/T, prediction
accuracy, Delta_ToM/T, consistency, parse-failure and retry rates, tokens and latency per round.

Raises :class:`activeq.errors.ProbeError` for an unknown agent or backend, and for a missing ``style``, ``model`` or
``base_url``, before any model is loaded.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ProbeError
from .results import METRICS

TRIAL = "activeq.tom.trials:probe_trial"
BACKENDS = ("openai", "transformers")
BASELINES = ("oracle", "model_based", "predicts_well", "best_responder")


def make_baseline(name: str, **params: Any) -> Any:
    """The scripted agent ``name`` (one of :data:`BASELINES`) built with ``params``."""
    from .agents import BestResponder, ModelBased, Oracle, PredictsWell

    table = dict(zip(BASELINES, (Oracle, ModelBased, PredictsWell, BestResponder)))
    if name not in table:
        raise ProbeError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    return table[name](**params)


@lru_cache(maxsize=2)
def _local_model(model: str, temperature: float, seed: int, gguf: str | None) -> Any:
    """A local model is loaded once per worker process, not once per trial."""
    from .backends import TransformersChat

    return TransformersChat(model, temperature=temperature, seed=seed, gguf_file=gguf)


def probe_trial(seed: int, *, game: str = "rock_paper_scissors", partner: str = "single:0",
                agent: str = "model_based", agent_params: dict[str, Any] | None = None, style: str | None = None,
                backend: str = "openai", base_url: str | None = None, model: str | None = None,
                gguf: str | None = None, temperature: float = 0.0, backend_seed: int = 0, rounds: int = 100,
                history_window: int | None = None, max_tokens: int | None = None, cache: Any = "auto",
                timeout: float = 60.0, context: Any = None) -> dict[str, Any]:
    """Probe one agent against one partner in one catalog game for ``rounds`` rounds with ``seed``.

    Parameters
    ----------
    seed : int
        The probe's seed (partner randomness, fallbacks and sampled decoding).
    game : str
        A catalog game.
    partner : str
        A partner spec (:func:`activeq.tom.partners.parse_partner`): ``single:A``, ``tft``, ``cycle:A,B``, ...
    agent : str
        ``"llm"`` or a scripted baseline (:data:`BASELINES`).
    agent_params : dict, optional
        Keyword arguments of the baseline.
    style : str, optional
        The prompt style of an ``"llm"`` agent: plain, qa, cot, social or oracle.
    backend : {"openai", "transformers"}
        Where an ``"llm"`` agent's answers come from.
    base_url, model, gguf : str, optional
        The server's base URL and model name (openai), or a local model directory and GGUF file (transformers).
    temperature : float
        0 is greedy.
    backend_seed : int
        The backend's sampling seed.
    rounds : int
        T >= 1.
    history_window, max_tokens : int, optional
        Rounds shown in full in the prompt; new tokens per answer (default: the style's).
    cache : {"auto"} or path or None
        The record/replay cache (``"auto"``: on at temperature 0 only).
    timeout : float
        Seconds per HTTP request (openai).
    context : TrialContext, optional
        Given by :func:`activeq.experiments.run`.

    Returns
    -------
    dict
        ``game``, ``partner``, ``agent``, ``style``, ``model``, ``template_hash``, ``rounds``, ``oracle_value``,
        ``oracle_gain``, ``total_reward`` and every metric of :data:`activeq.tom.results.METRICS` (None where
        undefined, e.g. accuracy without predictions).
    """
    from .. import load_game
    from .agents import LLMAgent
    from .partners import parse_partner
    from .probe import probe
    from .prompting import check_style

    if agent != "llm" and agent not in BASELINES:
        raise ProbeError(f"agent must be 'llm' or a baseline ({', '.join(BASELINES)}); got {agent!r}")
    g = load_game(game)
    bound_partner = parse_partner(partner)
    chat = None
    if agent == "llm":
        if style is None:
            raise ProbeError("an 'llm' agent needs a prompt style (plain, qa, cot, social or oracle)")
        style = check_style(style)
        if backend not in BACKENDS:
            raise ProbeError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}")
        if not model:
            raise ProbeError(f"backend {backend!r} needs a model (a server's model name or a local directory)")
        if backend == "openai":
            if not base_url:
                raise ProbeError("backend 'openai' needs a base_url, e.g. http://127.0.0.1:8000/v1")
            from .backends import OpenAIChat

            chat = OpenAIChat(base_url, model, temperature, backend_seed, timeout=timeout)
            llm = chat
        else:
            llm = _local_model(str(model), float(temperature), int(backend_seed), gguf)
        player = LLMAgent(llm, style, cache=cache, history_window=history_window, max_tokens=max_tokens)
    else:
        player = make_baseline(agent, **(agent_params or {}))
    ckpt = None
    if context is not None and getattr(context, "checkpoint_dir", None) is not None:
        ckpt = Path(context.checkpoint_dir) / "probe"
    try:
        res = probe(g, bound_partner, player, rounds=rounds, seeds=[int(seed)], checkpoint=ckpt)
    finally:
        if chat is not None:
            chat.close()
    traj = res.trajectories[0]
    if context is not None:
        curve = res.regret_curve()[0]
        context.write_series("regret", round=list(range(1, len(curve) + 1)), regret=curve.tolist())
    out: dict[str, Any] = {"game": res.game, "partner": res.partner, "agent": res.agent, "style": res.style,
                           "model": res.model, "template_hash": res.template_hash, "rounds": res.rounds,
                           "oracle_value": float(res.oracle_value), "oracle_gain": float(res.oracle_gain),
                           "total_reward": float(sum(r["reward"] for r in traj.records))}
    for m in METRICS:
        v = float(res.per_seed(m)[0])
        out[m] = None if math.isnan(v) else v
    return out


__all__ = ["TRIAL", "BASELINES", "BACKENDS", "make_baseline", "probe_trial"]
