"""Named builders of the environments the regret experiments run on: ``ENVIRONMENTS[name](**params)``.

``"rooms"`` (bottleneck rooms with switching goals, task in the state, from
:mod:`activeq.games.generators.scalable`), ``"rooms_cells"`` (same rooms, cell observations), ``"cycle_tasks"``
(goals moving on a clock) and ``"random_mdp"``; register more with :func:`register_environment`. The rooms are the
scalable MDPs whose mixing times grow polynomially with their size; their layout is documented in
:mod:`activeq.games.generators.scalable`.

Raises :class:`activeq.errors.ExperimentError` for an unknown builder (:func:`build_environment`); the builders
raise the games generators' errors for bad parameters.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import ExperimentError
from .learners.environment import Environment, MDPEnvironment, SwitchingEnvironment

ENVIRONMENTS: dict[str, Callable[..., Environment]] = {}


def register_environment(name: str) -> Callable[[Callable[..., Environment]], Callable[..., Environment]]:
    """Decorator registering an environment builder ``f(**params) -> Environment`` under ``name``."""
    def decorate(func: Callable[..., Environment]) -> Callable[..., Environment]:
        ENVIRONMENTS[name] = func
        return func
    return decorate


@register_environment("random_mdp")
def random_mdp_environment(states: int = 10, actions: int = 3, seed: int = 0, sparsity: float = 3.0) -> Environment:
    """A random dense MDP (rewards uniform in [0, 1], transitions ``u**sparsity`` normalised)."""
    from ..games import StochasticGame

    rng = np.random.default_rng(seed)
    T = rng.random((states, actions, states)) ** sparsity
    T /= T.sum(axis=-1, keepdims=True)
    return MDPEnvironment(StochasticGame.mdp(rng.random((states, actions)), T), name=f"random_mdp{states}x{actions}")


@register_environment("rooms")
def rooms_environment(rooms: int = 4, length: int = 3, switching: str = "cycles", slip: float = 0.05) -> Environment:
    """Bottleneck rooms with switching goals (:func:`activeq.games.generators.scalable.rooms_mdp`); the learner
    observes ``(task, cell)`` (``rooms**2 * length**2`` states), so this is a genuine MDP with an exact optimal gain."""
    from ..games.generators.scalable import rooms_mdp

    return MDPEnvironment(rooms_mdp(rooms, length, switching, slip), name=f"rooms{rooms}x{length}_{switching}")


@register_environment("rooms_cells")
def rooms_cells_environment(rooms: int = 16, length: int = 5, switching: str = "cycles", slip: float = 0.05,
                            exact_gains: bool = True) -> Environment:
    """The same rooms process as ``"rooms"``, but the learner observes only its cell (``rooms * length**2``
    states, not the task). Regret is charged against the exact optimal gain of the full task-in-state MDP: the best
    a history-dependent policy can do (``exact_gains=False``: NaN gains, for speed measurements only)."""
    from ..games.generators.scalable import RoomsLayout, rooms_mdp

    mdp = rooms_mdp(rooms, length, switching, slip)
    cells = RoomsLayout(rooms, length, slip).n_cells
    return MDPEnvironment(mdp, observation=np.arange(mdp.num_states) % cells, exact_gains=exact_gains,
                          name=f"rooms_cells{rooms}x{length}_{switching}")


@register_environment("cycle_tasks")
def cycle_tasks_environment(rooms: int = 4, length: int = 5, x: float = 2.0, slip: float = 0.05) -> Environment:
    """Goals moving to the next room every ``2 * length**x`` steps regardless of the agent (cell observations)."""
    from ..games.generators.scalable import cycle_tasks

    ct = cycle_tasks(rooms, length, x, slip)
    return SwitchingEnvironment([ct.task_mdp(k) for k in range(rooms)], switch_every=ct.period, switching="cycles",
                                name=f"cycle_tasks{rooms}x{length}_x{x:g}")


def build_environment(builder: str, params: dict[str, Any] | None = None) -> Environment:
    """``ENVIRONMENTS[builder](**params)``, with a clear error for an unknown builder.

    Parameters
    ----------
    builder : str
        A registered name (see :data:`ENVIRONMENTS`).
    params : dict, optional
        The builder's keyword arguments.

    Returns
    -------
    Environment
    """
    if builder not in ENVIRONMENTS:
        raise ExperimentError(f"unknown environment builder {builder!r}; known: {sorted(ENVIRONMENTS)}")
    return ENVIRONMENTS[builder](**(params or {}))
