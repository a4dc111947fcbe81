"""An LLM playing the repeated game through a prompt style and a model backend.

Each round the agent renders its style's template (:mod:`activeq.tom.prompting`) with the history so far, asks the
backend, and parses the answer. An answer that cannot be read gets exactly one corrective follow-up (the model sees
its answer and a message saying what form is expected). If that fails too, the round is recorded as a parse
failure and the declared ``fallback`` is applied and counted: ``"uniform"`` (a uniformly random action, seeded per
round) or an action index. There is no silent substitution: every fallback shows in ``Decision.failed`` and in the
probe's ``parse_failure_rate``. In the ``social`` style the prediction is parsed too; an unreadable prediction is
counted in ``prediction_failure_rate`` and scored as wrong.

Sampling seeds are derived per (probe seed, round, attempt), so seeds differ from each other at temperature > 0 and
a resumed run asks the same questions. Raises ProbeError for an unknown style or fallback; the backend's
BackendError passes through.
"""

from __future__ import annotations

from typing import Any, Hashable, Sequence

from ..._checks import check_positive_int
from ...errors import ArgumentTypeError, ProbeError
from ..backends.base import derive_seed
from ..backends.cache import default_cache
from ..prompting import LABELLED, check_style, corrective, parse_action, render, template_hash
from .base import Decision, Episode, _Stateless, round_rng

MAX_TOKENS = {"plain": 8, "qa": 8, "oracle": 8, "social": 24, "cot": 128}
"""Default new-token budget per style (chain of thought needs room to think)."""


class _LLMPlayer(_Stateless):
    def __init__(self, agent: "LLMAgent", ep: Episode):
        self.agent, self.ep = agent, ep

    def _parse(self, text: str) -> tuple[int | None, int | None]:
        g, style = self.ep.game, self.agent.style
        labelled = style in LABELLED
        a = parse_action(text, g.action_names[0], "ACTION", labelled=labelled)
        p = parse_action(text, g.action_names[1], "PREDICTION", labelled=True) if style == "social" else None
        return a, p

    def decide(self, t: int, history: Sequence[tuple[int, int]], partner_state: Hashable) -> Decision:
        ag, ep = self.agent, self.ep
        msgs = render(ag.style, ep.game, history, ep.horizon, ep.partner, ag.history_window)
        seed = derive_seed(ep.seed, t, 0)
        out = ag.backend.complete(msgs, max_tokens=ag.max_tokens, seed=seed)
        texts = [out.text]
        ptok, ctok, lat, cached = out.prompt_tokens, out.completion_tokens, out.latency, out.cached
        a, p = self._parse(out.text)
        need_pred = ag.style == "social"
        retries = 0
        if a is None or (need_pred and p is None):
            retries = 1
            follow = msgs + [{"role": "assistant", "content": out.text}, corrective(ag.style, ep.game)]
            out2 = ag.backend.complete(follow, max_tokens=ag.max_tokens, seed=derive_seed(ep.seed, t, 1))
            texts.append(out2.text)
            ptok += out2.prompt_tokens
            ctok += out2.completion_tokens
            lat += out2.latency
            cached = cached and out2.cached
            a2, p2 = self._parse(out2.text)
            a = a if a is not None else a2
            p = p if p is not None else p2
        failed = a is None
        if failed:
            if ag.fallback == "uniform":
                a = int(round_rng(ep.seed, t, 3).integers(ep.game.num_actions[0]))
            else:
                a = int(ag.fallback)
        return Decision(int(a), p, failed, need_pred and p is None, retries, ptok, ctok, lat, cached,
                        "\n---\n".join(texts))


class LLMAgent:
    """A model behind ``backend`` prompted in ``style`` (see the module docstring).

    Parameters
    ----------
    backend : Backend
        E.g. :class:`~activeq.tom.backends.OpenAIChat` or :class:`~activeq.tom.backends.TransformersChat`.
    style : {"plain", "qa", "cot", "social", "oracle"}
        The prompt style.
    fallback : "uniform" or int
        What a round whose answer stays unreadable plays (counted as a parse failure).
    max_tokens : int, optional
        New-token budget per call (default per style, :data:`MAX_TOKENS`).
    cache : "auto", path, None or False
        Record/replay cache (:func:`activeq.tom.backends.cache.default_cache`); ``"auto"`` caches only at
        temperature 0.
    history_window : int, optional
        Show only the last this many rounds in full (after a count of the partner's actions over all rounds);
        None shows every round.
    """

    def __init__(self, backend: Any, style: str = "plain", *, fallback: str | int = "uniform",
                 max_tokens: int | None = None, cache: Any = "auto", history_window: int | None = None):
        if not callable(getattr(backend, "complete", None)):
            raise ArgumentTypeError(f"backend must be a model backend with .complete(), got {type(backend).__name__}")
        self.style = check_style(style)
        if fallback != "uniform" and (isinstance(fallback, bool) or not isinstance(fallback, int) or fallback < 0):
            raise ProbeError(f"fallback must be 'uniform' or an action index, got {fallback!r}")
        self.fallback = fallback
        self.max_tokens = int(max_tokens or MAX_TOKENS[self.style])
        self.backend = default_cache(backend, cache)
        self.model = str(backend.model)
        self.name = f"llm:{self.model}:{self.style}"
        self.template_hash = template_hash(self.style)
        self.history_window = None if history_window is None else check_positive_int(history_window,
                                                                                      "history_window")

    def start(self, episode: Episode) -> _LLMPlayer:
        if self.fallback != "uniform" and self.fallback >= episode.game.num_actions[0]:
            raise ProbeError(f"fallback action {self.fallback} is not one of the game's "
                             f"{episode.game.num_actions[0]} row actions")
        return _LLMPlayer(self, episode)
