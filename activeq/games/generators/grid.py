"""Hu & Wellman's two-player grid games 1 and 2 as discounted stochastic games.

Reference: J. Hu and M. P. Wellman, "Nash Q-learning for general-sum stochastic games",
Journal of Machine Learning Research 4:1039-1069 (2003), Section 5 (grid-world games).

Conventions (ours where the paper leaves room; all documented so solvers can be checked against them):

* The 3x3 grid's cells are numbered as in the paper, bottom row first::

      6 7 8
      3 4 5
      0 1 2

  Agent 1 (``P1``) starts in cell 0, agent 2 (``P2``) in cell 2.
* Grid game 1: P1's goal is cell 8, P2's goal is cell 6 (the paths cross).
  Grid game 2: both share the goal cell 7; moving *up* out of cell 0 or cell 2 crosses a barrier and succeeds
  with probability 1/2 (otherwise the agent stays where it is).
* Actions (for both agents, in every state): ``left``, ``right``, ``up``, ``down``. A move off the grid leaves
  the agent in place.
* Collision: if both agents' destinations (after barriers and walls) are the same cell, both bounce back to where
  they were and each receives -1; the exception is the goal cell when it is both agents' goal (grid game 2), which
  both may enter together. Agents may swap cells (they pass each other).
* Reaching one's goal pays +100 on the step the agent enters it; every other step pays 0. If both agents
  reach their goals on the same step both get 100.
* The game ends as soon as at least one agent is on its goal. With ``episodic=True`` (default) every joint position
  with an agent on its goal is an absorbing state with reward 0, so discounted values are those of one episode
  (as in the paper). With ``episodic=False`` the step that ends the game moves to the start position instead
  (a continuing game for average-reward use); the goal positions are then unreachable and also lead to the start.
* States are all 81 ordered joint positions ``(l1, l2)``, index ``9*l1 + l2``, named ``"(l1,l2)"``; positions that
  cannot occur (both agents on one non-goal cell) are kept so that the state index is simply the position pair.
  Rewards ``R[s, i, a]`` are expectations over the barrier outcome.
* Discount 0.99, as in the paper.

Known equilibria. Hu & Wellman report that grid game 1 has a unique equilibrium Q-function and grid game 2 has
three. In grid game 1 the equilibrium paths are pairs of non-colliding shortest (4-move) paths, e.g.
P1 0-3-4-5-8 with P2 2-1-0-3-6, worth ``100 * 0.99**3 = 97.0299`` to each agent from the start. In grid game 2 two
of them are mirror images: one agent moves into the centre cell 1 and walks up (3 moves, value ``100 * 0.99**2``),
the other tries the barrier and reaches the goal together with it only if its first crossing succeeds (value
``0.5 * 100 * 0.99**2``); both agents heading for the centre collide. ``tests/games/test_generators.py`` checks
these values and best responses by exact policy evaluation and value iteration on the encoded game.
"""

from __future__ import annotations

import numpy as np

from ..stochastic import StochasticGame
from ...errors import CatalogError
from . import register_generator

GRID_SIZE = 3
GRID_ACTIONS = ("left", "right", "up", "down")
_STEPS = {"left": (0, -1), "right": (0, 1), "up": (1, 0), "down": (-1, 0)}


def move(cell: int, action: int) -> int:
    """The cell reached from ``cell`` by action index ``action``; a move off the grid stays in place."""
    row, col = divmod(cell, GRID_SIZE)
    dr, dc = _STEPS[GRID_ACTIONS[action]]
    r, c = row + dr, col + dc
    return r * GRID_SIZE + c if 0 <= r < GRID_SIZE and 0 <= c < GRID_SIZE else cell


#: Start cells and goal cells per game variant: {variant: (starts, goals, barrier cells)}.
LAYOUTS: dict[int, tuple[tuple[int, int], tuple[int, int], tuple[int, ...]]] = {
    1: ((0, 2), (8, 6), ()),
    2: ((0, 2), (7, 7), (0, 2)),
}
GOAL_REWARD = 100.0
COLLISION_REWARD = -1.0
BARRIER_PASS = 0.5


def _destinations(cell: int, action: int, barriers: tuple[int, ...]) -> list[tuple[float, int]]:
    """(probability, destination) pairs for one agent's move, barriers included."""
    target = move(cell, action)
    if cell in barriers and GRID_ACTIONS[action] == "up":
        return [(BARRIER_PASS, target), (1.0 - BARRIER_PASS, cell)]
    return [(1.0, target)]


@register_generator("grid_game", kind="stochastic")
def grid_game(variant: int = 1, discount: float = 0.99, episodic: bool = True) -> StochasticGame:
    """Hu & Wellman (2003) grid game ``variant`` (1 or 2) on the 3x3 grid; see the module docstring."""
    if isinstance(variant, bool) or not isinstance(variant, int) or variant not in LAYOUTS:
        raise CatalogError(f"variant must be 1 or 2 (Hu & Wellman's grid games), got {variant!r}")
    if not isinstance(episodic, bool):
        raise CatalogError(f"episodic must be true or false, got {episodic!r}")
    starts, goals, barriers = LAYOUTS[variant]
    cells = GRID_SIZE * GRID_SIZE
    S, A = cells * cells, len(GRID_ACTIONS)
    start = starts[0] * cells + starts[1]
    R = np.zeros((S, 2, A, A))
    T = np.zeros((S, A, A, S))
    for l1 in range(cells):
        for l2 in range(cells):
            s = l1 * cells + l2
            if l1 == goals[0] or l2 == goals[1]:  # game over: absorbing (or back to the start)
                T[s, :, :, s if episodic else start] = 1.0
                continue
            for a1 in range(A):
                for a2 in range(A):
                    for p1, d1 in _destinations(l1, a1, barriers):
                        for p2, d2 in _destinations(l2, a2, barriers):
                            p = p1 * p2
                            reward = np.zeros(2)
                            if d1 == d2 and not (d1 == goals[0] and d2 == goals[1]):
                                n1, n2 = l1, l2
                                reward += COLLISION_REWARD
                            else:
                                n1, n2 = d1, d2
                            done = False
                            if n1 == goals[0]:
                                reward[0] += GOAL_REWARD
                                done = True
                            if n2 == goals[1]:
                                reward[1] += GOAL_REWARD
                                done = True
                            nxt = start if (done and not episodic) else n1 * cells + n2
                            R[s, :, a1, a2] += p * reward
                            T[s, a1, a2, nxt] += p
    initial = np.zeros(S)
    initial[start] = 1.0
    names = [f"({l1},{l2})" for l1 in range(cells) for l2 in range(cells)]
    return StochasticGame(R, T, discount=discount, initial=initial, state_names=names,
                          action_names=[GRID_ACTIONS, GRID_ACTIONS], player_names=["P1", "P2"],
                          name=f"grid_game_{variant}", title=f"Hu & Wellman grid game {variant}")


def state_index(l1: int, l2: int) -> int:
    """State index of the joint position (P1 in cell ``l1``, P2 in cell ``l2``)."""
    cells = GRID_SIZE * GRID_SIZE
    if not (0 <= l1 < cells and 0 <= l2 < cells):
        raise CatalogError(f"cells must be in [0, {cells}), got ({l1}, {l2})")
    return l1 * cells + l2
