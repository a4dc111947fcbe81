"""Run the CLI in-process and capture its output; a small written-out general-sum stochastic game."""

from __future__ import annotations

from activeq.cli import main

#: Two states, two players, general-sum; the same file is the stochastic example of the docs' TOML page.
SMALL_STOCHASTIC = '''
name = "{name}"
title = "Two-state coordination with a switch"
description = "In 'calm' both players want to match; matching on 'stay' keeps the state, 'go' moves to 'storm'."
reference = "Written for the activeq tests."
players = ["P1", "P2"]
actions = [["stay", "go"], ["stay", "go"]]
states = ["calm", "storm"]
discount = 0.9
# transitions[s][a1][a2] = next-state distribution (top-level keys come before the first [table])
transitions = [[[[1, 0], [0.5, 0.5]], [[0.5, 0.5], [0, 1]]],
               [[[0, 1], [0.5, 0.5]], [[0.5, 0.5], [1, 0]]]]

[rewards]  # rewards.<player>[s][a1][a2]
P1 = [[[2, 0], [0, 1]], [[1, 0], [0, 3]]]
P2 = [[[1, 0], [0, 2]], [[3, 0], [0, 1]]]
'''


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
