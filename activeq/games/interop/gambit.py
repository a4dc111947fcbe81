"""Gambit ``.nfg`` strategic-form files: read and write, pure text (no pygambit needed).

Both versions of the format are supported (Gambit manual, "Game representation formats"):

* **outcome version**: header ``NFG 1 R "title" { "P1" "P2" }``, the strategies ``{ { "C" "D" } { "C" "D" } }``,
  an optional comment string, then the outcome list ``{ { "name" u1, u2 } ... }`` and one outcome index per pure
  profile (``0`` = the null outcome, all payoffs 0);
* **payoff version**: header ``NFG 1 R "title" { "P1" "P2" } { 2 2 }`` (strategy counts, or names), an optional
  comment string, then the payoffs of every profile, all players' payoffs for one profile together.

Profiles are listed with player 1's strategy changing fastest. Payoffs may be integers, decimals or rationals
(``3/4``); they are read as floats and must be finite.

Files are untrusted: the file size is checked against :data:`activeq.limits.MAX_FILE_BYTES` before reading, the
declared strategy counts against the tokens the file actually holds (a payoff-version file of ``k`` profiles holds
``k x n`` numbers) and against :data:`activeq.limits.MAX_BYTES` (or ``max_bytes=``) before anything is
allocated, so a header such as ``{ 100000 100000 }`` fails at once with an :class:`~activeq.errors.InteropError`
naming the file. Every error names the file.

Writing uses integers where exact, short decimals where they round-trip, and exact rationals ``p/q`` otherwise, so
a written file reads back to identical floats.
"""

from __future__ import annotations

import math
import os
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from ..._checks import check_bool, check_choice, check_nbytes
from ...errors import InteropError
from .._files import read_text_file
from ..normal_form import NormalFormGame

