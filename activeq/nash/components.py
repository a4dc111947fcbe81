"""Equilibrium components of 2-player games: extreme equilibria grouped into maximal Nash subsets (cliques).

In a degenerate bimatrix game the Nash equilibria form finitely many convex polytopes that may touch. Following
Avis, Rosenberg, Savani and von Stengel (2010, Section 6; the "EEE" extreme-equilibrium enumeration of lrsnash and
Gambit's ``enummixed``): take every extreme equilibrium ``(x, y)`` (a completely labelled vertex pair of the two
best-response polytopes, from :func:`activeq.nash.vertex.extreme_equilibria`) and form the bipartite
*extreme-equilibrium graph* whose nodes are the distinct extreme strategies ``x`` of player 1 and ``y`` of player 2,
with an edge when ``(x, y)`` is an equilibrium. A set ``X' x Y'`` of pairwise-linked nodes (a biclique, "clique" in
Gambit's output) spans a convex set ``conv(X') x conv(Y')`` of equilibria (Winkels 1979; Jansen 1981), and the
**maximal** cliques are the maximal Nash subsets. Their union is the whole equilibrium set; the connected components
of the graph are the (topologically) connected components of that set.

Maximal bicliques are the closed pairs ``X' = N(Y')``, ``Y' = N(X')`` (``N`` = common neighbours), so every maximal
clique's ``Y'`` is an intersection of neighbourhoods ``N(x)``: we close the family ``{N(x)}`` under intersection
(a small set: at most one entry per clique) and keep the pairs with both sides non-empty.

References: D. Avis, G. D. Rosenberg, R. Savani, B. von Stengel, *Enumeration of Nash equilibria for two-player
games*, Economic Theory 42:9-37 (2010); H.-M. Winkels, *An algorithm to determine all equilibrium points of a
bimatrix game*, in Game Theory and Related Topics (1979).

Raises :class:`activeq.errors.SolverError` for a game that is not a 2-player :class:`NormalFormGame`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_in_range, check_probability_vector
from ..errors import SolverError
from ..games import NormalFormGame
from .equilibrium import Equilibrium, certify, deduplicate
from .vertex import extreme_equilibria


@dataclass(frozen=True, eq=False)
class NashSubset:
    """One maximal Nash subset ``conv(row) x conv(column)``: every mix of its extreme strategies is an equilibrium.

    ``row_index`` / ``column_index`` index :attr:`Components.row_points` / :attr:`Components.column_points`;
    ``row`` / ``column`` are those extreme strategies; ``component`` is the index of the connected component (in
    :attr:`Components.connected`) the subset belongs to.
    """

    row_index: tuple[int, ...]
    column_index: tuple[int, ...]
    row: tuple[np.ndarray, ...]
    column: tuple[np.ndarray, ...]
    component: int

    @property
    def is_isolated(self) -> bool:
        """True when the subset is a single equilibrium (one extreme strategy per player)."""
        return len(self.row) == 1 and len(self.column) == 1

    @property
    def dimension(self) -> tuple[int, int]:
        """Affine dimension of ``conv(row)`` and of ``conv(column)``."""
        return (_affine_dim(self.row), _affine_dim(self.column))

    def profile(self, row_weights: np.ndarray | None = None,
                column_weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The equilibrium with these convex weights on the extreme strategies (default: the barycentre)."""
        wr = _weights(row_weights, len(self.row), "row_weights")
        wc = _weights(column_weights, len(self.column), "column_weights")
        return wr @ np.array(self.row), wc @ np.array(self.column)

    def to_dict(self) -> dict:
        return {"row": [x.tolist() for x in self.row], "column": [y.tolist() for y in self.column],
                "row_index": list(self.row_index), "column_index": list(self.column_index),
                "component": self.component}


@dataclass(frozen=True, eq=False)
class Components:
    """The equilibrium set of a 2-player game as Gambit's ``enummixed`` reports it, with its cliques.

    ``extreme``: every extreme equilibrium once (certified :class:`Equilibrium` objects, sorted as by
    :func:`activeq.nash.solve`). ``row_points`` / ``column_points``: the distinct extreme strategies of each player.
    ``edges``: ``(i, j)`` for each extreme equilibrium ``(row_points[i], column_points[j])``.
    ``subsets``: the maximal Nash subsets (maximal cliques of the extreme-equilibrium graph).
    ``connected``: the connected components, each a tuple of indices into ``subsets``.
    """

    extreme: tuple[Equilibrium, ...]
    row_points: tuple[np.ndarray, ...]
    column_points: tuple[np.ndarray, ...]
    edges: tuple[tuple[int, int], ...]
    subsets: tuple[NashSubset, ...]
    connected: tuple[tuple[int, ...], ...]

    @property
    def is_degenerate_set(self) -> bool:
        """True when some maximal Nash subset holds more than one equilibrium (a continuum of equilibria)."""
        return any(not s.is_isolated for s in self.subsets)

    def to_dict(self) -> dict:
        return {"extreme": [eq.to_dict() for eq in self.extreme], "edges": [list(e) for e in self.edges],
                "subsets": [s.to_dict() for s in self.subsets], "connected": [list(c) for c in self.connected]}

    def __repr__(self) -> str:
        return (f"Components({len(self.extreme)} extreme equilibria, {len(self.subsets)} maximal Nash subsets, "
                f"{len(self.connected)} connected components)")


