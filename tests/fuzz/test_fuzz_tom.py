"""Fuzz activeq.tom: partner and agent constructors, the exact oracle, one game played, probes and sweeps."""

import tempfile

from activeq import load_game, tom
from activeq.tom import agents, partners

from ._harness import Entry, fuzz_test

RPS = load_game("rock_paper_scissors")
PD = load_game("prisoners_dilemma")


def _checkpoint() -> str:
    return tempfile.mkdtemp(prefix="fuzz-tom-")


ENTRIES = [
    Entry("cycle", partners.cycle, lambda: {"sequence": [0, 1, 2]}),
    Entry("single_action", partners.single_action, lambda: {"action": 1}),
    Entry("mixed", partners.mixed, lambda: {"probabilities": [0.2, 0.3, 0.5]}),
    Entry("noisy", partners.noisy, lambda: {"partner": partners.single_action(0), "epsilon": 0.1}),
    Entry("tit_for_tat", partners.tit_for_tat, lambda: {"game": RPS, "rule": "beat", "first": 0}),
    Entry("fictitious_play", partners.fictitious_play, lambda: {"window": 2, "epsilon": 0.1, "initial": [0, 1]}),
    Entry("q_learner", partners.q_learner, lambda: {"initial_q": None, "epsilon": 0.1, "discount": 0.9, "lr": 0.5}),
    Entry("parse_partner", partners.parse_partner, lambda: {"spec": "tft:beat"}),
    Entry("ModelBased", agents.ModelBased, lambda: {"optimism": 0.3, "prior": 1.0}),
    Entry("BestResponder", agents.BestResponder, lambda: {"predictor": "last"}),
    Entry("PredictsWell", agents.PredictsWell, lambda: {"accuracy": 0.9}),
    Entry("oracle", tom.oracle, lambda: {"game": RPS, "partner": partners.single_action(0), "horizon": 5,
                                         "gain": True}),
    Entry("oracle(tit_for_tat)", tom.oracle, lambda: {"game": PD, "partner": partners.tit_for_tat(), "horizon": 4,
                                                      "gain": False}),
    Entry("play", tom.play, lambda: {"game": RPS, "orc": tom.oracle(RPS, partners.single_action(0), 5),
                                     "agent": agents.ModelBased(), "seed": 0, "checkpoint": None}),
    Entry("probe", tom.probe, lambda: {"game": RPS, "partner": partners.single_action(0), "agent": agents.Oracle(),
                                       "rounds": 5, "seeds": 2, "seed": 0, "checkpoint": None, "workers": 1,
                                       "progress": False}, fixed=("progress",)),
    Entry("probe(checkpoint)", tom.probe, lambda: {"game": PD, "partner": partners.tit_for_tat(),
                                                   "agent": agents.PredictsWell(0.9), "rounds": 4, "seeds": [0, 3],
                                                   "checkpoint": _checkpoint()}),
    Entry("sweep", tom.sweep, lambda: {"cells": [(RPS, partners.single_action(0), agents.BestResponder())],
                                       "rounds": 4, "seeds": 2, "seed": 0, "workers": 1}),
]

test_tom_entry_points_fail_clearly = fuzz_test(ENTRIES, examples=25)