_MAX_WORD = 400  # longest numeric token read: a payoff needs ~25 characters, a strategy count ~18
_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([{},])|([^\s{},"]+))', re.S)


class _Tokens:
    """Tokens of an .nfg text: ("str", text), ("sym", "{"/"}"), ("word", text); commas are dropped."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.items: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise InteropError(f"{source}: cannot tokenise .nfg text near {text[pos:pos + 30]!r}")
            pos = m.end()
            if m.group(1) is not None:
                self.items.append(("str", m.group(1).replace('\\"', '"').replace("\\\\", "\\")))
            elif m.group(2) is not None:
                if m.group(2) != ",":
                    self.items.append(("sym", m.group(2)))
            elif m.group(3) is not None:
                self.items.append(("word", m.group(3)))
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def take(self, kind: str | None = None, value: str | None = None, what: str = "token") -> str:
        tok = self.peek()
        if tok is None:
            raise InteropError(f"{self.source}: unexpected end of file, expected {what}")
        if (kind is not None and tok[0] != kind) or (value is not None and tok[1] != value):
            raise InteropError(f"{self.source}: expected {what}, got {tok[1]!r} (token {self.i + 1})")
        self.i += 1
        return tok[1]

    def strings_in_braces(self, what: str) -> list[str]:
        self.take("sym", "{", f"'{{' opening {what}")
        out = []
        while self.peek() is not None and self.peek()[0] == "str":
            out.append(self.take("str"))
        self.take("sym", "}", f"'}}' closing {what}")
        return out

    def number(self, what: str) -> float:
        word = self.take("word", None, what)
        try:
            if len(word) > _MAX_WORD:
                raise ValueError
            value = float(Fraction(word))
        except (ValueError, ZeroDivisionError, OverflowError):
            value = float("nan")
        if not np.isfinite(value):
            raise InteropError(f"{self.source}: {what} must be a number (finite), got {_clip(word)!r}") from None
        return value

    def integer(self, what: str, maximum: int = 10**15) -> int:
        word = self.take("word", None, what)
        if not re.fullmatch(r"\d+", word):
            raise InteropError(f"{self.source}: {what} must be a non-negative integer, got {_clip(word)!r}")
        if len(word.lstrip("0")) > len(str(maximum)) or int(word) > maximum:
            raise InteropError(f"{self.source}: {what} must be at most {maximum}, got {_clip(word)}")
        return int(word)

    def remaining(self) -> int:
        return len(self.items) - self.i


def read_nfg(source: str | os.PathLike[str], *, text: bool = False, max_bytes: int | None = None) -> NormalFormGame:
    """Read a Gambit ``.nfg`` game from a file path (or, with ``text=True``, from the file's contents).

    Parameters
    ----------
    source
        A path, or the file's text when ``text=True``.
    text
        Whether ``source`` is the text itself.
    max_bytes
        Largest payoff table to allocate; default :data:`activeq.limits.MAX_BYTES`.

    Returns
    -------
    NormalFormGame
        The game, with the file's title, player and strategy names.

    Raises
    ------
    activeq.errors.InteropError
        The file cannot be read, is not UTF-8, is malformed, or describes a game above the size limits; the
        message names the file.
    """
    if check_bool(text, "text"):
        if not isinstance(source, str):
            raise InteropError(f"source must be the .nfg text (a str) when text=True, got {type(source).__name__}")
        content, label = source, "source (.nfg text)"
    else:
        if not isinstance(source, (str, os.PathLike)):
            raise InteropError(f"source must be a path to a .nfg file, got {type(source).__name__}")
        label = f"source file {str(source)!r}"
        content = read_text_file(Path(source), label, InteropError)
    tok = _Tokens(content, label)
    tok.take("word", "NFG", "'NFG' at the start of the file")
    version = tok.take("word", None, "the format version")
    if version not in {"1", "2"}:
        raise InteropError(f"{label}: unsupported .nfg version {version!r}")
    tok.take("word", None, "'R' or 'D'")
    title = tok.take("str", None, "the game title (a quoted string)")
    players = tok.strings_in_braces("the player names")
    if not players:
        raise InteropError(f"{label}: the game has no players")
    # strategies: { 2 2 } (counts) or { { "a" "b" } { "c" "d" } } (names)
    tok.take("sym", "{", "'{' opening the strategies")
    names: list[list[str]] = []
    counts: list[int] = []
    if tok.peek() == ("sym", "{"):
        while tok.peek() == ("sym", "{"):
            names.append(tok.strings_in_braces(f"player {len(names) + 1}'s strategies"))
        counts = [len(s) for s in names]
    else:
        while tok.peek() is not None and tok.peek()[0] == "word":
            counts.append(tok.integer("a strategy count"))
        names = []  # numbered below, once the counts are known to be sane
    tok.take("sym", "}", "'}' closing the strategies")
    if len(counts) != len(players) or min(counts, default=0) < 1:
        raise InteropError(f"{label}: {len(players)} players but strategy counts {_clip(str(counts))}")
    comment = tok.take("str") if tok.peek() is not None and tok.peek()[0] == "str" else ""
    n, shape = len(players), tuple(counts)
    num_profiles = math.prod(shape)  # exact (Python ints): no overflow however large the header
    # Before allocating: the file must hold a number (or an outcome index) for every profile, and the table must
    # fit the memory limit. A short file claiming a huge game fails here, not in numpy.
    outcome_version = tok.peek() == ("sym", "{")
    needed = num_profiles if outcome_version else num_profiles * n
    if needed > tok.remaining():
        raise InteropError(f"{label}: unexpected end of file: the header declares {'x'.join(map(str, shape))} strategies, so the file must "
                           f"hold {needed} {'outcome indices' if outcome_version else 'payoffs'}, but only "
                           f"{tok.remaining()} tokens follow")
    check_nbytes(3 * 8 * num_profiles * n, f"{label}: the payoff table of a {'x'.join(map(str, shape))} game",
                 max_bytes, error=InteropError)
    flat = np.zeros((num_profiles, n))
    if outcome_version:
        tok.take("sym", "{")
        outcomes: list[list[float]] = []
        while tok.peek() == ("sym", "{"):
            tok.take("sym", "{")
            if tok.peek() is not None and tok.peek()[0] == "str":
                tok.take("str")
            values = []
            while tok.peek() is not None and tok.peek()[0] == "word":
                values.append(tok.number(f"a payoff of outcome {len(outcomes) + 1}"))
            tok.take("sym", "}", f"'}}' closing outcome {len(outcomes) + 1}")
            if len(values) != n:
                raise InteropError(f"{label}: outcome {len(outcomes) + 1} has {len(values)} payoffs, expected {n}")
            outcomes.append(values)
        tok.take("sym", "}", "'}' closing the outcome list")
        table = np.vstack([np.zeros(n)] + [np.array(o) for o in outcomes])
        for k in range(num_profiles):
            idx = tok.integer(f"the outcome index of profile {k + 1}")
            if idx >= len(table):
                raise InteropError(f"{label}: profile {k + 1} refers to outcome {idx}, but only "
                                   f"{len(outcomes)} are defined")
            flat[k] = table[idx]
    else:  # payoff version
        for k in range(num_profiles):
            for i in range(n):
                flat[k, i] = tok.number(f"payoff {i + 1} of profile {k + 1}")
    if tok.peek() is not None:
        raise InteropError(f"{label}: unexpected trailing content starting with {tok.peek()[1]!r}")
    # profile k has player 1's strategy changing fastest: Fortran order over the strategy axes
    payoffs = np.stack([flat[:, i].reshape(shape, order="F") for i in range(n)])
    names = [_distinct(s) for s in names] if names else [[str(k + 1) for k in range(c)] for c in counts]
    return NormalFormGame(payoffs, action_names=names, player_names=_distinct(players),
                          name=_slug(title) or None, title=title or None, description=comment or None)


def to_nfg(game: NormalFormGame, fmt: str = "outcome") -> str:
    """The ``.nfg`` text of ``game`` in the ``"outcome"`` or ``"payoff"`` version."""
    if not isinstance(game, NormalFormGame):
        raise InteropError(f"game must be a NormalFormGame, got {type(game).__name__}")
    check_choice(fmt, "fmt", ("outcome", "payoff"), error=InteropError)
    title = _quote(game.title or game.name or "")
    players = " ".join(_quote(p) for p in game.player_names)
    comment = _quote(game.description or "")
    n = game.num_players
    # rows: profiles with player 1 fastest
    flat = np.stack([game.payoffs[i].reshape(-1, order="F") for i in range(n)], axis=1)
    if fmt == "payoff":
        strategies = "{ " + " ".join("{ " + " ".join(_quote(a) for a in acts) + " }" for acts in game.action_names) + " }"
        lines = [f"NFG 1 R {title} {{ {players} }} {strategies}", comment, ""]
        lines += [" ".join(_num(v) for v in row) for row in flat]
        return "\n".join(lines) + "\n"
    lines = [f"NFG 1 R {title} {{ {players} }}", ""]
    lines.append("{ " + "\n".join("{ " + " ".join(_quote(a) for a in acts) + " }" for acts in game.action_names))
    lines += ["}", comment, "", "{"]
    for k, row in enumerate(flat):
        lines.append("{ \"\" " + ", ".join(_num(v) for v in row) + " }")
    lines.append("}")
    lines.append(" ".join(str(k + 1) for k in range(len(flat))))
    return "\n".join(lines) + "\n"


def write_nfg(game: NormalFormGame, path: str | os.PathLike[str], fmt: str = "outcome") -> Path:
    """Write ``game`` to ``path`` as ``.nfg`` (``fmt`` = ``"outcome"`` or ``"payoff"``); returns the path."""
    path = Path(path)
    path.write_text(to_nfg(game, fmt), encoding="utf-8")
    return path


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[:width] + "..."


def _quote(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(v: float) -> str:
    v = float(v)
    if v.is_integer() and abs(v) < 2 ** 53:
        return str(int(v))
    text = repr(v)
    if "e" not in text and "inf" not in text and "nan" not in text:
        return text
    ratio = Fraction(v)
    return f"{ratio.numerator}/{ratio.denominator}"


def _slug(title: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", title).strip("_").lower()


def _distinct(names: list[str]) -> list[str]:
    """Gambit allows empty or repeated labels; activeq needs distinct names, so number them where needed."""
    if all(names) and len(set(names)) == len(names):
        return list(names)
    return [f"{s or ''}{'#' if s else ''}{k + 1}" for k, s in enumerate(names)]


__all__ = ["read_nfg", "write_nfg", "to_nfg"]