def components(game: NormalFormGame, tol: float = 1e-9) -> Components:
    """Extreme equilibria of a 2-player game and their maximal Nash subsets (cliques) and connected components.

    Parameters
    ----------
    game : NormalFormGame
        A 2-player game.
    tol : float
        Slack below which a best-response constraint counts as tight (vertex enumeration), and the max-abs
        distance below which two extreme strategies are the same point.

    Returns
    -------
    Components
        The extreme equilibria, the extreme-equilibrium graph's edges, its maximal cliques and its connected
        components. A nondegenerate game has only isolated subsets, one per equilibrium.

    Examples
    --------
    >>> import activeq
    >>> from activeq import nash
    >>> g = activeq.NormalFormGame.bimatrix([[1, 1], [0, 0]], [[1, 1], [1, 1]])
    >>> c = nash.components(g)
    >>> len(c.extreme), len(c.subsets), c.subsets[0].dimension
    (2, 1, (0, 1))
    """
    if not isinstance(game, NormalFormGame) or game.num_players != 2:
        got = f"a {game.num_players}-player game" if isinstance(game, NormalFormGame) else type(game).__name__
        raise SolverError(f"game must be a 2-player NormalFormGame, got {got}")
    tol = check_in_range(tol, "tol", 0.0, low_open=True)
    A, B = game.payoffs
    pairs = extreme_equilibria(A, B, tol)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    edges: set[tuple[int, int]] = set()
    for x, y in pairs:
        edges.add((_index(rows, x, tol), _index(cols, y, tol)))
    # order the nodes as the sorted extreme equilibria list them, so indices are deterministic
    extreme = _sorted_equilibria(game, [(rows[i], cols[j]) for i, j in edges])
    row_order = _first_seen([_index(rows, eq.strategies[0], tol) for eq in extreme])
    col_order = _first_seen([_index(cols, eq.strategies[1], tol) for eq in extreme])
    rmap = {old: new for new, old in enumerate(row_order)}
    cmap = {old: new for new, old in enumerate(col_order)}
    rows = [rows[k] for k in row_order]
    cols = [cols[k] for k in col_order]
    edge_list = tuple(sorted((rmap[i], cmap[j]) for i, j in edges))
    cliques = maximal_bicliques(len(rows), len(cols), edge_list)
    comp_of = _connected(len(rows), len(cols), edge_list)
    comp_ids = _first_seen([comp_of[c[0][0]] for c in cliques])
    renumber = {old: new for new, old in enumerate(comp_ids)}
    for arr in rows + cols:
        arr.setflags(write=False)
    subsets = tuple(NashSubset(r, c, tuple(rows[i] for i in r), tuple(cols[j] for j in c),
                               renumber[comp_of[r[0]]]) for r, c in cliques)
    connected = tuple(tuple(k for k, s in enumerate(subsets) if s.component == g) for g in range(len(comp_ids)))
    return Components(tuple(extreme), tuple(rows), tuple(cols), edge_list, subsets, connected)


def maximal_bicliques(n_left: int, n_right: int,
                      edges: tuple[tuple[int, int], ...]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every maximal biclique ``(L, R)`` (``L x R`` inside ``edges``, both non-empty) of a bipartite graph.

    Closed pairs ``L = N(R)``, ``R = N(L)``: the right sides are the non-empty intersections of the left nodes'
    neighbourhoods. Sorted by (left, right) index tuples.
    """
    nbr = [frozenset(j for i2, j in edges if i2 == i) for i in range(n_left)]
    family: set[frozenset[int]] = {s for s in nbr if s}
    frontier = set(family)
    while frontier:  # close under pairwise intersection
        new = {a & b for a in frontier for b in family} - family - {frozenset()}
        family |= new
        frontier = new
    out = []
    for right in family:
        left = tuple(i for i in range(n_left) if right <= nbr[i])
        out.append((left, tuple(sorted(right))))
    return sorted(out)


# --- internals ----------------------------------------------------------------------------------------------------
def _index(points: list[np.ndarray], p: np.ndarray, tol: float) -> int:
    for k, q in enumerate(points):
        if np.abs(q - p).max() <= max(tol, 1e-9) * 100:
            return k
    points.append(np.array(p, dtype=np.float64))
    return len(points) - 1


def _sorted_equilibria(game: NormalFormGame, profiles: list[tuple[np.ndarray, np.ndarray]]) -> list[Equilibrium]:
    return deduplicate(certify(game, profiles, "vertex"))


def _first_seen(seq: list[int]) -> list[int]:
    return list(dict.fromkeys(seq))


def _connected(n_left: int, n_right: int, edges: tuple[tuple[int, int], ...]) -> list[int]:
    """Component label of each left node (union-find over left + right nodes)."""
    parent = list(range(n_left + n_right))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for i, j in edges:
        parent[find(i)] = find(n_left + j)
    return [find(i) for i in range(n_left)]


def _affine_dim(points: tuple[np.ndarray, ...]) -> int:
    if len(points) < 2:
        return 0
    P = np.array(points)
    return int(np.linalg.matrix_rank(P[1:] - P[0], tol=1e-9))


def _weights(w: np.ndarray | None, k: int, name: str) -> np.ndarray:
    return np.full(k, 1.0 / k) if w is None else check_probability_vector(w, name, size=k)
