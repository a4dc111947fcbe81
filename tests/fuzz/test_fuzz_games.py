"""Fuzz the games layer: constructors, catalog and file loaders, generators, converters, the PettingZoo env."""

import numpy as np
import scipy.sparse as sp

from activeq import IteratedGame, NormalFormGame, StochasticGame, load_game
from activeq.games.env import ParallelGameEnv
from activeq.games.generators import generate
from activeq.games.generators.scalable import cycle_tasks, rooms_mdp
from activeq.games.interop.gambit import read_nfg, to_nfg
from activeq.games.sparse_mdp import SparseMDP

from ._harness import Entry, fuzz_test

PD = NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])


def _profile_call(method):
    return lambda game, profile, **kw: getattr(game, method)(profile, **kw)


ENTRIES = [
    Entry("NormalFormGame", NormalFormGame,
          lambda: {"payoffs": np.zeros((2, 2, 2)), "action_names": [["a", "b"], ["c", "d"]],
                   "player_names": ["r", "c"], "name": "g", "title": "t", "description": "d"}),
    Entry("NormalFormGame.bimatrix", NormalFormGame.bimatrix, lambda: {"A": np.eye(2), "B": np.eye(2)}),
    Entry("NormalFormGame.zero_sum", NormalFormGame.zero_sum, lambda: {"A": np.eye(2)}),
    Entry("NormalFormGame.symmetric", NormalFormGame.symmetric, lambda: {"A": np.eye(2)}),
    Entry("NormalFormGame.expected_payoffs", _profile_call("expected_payoffs"),
          lambda: {"game": PD, "profile": [[0.5, 0.5], [1, 0]]}, fixed=("game",)),
    Entry("NormalFormGame.deviation_payoffs", lambda game, profile, player: game.deviation_payoffs(profile, player),
          lambda: {"game": PD, "profile": [[0.5, 0.5], [1, 0]], "player": 1}, fixed=("game",)),
    Entry("NormalFormGame.best_responses", lambda game, profile, player, tol: game.best_responses(profile, player, tol),
          lambda: {"game": PD, "profile": [[0.5, 0.5], [1, 0]], "player": 0, "tol": 1e-9}, fixed=("game",)),
    Entry("StochasticGame", StochasticGame,
          lambda: {"rewards": np.zeros((2, 1, 2)), "transitions": np.full((2, 2, 2), 0.5), "discount": 0.9,
                   "initial": [0.5, 0.5], "state_names": ["x", "y"], "action_names": [["a", "b"]],
                   "player_names": ["p"], "legal_actions": [np.ones((2, 2), dtype=bool)]}),
    Entry("StochasticGame(sparse)", StochasticGame,
          lambda: {"rewards": np.zeros((2, 1, 2)), "transitions": sp.csr_matrix(np.full((4, 2), 0.5))},
          aliases={"transitions": ("transitions",)}),
    Entry("StochasticGame.mdp", StochasticGame.mdp,
          lambda: {"rewards": np.zeros((2, 2)), "transitions": np.full((2, 2, 2), 0.5)}),
    Entry("StochasticGame.transition_matrix", lambda game, policies: game.transition_matrix(policies),
          lambda: {"game": IteratedGame(PD), "policies": [np.full((5, 2), 0.5)] * 2}, fixed=("game",)),
    Entry("IteratedGame", IteratedGame,
          lambda: {"stage": PD, "memory": 2, "discount": None, "name": "ipd", "max_states": 1000, "max_bytes": 10**8}),
    Entry("load_game", load_game, lambda: {"name_or_path": "prisoners_dilemma", "max_bytes": 10**8},
          aliases={"name_or_path": ("game", "file")}),
    Entry("read_nfg", read_nfg,
          lambda: {"source": 'NFG 1 R "x" { "a" "b" } { 2 1 }\n1 2 3 4', "text": True, "max_bytes": 10**6}),
    Entry("to_nfg", to_nfg, lambda: {"game": PD, "fmt": "payoff"}),
    Entry("generate(bottleneck_rooms)", lambda **kw: generate("bottleneck_rooms", **kw),
          lambda: {"rooms": 2, "length": 2, "switching": "random", "slip": 0.1, "start_room": 0,
                   "max_bytes": 10**8}),
    Entry("generate(grid_game)", lambda **kw: generate("grid_game", **kw),
          lambda: {"variant": 2, "discount": 0.9, "episodic": True}),
    Entry("generate(big_match)", lambda **kw: generate("big_match", **kw), lambda: {"discount": 0.8}),
    Entry("rooms_mdp", rooms_mdp, lambda: {"rooms": 2, "length": 2, "switching": "cycles", "slip": 0.1,
                                           "max_bytes": 10**8}),
    Entry("cycle_tasks", cycle_tasks, lambda: {"rooms": 2, "length": 2, "x": 1.0, "slip": 0.1}),
    Entry("SparseMDP", SparseMDP, lambda: {"rewards": np.zeros((2, 2)), "transitions": np.full((2, 2, 2), 0.5),
                                           "legal": np.ones((2, 2), dtype=bool)}),
    Entry("ParallelGameEnv", ParallelGameEnv, lambda: {"game": PD, "max_steps": 5, "seed": 0, "terminal_states": None, "render_mode": None}),
]

test_games_entry_points_fail_clearly = fuzz_test(ENTRIES)
