"""Prompt templates (package data in ``activeq/tom/prompts/*.txt``), their rendering, and the answer parser.

A template is text with ``### system`` / ``### user`` sections and ``$name`` placeholders (:class:`string.Template`):
``$game``, ``$rules`` (the payoff table in words), ``$history`` (one line per round), ``$round``, ``$rounds``,
``$played``, ``$actions``, ``$partner_actions`` and, for the ``oracle`` style, ``$partner_policy`` (the partner's
automaton in words). Every probe result records the SHA-256 of the template it used (:func:`template_hash`).

The parser (:func:`parse_action`): an answer that is exactly an action's name (case, surrounding whitespace, quotes,
``*`` and a final period ignored) always parses; otherwise a labelled line ``ACTION: name`` (the last one) parses;
otherwise, for styles without labels, a text in which exactly one action name occurs as a word parses. Anything else
is a failure (None): the agent then sends the corrective prompt once, and after a second failure applies its declared
fallback and counts it.

Raises ProbeError for an unknown style.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any, Sequence

import numpy as np

from ..errors import ProbeError
from ..games import NormalFormGame

STYLES = ("plain", "qa", "cot", "social", "oracle")
"""Prompt styles: history then action; question/answer; chain of thought; predict-then-act; policy told."""

LABELLED = ("cot", "social")
"""Styles whose answers must carry ``ACTION:`` (and ``PREDICTION:``) labels."""


def check_style(style: Any) -> str:
    """``style`` if it is a known prompt style, else ProbeError listing them."""
    if style not in STYLES:
        raise ProbeError(f"style must be one of {', '.join(STYLES)}; got {style!r}")
    return style


@lru_cache(maxsize=None)
def template_text(name: str) -> str:
    """The raw text of template ``name`` (a style or ``corrective``)."""
    if name != "corrective":
        check_style(name)
    return (resources.files("activeq.tom") / "prompts" / f"{name}.txt").read_text(encoding="utf-8")


def template_hash(name: str) -> str:
    """SHA-256 (hex, first 16 digits) of template ``name``'s text."""
    return hashlib.sha256(template_text(name).encode("utf-8")).hexdigest()[:16]


