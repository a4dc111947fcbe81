"""Scalable MDPs whose mixing times grow polynomially with their size, and chains with known mixing times.

**Bottleneck rooms.** ``rooms`` square regions of ``length x length`` cells laid out row-major on a grid with
``ceil(sqrt(rooms))`` columns. Neighbouring rooms are joined by a single door (bottleneck): between horizontal
neighbours from the middle cell of the right wall ``(length // 2, length - 1)`` to ``(length // 2, 0)`` of the
next room, between vertical neighbours from ``(length - 1, length // 2)`` to ``(0, length // 2)``; every other wall
blocks. Actions ``up, down, left, right``; with probability ``slip`` (default 5%) the executed action is uniformly
random among the four instead of the chosen one; a blocked move stays in place. Room ``q`` has one goal, its
top-left cell ``(0, 0)``. Task ``k`` rewards 1 for every step taken *at* goal ``k`` (any action) and 0
elsewhere; the step taken at the active goal switches the task (the agent then moves as usual):

* ``switching="cycles"``: task ``k`` is followed by ``(k + 1) % rooms``;
* ``"random"``: by a uniformly random other task;
* ``"curricular"``: usually forward, sometimes review: after task ``k >= 1`` the next task is ``(k + 1) % rooms``
  with probability 1/2 and otherwise a uniformly random earlier task ``j < k``; task 0 is followed by task 1.

The task index is part of the state (state ``k * n_cells + cell``), so :func:`rooms_mdp` is a genuine finite,
continuing MDP (never done) whose optimal gain :func:`activeq.avgreward.solve_average_reward` computes exactly.

**Cycle tasks.** :func:`cycle_tasks`: the same layout, but task ``k`` is active for ``2 * length**x`` steps
regardless of the agent, then task ``(k + 1) % rooms``: a documented non-stationary schedule with one stationary
MDP per task (:meth:`CycleTasks.task_mdp`), or as one MDP with the phase counter in the state
(:meth:`CycleTasks.as_mdp`, small sizes only).

**Chains with known mixing times** (sparse CSR fixtures): lazy random walk on the n-cycle and on the n-path
(t_mix = Theta(n^2)), the walk on the complete graph (t_mix = 1), the lazy walk on the d-dimensional hypercube
(t_mix ~ (1/2) d log d).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from ..._checks import check_choice, check_in_range, check_nbytes, check_positive_int
from ...errors import ArgumentError, GameError
from ..sparse_mdp import SparseMDP
from ..stochastic import StochasticGame
from . import register_generator

ACTIONS = ("up", "down", "left", "right")
_MOVES = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)])
SWITCHING = ("cycles", "random", "curricular")
DENSE_STATE_LIMIT = 2500  # the dense StochasticGame form stores S * A * S floats


@dataclass(frozen=True)
class RoomsLayout:
    """Geometry and cell-level dynamics of bottleneck rooms (see the module docstring)."""

    rooms: int
    length: int
    slip: float = 0.05

    def __post_init__(self) -> None:
        object.__setattr__(self, "rooms", check_positive_int(self.rooms, "rooms"))
        object.__setattr__(self, "length", check_positive_int(self.length, "length"))
        object.__setattr__(self, "slip", check_in_range(self.slip, "slip", 0.0, 1.0))

    @property
    def columns(self) -> int:
        return math.ceil(math.sqrt(self.rooms))

    @property
    def n_cells(self) -> int:
        return self.rooms * self.length ** 2

    @property
    def n_actions(self) -> int:
        return len(ACTIONS)

    def cell(self, room: int, row: int, col: int) -> int:
        """Cell index of local position ``(row, col)`` in ``room``."""
        return (room * self.length + row) * self.length + col

    @cached_property
    def coords(self) -> np.ndarray:
        """``(n_cells, 3)`` array of ``(room, row, col)``."""
        L = self.length
        c = np.arange(self.n_cells)
        return np.stack([c // (L * L), (c // L) % L, c % L], axis=1)

    @cached_property
    def goals(self) -> np.ndarray:
        """Goal cell of each room (its top-left cell)."""
        return np.array([self.cell(q, 0, 0) for q in range(self.rooms)])

    @cached_property
    def next_cell(self) -> np.ndarray:
        """Deterministic move table ``(n_cells, 4)``: the cell reached by each action without slip."""
        L, cols = self.length, self.columns
        room, row, col = self.coords.T
        out = np.empty((self.n_cells, 4), dtype=np.int64)
        mid = L // 2
        for a, (dr, dc) in enumerate(_MOVES):
            r2, c2 = row + dr, col + dc
            inside = (r2 >= 0) & (r2 < L) & (c2 >= 0) & (c2 < L)
            target = np.where(inside, (room * L + np.clip(r2, 0, L - 1)) * L + np.clip(c2, 0, L - 1), -1)
            # doors to the neighbouring room (exist only when that room exists and shares the wall)
            qr, qc = room // cols, room % cols
            if dc != 0:
                nq = room + dc
                door = (~inside) & (row == mid) & (col == (L - 1 if dc > 0 else 0)) & (qc + dc >= 0) & \
                    (qc + dc < cols) & (nq >= 0) & (nq < self.rooms)
                target = np.where(door, (nq * L + mid) * L + (0 if dc > 0 else L - 1), target)
            else:
                nq = room + dr * cols
                door = (~inside) & (col == mid) & (row == (L - 1 if dr > 0 else 0)) & (qr + dr >= 0) & \
                    (nq >= 0) & (nq < self.rooms)
                target = np.where(door, (nq * L + (0 if dr > 0 else L - 1)) * L + mid, target)
            out[:, a] = np.where(target >= 0, target, np.arange(self.n_cells))
        out.setflags(write=False)
        return out

    @cached_property
    def cell_transitions(self) -> sp.csr_matrix:
        """Cell dynamics ``(n_cells * 4, n_cells)`` CSR, row ``cell * 4 + action`` (slip included)."""
        C, A = self.n_cells, self.n_actions
        w = (1.0 - self.slip) * np.eye(A) + self.slip / A  # w[a, b]: executed b when a chosen
        rows = np.repeat(np.arange(C * A), A)
        cols = self.next_cell[np.repeat(np.arange(C), A * A), np.tile(np.arange(A), C * A)]
        vals = np.tile(w.ravel(), C)
        T = sp.csr_matrix((vals, (rows, cols)), shape=(C * A, C))
        T.sum_duplicates()
        T.eliminate_zeros()
        return T

    def task_rewards(self, task: int) -> np.ndarray:
        """Rewards ``(n_cells, 4)`` of task ``task``: 1 for any action taken at its goal."""
        k = self._task(task)
        R = np.zeros((self.n_cells, self.n_actions))
        R[self.goals[k]] = 1.0
        return R

    def task_mdp(self, task: int) -> SparseMDP:
        """The stationary MDP of one task over cells (goal fixed, no switching): a SparseMDP."""
        return SparseMDP(self.task_rewards(task), self.cell_transitions)

    def distances(self) -> np.ndarray:
        """Shortest-path step counts between cells ``(n_cells, n_cells)`` ignoring slip (BFS)."""
        import scipy.sparse.csgraph as csgraph

        C = self.n_cells
        check_nbytes(8 * C * C, f"the ({C}, {C}) distance table of {self.rooms} rooms of {self.length}x{self.length}")
        G = sp.csr_matrix((np.ones(C * 4), (np.repeat(np.arange(C), 4), self.next_cell.ravel())), shape=(C, C))
        return csgraph.shortest_path(G, unweighted=True)

    def _task(self, task: int) -> int:
        if not isinstance(task, (int, np.integer)) or isinstance(task, bool) or not 0 <= task < self.rooms:
            raise ArgumentError(f"task must be an int in [0, {self.rooms}), got {task!r}")
        return int(task)


def switch_matrix(rooms: int, switching: str) -> np.ndarray:
    """Task-switch probabilities ``Q[k, k']`` applied when task ``k``'s goal is reached."""
    K = check_positive_int(rooms, "rooms")
    check_choice(switching, "switching", SWITCHING)
    Q = np.zeros((K, K))
    if K == 1:
        Q[0, 0] = 1.0
        return Q
    for k in range(K):
        if switching == "cycles":
            Q[k, (k + 1) % K] = 1.0
        elif switching == "random":
            Q[k] = 1.0 / (K - 1)
            Q[k, k] = 0.0
        else:
            if k == 0:
                Q[k, 1] = 1.0
            else:
                Q[k, (k + 1) % K] += 0.5
                Q[k, :k] += 0.5 / k
    return Q


def rooms_nbytes(rooms: int, length: int, switching: str = "cycles") -> int:
    """Bytes :func:`rooms_mdp` allocates (an upper estimate, computed without allocating): the task-switch matrix,
    the sparse transitions (value, column and row index per entry, built from coordinate form) and the rewards."""
    K, C, A = rooms, rooms * length ** 2, len(ACTIONS)
    fanout = 1 if switching == "cycles" or K == 1 else K - 1
    nnz = K * C * A * A + K * A * A * fanout  # cell moves in every task, plus the goal rows switching tasks
    return 8 * K * K + 3 * 8 * nnz + 8 * K * C * A


def rooms_mdp(rooms: int = 4, length: int = 5, switching: str = "cycles", slip: float = 0.05, *,
              max_bytes: int | None = None) -> SparseMDP:
    """Bottleneck rooms with switching goals as a :class:`activeq.avgreward.SparseMDP`; state ``task * n_cells +
    cell``, 4 actions. Scales to thousands of states (16 rooms of 5x5: 6400 states).

    The size is checked before anything is built: :func:`rooms_nbytes` against ``max_bytes`` (default
    :data:`activeq.limits.MAX_BYTES`), raising :class:`~activeq.errors.ArgumentError` with both numbers.
    """

    layout = RoomsLayout(rooms, length, slip)
    check_choice(switching, "switching", SWITCHING)
    check_nbytes(rooms_nbytes(layout.rooms, layout.length, switching),
                 f"rooms_mdp(rooms={layout.rooms}, length={layout.length}, switching={switching!r})", max_bytes)
    K, C, A = layout.rooms, layout.n_cells, layout.n_actions
    Q = switch_matrix(K, switching)
    cell = layout.cell_transitions.tocoo()  # rows c * A + a
    c_of_row = cell.row // A
    blocks_r, blocks_c, blocks_v = [], [], []
    for k in range(K):
        at_goal = c_of_row == layout.goals[k]
        # not at the goal: task stays k
        stay = ~at_goal
        blocks_r.append(k * C * A + cell.row[stay])
        blocks_c.append(k * C + cell.col[stay])
        blocks_v.append(cell.data[stay])
        for k2 in np.flatnonzero(Q[k]):
            blocks_r.append(k * C * A + cell.row[at_goal])
            blocks_c.append(k2 * C + cell.col[at_goal])
            blocks_v.append(Q[k, k2] * cell.data[at_goal])
    T = sp.csr_matrix((np.concatenate(blocks_v), (np.concatenate(blocks_r), np.concatenate(blocks_c))),
                      shape=(K * C * A, K * C))
    R = np.zeros((K * C, A))
    R[np.arange(K) * C + layout.goals] = 1.0
    return SparseMDP(R, T)


@register_generator("bottleneck_rooms", kind="stochastic")
def bottleneck_rooms(rooms: int = 4, length: int = 5, switching: str = "cycles", slip: float = 0.05,
                     start_room: int | None = None, *, max_bytes: int | None = None) -> StochasticGame:
    """Bottleneck rooms with switching goals as a one-player StochasticGame (average reward, continuing).

    ``rooms`` regions of ``length x length`` cells joined by single-cell doors, one goal per room, reward 1 at the
    active goal, the task switching when it is reached (``switching`` in cycles/random/curricular), ``slip``
    action noise. State ``task * n_cells + cell``. The game starts at task 0 in the centre of room
    ``start_room`` (default: the last room). Dense form: at most 2500 states, checked before anything is built;
    use :func:`rooms_mdp` (sparse) for bigger layouts.
    """
    layout = RoomsLayout(rooms, length, slip)
    S = layout.rooms * layout.n_cells
    if S > DENSE_STATE_LIMIT:
        raise GameError(f"bottleneck_rooms with {rooms} rooms of {length}x{length} has {S} states; the dense "
                        f"StochasticGame form is limited to {DENSE_STATE_LIMIT} states: use "
                        f"activeq.games.generators.scalable.rooms_mdp(...) for the sparse MDP")
    m = rooms_mdp(rooms, length, switching, slip, max_bytes=max_bytes)
    q0 = rooms - 1 if start_room is None else start_room
    if not isinstance(q0, (int, np.integer)) or not 0 <= q0 < rooms:
        raise ArgumentError(f"start_room must be an int in [0, {rooms}), got {start_room!r}")
    init = np.zeros(S)
    init[layout.cell(int(q0), length // 2, length // 2)] = 1.0
    C = layout.n_cells
    names = [f"task{k}/room{q}({r},{c})" for k in range(rooms) for q, r, c in layout.coords]
    return m.to_game(initial=init, state_names=names, action_names=[list(ACTIONS)], player_names=["agent"],
                     name=f"bottleneck_rooms_{rooms}x{length}_{switching}",
                     title=f"Bottleneck rooms: {rooms} rooms of {length}x{length}, {switching} switching",
                     description="Continuing average-reward MDP with polynomial mixing time (see "
                                 "activeq.games.generators.scalable).")


@dataclass(frozen=True)
class CycleTasks:
    """Goals switching on a clock: task ``(t // period) % rooms`` is active at step ``t``, ``period = 2 length^x``."""

    layout: RoomsLayout
    x: float

    @property
    def period(self) -> int:
        return int(2 * round(self.layout.length ** self.x))

    def task_at(self, t: int | np.ndarray) -> int | np.ndarray:
        """The active task at step(s) ``t``."""
        return (np.asarray(t) // self.period) % self.layout.rooms if np.ndim(t) else \
            (int(t) // self.period) % self.layout.rooms

    def task_mdp(self, task: int) -> SparseMDP:
        """Stationary per-task MDP over cells (reward 1 at the task's goal, no switching)."""
        return self.layout.task_mdp(task)

    def as_mdp(self, max_states: int = 200_000) -> SparseMDP:  # the state cap bounds the allocation
        """One stationary SparseMDP with state ``(phase, cell)``, phase in ``[0, rooms * period)`` (the clock)."""
        L = self.layout
        K, C, A = L.rooms, L.n_cells, L.n_actions
        n_phase = K * self.period
        S = n_phase * C
        if S > max_states:
            raise ArgumentError(f"as_mdp would have {S} states (> max_states={max_states})")
        cell = L.cell_transitions.tocoo()
        rows, cols, vals = [], [], []
        for ph in range(n_phase):
            rows.append(ph * C * A + cell.row)
            cols.append(((ph + 1) % n_phase) * C + cell.col)
            vals.append(cell.data)
        T = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(S * A, S))
        R = np.zeros((S, A))
        phases = np.arange(n_phase)
        R[phases * C + L.goals[(phases // self.period) % K]] = 1.0
        return SparseMDP(R, T)


def cycle_tasks(rooms: int = 4, length: int = 5, x: float = 2.0, slip: float = 0.05) -> CycleTasks:
    """Bottleneck rooms whose goal moves to the next room every ``2 * length**x`` steps (see :class:`CycleTasks`)."""
    x = check_in_range(x, "x", 0.0, None)
    return CycleTasks(RoomsLayout(rooms, length, slip), x)


# --------------------------------------------------------------------------------------------------
# chains with known mixing times
# --------------------------------------------------------------------------------------------------
def lazy_cycle(n: int) -> sp.csr_matrix:
    """Lazy random walk on the n-cycle (stay 1/2, each neighbour 1/4): t_mix(1/4) = Theta(n^2), pi uniform."""
    n = check_positive_int(n, "n", minimum=3)
    i = np.arange(n)
    return sp.csr_matrix((np.r_[np.full(n, 0.5), np.full(2 * n, 0.25)],
                          (np.r_[i, i, i], np.r_[i, (i + 1) % n, (i - 1) % n])), shape=(n, n))


def lazy_path(n: int) -> sp.csr_matrix:
    """Lazy random walk on the n-path (stay 1/2, each neighbour 1/4, reflecting ends hold the extra 1/4):
    t_mix(1/4) = Theta(n^2), pi uniform."""
    n = check_positive_int(n, "n", minimum=2)
    i = np.arange(n)
    P = sp.csr_matrix((np.r_[np.full(n, 0.5), np.full(n, 0.25), np.full(n, 0.25)],
                       (np.r_[i, i, i], np.r_[i, np.minimum(i + 1, n - 1), np.maximum(i - 1, 0)])), shape=(n, n))
    P.sum_duplicates()
    return P


def complete_graph(n: int, lazy: bool = False) -> sp.csr_matrix:
    """Random walk on the complete graph K_n (to a uniformly random *other* vertex; lazy: stay w.p. 1/2):
    t_mix(1/4) = 1 for n >= 4 (not lazy)."""
    n = check_positive_int(n, "n", minimum=2)
    P = (np.ones((n, n)) - np.eye(n)) / (n - 1)
    if lazy:
        P = 0.5 * (P + np.eye(n))
    return sp.csr_matrix(P)


def hypercube(d: int) -> sp.csr_matrix:
    """Lazy random walk on {0,1}^d (stay 1/2, else flip a uniform coordinate): t_mix ~ (1/2) d log d."""
    d = check_positive_int(d, "d")
    n = 2 ** d
    i = np.arange(n)
    rows = np.concatenate([i] + [i] * d)
    cols = np.concatenate([i] + [i ^ (1 << b) for b in range(d)])
    vals = np.concatenate([np.full(n, 0.5)] + [np.full(n, 0.5 / d)] * d)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


__all__ = ["ACTIONS", "SWITCHING", "RoomsLayout", "switch_matrix", "rooms_nbytes", "rooms_mdp", "bottleneck_rooms", "CycleTasks",
           "cycle_tasks", "lazy_cycle", "lazy_path", "complete_graph", "hypercube"]
