"""`activeq games --kind`: the spelling the table prints is accepted, and so is the underscore one."""

from __future__ import annotations

import json

from activeq import list_games

from ._helpers import run


def test_kind_accepts_the_printed_spelling(capsys):
    code, out, _ = run(capsys, "games", "--kind", "normal-form")
    assert code == 0
    body = out.strip().splitlines()[2:-2]
    want = [e.name for e in list_games() if e.kind == "normal_form"]
    assert [line.split()[0] for line in body] == want
    assert all(line.split()[1] == "normal-form" for line in body)
    code, out2, _ = run(capsys, "games", "--kind", "normal_form")
    assert code == 0 and out2 == out


def test_kind_stochastic_json(capsys):
    code, out, _ = run(capsys, "games", "--kind", "stochastic", "--json")
    names = [g["name"] for g in json.loads(out)["games"]]
    assert code == 0 and names == [e.name for e in list_games() if e.kind == "stochastic"] and "big_match" in names
