"""Experiment: mixing times grow polynomially with problem size (log-log fits).

:func:`mixing_scaling` computes an exact mixing time for each size of a family and fits
``log t = exponent * log size + log prefactor`` by least squares. Families:

* ``"lazy_cycle"`` / ``"lazy_path"`` (size ``n``): TV mixing time of the lazy walk, Theta(n^2) (exponent 2);
* ``"rooms_length"`` (size = room side ``length``, ``rooms`` fixed) and ``"rooms_count"`` (size = number of
  rooms, ``length`` fixed) for bottleneck rooms, with ``chain``:

  - ``"random_walk"``: TV mixing time of the uniformly random policy's chain over cells (exact from every start);
  - ``"optimal"``: eps-return mixing time of the optimal policy of the task-switching MDP
    (:func:`activeq.games.generators.scalable.rooms_mdp`), exact from every start, with ``eps`` taken as a
    *fraction of the optimal gain* (the gain shrinks as rooms grow, so an absolute eps would not compare sizes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
from .._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from .._checks import check_choice, check_in_range, check_positive_int
from ..errors import ArgumentError
from ..games.generators.scalable import RoomsLayout, lazy_cycle, lazy_path, rooms_mdp
from .mdp import policy_chain, solve_average_reward
from .mixing import mixing_time

FAMILIES = ("lazy_cycle", "lazy_path", "rooms_length", "rooms_count")
CHAINS = ("random_walk", "optimal")

__all__ = ["ScalingFit", "fit_power_law", "mixing_scaling", "rooms_random_walk", "FAMILIES", "CHAINS"]


@dataclass(frozen=True)
class ScalingFit:
    """Mixing times ``times[i]`` at ``sizes[i]`` and the fit ``t ~ prefactor * size ** exponent``."""

    family: str
    chain: str
    method: str
    eps: float
    sizes: np.ndarray
    times: np.ndarray
    exponent: float
    prefactor: float
    r_squared: float
    params: dict = field(default_factory=dict)

    def predict(self, size: float | np.ndarray) -> np.ndarray:
        return self.prefactor * np.asarray(size, dtype=float) ** self.exponent

    @property
    def label(self) -> str:
        return f"{self.family} ({self.chain}, {self.method}): exponent {self.exponent:.2f}"

    def rows(self) -> list[dict[str, Any]]:
        """One dict per size (for CSV/JSON)."""
        return [{"family": self.family, "chain": self.chain, "method": self.method, "eps": self.eps,
                 "size": int(s), "mixing_time": int(t), "exponent": self.exponent, "prefactor": self.prefactor,
                 "r_squared": self.r_squared, **self.params} for s, t in zip(self.sizes, self.times)]

    def to_csv(self, path: str | Path) -> Path:
        path = Path(path)
        rows = self.rows()
        with path.open("w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path


def fit_power_law(sizes: Sequence[float], times: Sequence[float]) -> tuple[float, float, float]:
    """Least-squares fit of ``log t = a log n + b``: returns ``(a, exp(b), R^2)``."""
    x = np.log(np.asarray(sizes, dtype=float))
    y = np.log(np.asarray(times, dtype=float))
    if x.size < 2 or np.ptp(x) == 0:
        raise ArgumentError("sizes must hold at least two different values to fit an exponent")
    if not np.all(np.isfinite(y)):
        raise ArgumentError("times must be positive to fit a power law")
    a, b = np.polyfit(x, y, 1)
    resid = y - (a * x + b)
    ss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid ** 2).sum()) / ss if ss > 0 else 1.0
    return float(a), float(np.exp(b)), r2


def rooms_random_walk(rooms: int, length: int, slip: float = 0.05) -> sp.csr_matrix:
    """Chain over cells of bottleneck rooms under the uniformly random policy."""
    lay = RoomsLayout(rooms, length, slip)
    W = sp.kron(sp.identity(lay.n_cells, format="csr"), np.full((1, lay.n_actions), 1.0 / lay.n_actions))
    return sp.csr_matrix(W @ lay.cell_transitions)


def _one(family: str, size: int, chain: str, eps: float, rooms: int, length: int, switching: str,
         slip: float) -> int:
    if family == "lazy_cycle":
        return mixing_time(lazy_cycle(size), eps).t
    if family == "lazy_path":
        return mixing_time(lazy_path(size), eps).t
    K, L = (rooms, size) if family == "rooms_length" else (size, length)
    if chain == "random_walk":
        return mixing_time(rooms_random_walk(K, L, slip), eps).t
    m = rooms_mdp(K, L, switching, slip)
    sol = solve_average_reward(m)
    P, r = policy_chain(m, sol.policy)
    return mixing_time(P, eps * sol.scalar_gain, "return", r).t


def mixing_scaling(family: str, sizes: Sequence[int], *, chain: str = "random_walk", eps: float | None = None,
                   rooms: int = 4, length: int = 3, switching: str = "random", slip: float = 0.05,
                   progress: bool = False) -> ScalingFit:
    """Exact mixing times over ``sizes`` of a family and their log-log fit (see the module docstring).

    ``eps``: TV tolerance (default 0.25) for the walks and ``chain="random_walk"``; fraction of the optimal gain
    (default 0.1) for ``chain="optimal"``. ``rooms``/``length`` fix the other rooms dimension.
    """
    family = check_choice(family, "family", FAMILIES)
    chain = check_choice(chain, "chain", CHAINS)
    if family in ("lazy_cycle", "lazy_path") and chain != "random_walk":
        raise ArgumentError(f"family {family!r} has no policy: use chain='random_walk'")
    method = "return" if chain == "optimal" else "tv"
    if eps is None:
        eps = 0.1 if method == "return" else 0.25
    eps = check_in_range(eps, "eps", 0.0, 1.0, low_open=True, high_open=True)
    size_list = [check_positive_int(s, "sizes[i]") for s in sizes]
    if len(set(size_list)) < 2:
        raise ArgumentError("sizes must hold at least two different sizes")
    times = [_one(family, s, chain, eps, rooms, length, switching, slip)
             for s in tqdm(size_list, desc=f"mixing {family}", disable=not progress)]
    a, c, r2 = fit_power_law(size_list, times)
    params: dict[str, Any] = {}
    if family == "rooms_length":
        params = {"rooms": rooms, "switching": switching, "slip": slip}
    elif family == "rooms_count":
        params = {"length": length, "switching": switching, "slip": slip}
    sz = np.asarray(size_list)
    tm = np.asarray(times)
    sz.setflags(write=False)
    tm.setflags(write=False)
    return ScalingFit(family, chain if family.startswith("rooms") else "walk", method, eps, sz, tm, a, c, r2, params)