def _sections(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for block in re.split(r"^### ", text, flags=re.M):
        if not block.strip():
            continue
        role, _, body = block.partition("\n")
        out.append((role.strip(), body.strip()))
    return out


def rules_text(game: NormalFormGame) -> str:
    """The payoff table in words, from the agent's (row player's) side."""
    rows, cols = game.action_names
    U, V = game.payoff_matrix(0), game.payoff_matrix(1)
    parts = [f"If you play {r} and your partner plays {c}, you get {U[i, j]:g} and your partner gets {V[i, j]:g}."
             for i, r in enumerate(rows) for j, c in enumerate(cols)]
    return " ".join(parts)


def history_text(game: NormalFormGame, history: Sequence[tuple[int, int]], window: int | None = None) -> str:
    """One line per round played so far (only the last ``window`` rounds, after a count of the partner's actions over
    all rounds, when ``window`` is given)."""
    if not history:
        return "(none yet)"
    rows, cols = game.action_names
    U = game.payoff_matrix(0)
    start = 0 if window is None or len(history) <= window else len(history) - window
    lines = [f"Round {t + 1}: you played {rows[a]}, partner played {cols[b]}, you got {U[a, b]:g}."
             for t, (a, b) in enumerate(history) if t >= start]
    if start:
        counts = np.bincount([b for _, b in history], minlength=len(cols))
        lines.insert(0, f"(rounds 1-{start} not shown; over all {len(history)} rounds your partner played "
                        + ", ".join(f"{c} {int(k)} times" for c, k in zip(cols, counts)) + ")")
    return "\n".join(lines)


def partner_policy_text(game: NormalFormGame, partner: Any) -> str:
    """A finite partner's automaton in words (states, actions, transitions); a learner is named only."""
    if partner is None:
        return "not given."
    if not getattr(partner, "finite", False):
        return f"a learning partner ({partner.name}) whose policy changes with the history."
    auto = partner.as_automaton()
    rows, cols = game.action_names
    if auto.num_states == 1:
        pi = auto.policy_matrix[0]
        return "it always plays " + _dist(pi, cols) + "."
    lines = []
    for q in range(auto.num_states):
        moves = "; ".join(f"after you play {rows[a]} it goes to state {auto.next[q, a, 0]}"
                          for a in range(len(rows)))
        lines.append(f"in state {q} it plays {_dist(auto.policy_matrix[q], cols)} ({moves})")
    return f"it starts in state {auto.start}; " + "; ".join(lines) + "."


def _dist(pi: np.ndarray, names: Sequence[str]) -> str:
    if np.isclose(pi.max(), 1.0):
        return names[int(np.argmax(pi))]
    return ", ".join(f"{n} with probability {p:.2f}" for n, p in zip(names, pi) if p > 0)


def render(style: str, game: NormalFormGame, history: Sequence[tuple[int, int]], horizon: int,
           partner: Any = None, window: int | None = None) -> list[dict[str, str]]:
    """The chat messages of ``style`` for the round after ``history`` (the last ``window`` rounds shown in full)."""
    text = template_text(check_style(style))
    values = {"game": game.title or game.name or "a matrix game", "rules": rules_text(game),
              "history": history_text(game, history, window), "round": len(history) + 1, "rounds": horizon,
              "played": len(history), "actions": ", ".join(game.action_names[0]),
              "partner_actions": ", ".join(game.action_names[1]),
              "partner_policy": partner_policy_text(game, partner) if style == "oracle" else ""}
    return [{"role": role, "content": Template(body).safe_substitute(values)} for role, body in _sections(text)]


def corrective(style: str, game: NormalFormGame) -> dict[str, str]:
    """The one corrective user message sent after an unreadable answer."""
    acts = ", ".join(game.action_names[0])
    if style == "social":
        expected = (f"Reply with exactly two lines, PREDICTION: <one of {', '.join(game.action_names[1])}> "
                    f"and ACTION: <one of {acts}>.")
    elif style == "cot":
        expected = f"Reply with one line: ACTION: <one of {acts}>."
    else:
        expected = f"Reply with exactly one of: {acts}."
    body = _sections(template_text("corrective"))[0][1]
    return {"role": "user", "content": Template(body).safe_substitute(expected=expected)}


_STRIP = " \t\r\n\"'`*.!"


def _exact(text: str, names: Sequence[str]) -> int | None:
    t = text.strip(_STRIP).lower()
    for k, n in enumerate(names):
        if t == n.lower():
            return k
    return None


def parse_action(text: Any, names: Sequence[str], label: str = "ACTION", labelled: bool = False) -> int | None:
    """The action index an answer names, or None (see the module docstring).

    Parameters
    ----------
    text : str
        The model's answer.
    names : sequence of str
        The legal action names.
    label : str
        The label of a labelled line (``ACTION`` or ``PREDICTION``).
    labelled : bool
        Require the labelled form (chain-of-thought and social styles), after the exact-name rule.

    Returns
    -------
    int or None
    """
    if not isinstance(text, str):
        return None
    k = _exact(text, names)
    if k is not None and label == "ACTION":
        return k
    found = re.findall(rf"{label}\s*[:=\-]\s*\**\s*([^\n]*)", text, flags=re.I)
    for cand in reversed(found):
        k = _exact(cand, names)
        if k is not None:
            return k
        words = set(re.findall(r"[a-z_]+", cand.lower()))
        hits = [j for j, n in enumerate(names) if n.lower() in words]
        if len(hits) == 1:
            return hits[0]
    if labelled or found:
        return None
    words = set(re.findall(r"[a-z_]+", text.lower()))
    hits = [j for j, n in enumerate(names) if n.lower() in words]
    return hits[0] if len(hits) == 1 else None
