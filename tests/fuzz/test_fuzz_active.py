"""Fuzz activeq.active: learners' constructors, the active Markov game, the objective and best responses."""

import numpy as np

from activeq import IteratedGame, NormalFormGame, active

from ._harness import Entry, fuzz_test

PD = NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
IPD = IteratedGame(PD, memory=1)


def _amg() -> active.ActiveMarkovGame:
    return active.ActiveMarkovGame(IPD, [active.FixedPolicy([0.5, 0.5]), active.WindowedFictitiousPlay(window=1)])


ENTRIES = [
    Entry("FixedPolicy", active.FixedPolicy, lambda: {"policy": [0.5, 0.5], "name": "fixed"}),
    Entry("WindowedFictitiousPlay", active.WindowedFictitiousPlay,
          lambda: {"window": 2, "initial": [0, 1], "epsilon": 0.1, "name": "fp"}),
    Entry("NaiveLearner", active.NaiveLearner,
          lambda: {"lr": 1.0, "discount": 0.9, "init_logits": [0.0, 0.0], "init_scale": 0.1, "name": "naive"}),
    Entry("SampledNaiveLearner", active.SampledNaiveLearner,
          lambda: {"lr": 0.5, "critic_lr": 0.2, "discount": 0.9, "init_logits": None, "init_scale": 0.0,
                   "name": "s"}),
    Entry("LOLA", active.LOLA, lambda: {"lr": 1.0, "opponent_lr": 1.0, "discount": 0.9, "init_logits": None,
                                        "init_scale": 0.0, "lookahead_steps": 1, "name": "lola"}),
    Entry("QPersona", active.QPersona,
          lambda: {"initial_q": (10.0, 20.0), "epsilon": 0.05, "discount": 0.9, "lr": 0.5, "name": "q"}),
    Entry("TitForTat", active.TitForTat, lambda: {"initial": 0, "target": None, "epsilon": 0.0, "name": "tft"}),
    Entry("WinStayLoseShift", active.WinStayLoseShift,
          lambda: {"initial": 0, "aspiration": None, "epsilon": 0.0, "name": "wsls"}),
    Entry("ActiveMarkovGame", active.ActiveMarkovGame,
          lambda: {"game": IPD, "learners": [active.FixedPolicy([0.5, 0.5]), active.TitForTat()]}),
    Entry("active_average_reward", active.active_average_reward,
          lambda: {"amg": _amg(), "method": "auto", "steps": 50, "burn_in": 10, "chains": 2, "seed": 0,
                   "tol": 1e-3, "progress": False}, fixed=("progress",)),
    Entry("active_best_response(exact)", active.active_best_response,
          lambda: {"amg": _amg(), "agent": 0, "lookahead": "inf", "method": "auto", "seed": 0},
          aliases={"lookahead": ("lookahead",)}),
    Entry("active_best_response(search)", active.active_best_response,
          lambda: {"amg": _amg(), "agent": 0, "lookahead": 2, "method": "search", "population": 4,
                   "generations": 1, "chains": 2, "steps": 20, "burn_in": 5, "eval_chains": 2, "eval_steps": 20,
                   "meta": "auto", "bins": 2, "seed": 0}),
    Entry("active_equilibrium", active.active_equilibrium,
          lambda: {"amg": _amg(), "eps": 1e-3, "max_rounds": 2, "seed": 0}),
    Entry("compare", active.compare,
          lambda: {"game": PD, "opponents": ["tit_for_tat"], "baselines": [], "agent": 0, "equilibrium": False,
                   "steps": 30, "chains": 2, "search": None, "seed": 0}),
]

test_active_entry_points_fail_clearly = fuzz_test(ENTRIES, examples=25)
