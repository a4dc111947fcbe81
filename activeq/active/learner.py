"""The ``Learner`` protocol: a learning agent = parameters θ plus an update function U, batched in torch.

Every tensor carries a leading *chain* (batch) dimension ``B`` so that thousands of independent runs of the
joint process advance in one call. A learner is written once without knowing which seat it takes; the
:class:`~activeq.active.markov_game.ActiveMarkovGame` calls :meth:`Learner.bind` with the game and the agent's
index, which returns a bound copy.

One step of the joint process, for every agent i at once::

    p_i   = learner_i.policy(θ_i, s)              # (B, A_i) action probabilities
    a_i   ~ p_i;  r = R(s, a);  s' ~ T(s, a)
    θ_i  <- learner_i.update(θ_i, Transition(s, a, r, s', policies, ...))

Learners with a *finite* internal state (tit-for-tat, win-stay-lose-shift, windowed fictitious play, fixed
policies) set ``finite_states = True``, list all their states with :meth:`enumerate_states` and map parameters
to state indices with :meth:`index`; their update must then be deterministic given the transition. That makes
the joint chain over (game state, learner states) finite, so average rewards and best responses are exact.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import torch

from ..errors import LearnerError

if TYPE_CHECKING:  # pragma: no cover
    from ..games import StochasticGame

DTYPE = torch.float64
"""Floating dtype of every learner's parameters and probabilities (exact comparisons need float64)."""

Params = Any
"""A learner's parameters: a tensor or a dict of tensors, each with leading chain dimension ``B``."""


@dataclass(frozen=True)
class Transition:
    """One batched step of the joint process, as every learner sees it.

    ``state``/``next_state``: ``(B,)`` long game states; ``actions``: ``(B, n)`` long joint action;
    ``rewards``: ``(B, n)`` float rewards of every agent; ``policies``: per agent ``(B, S, A_j)`` action probabilities
    at every game state *before* this update (filled only when some learner sets ``needs_policies``, else None);
    ``step``: the time index t; ``generator``: torch generator for learners whose update is random.
    """

    state: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_state: torch.Tensor
    policies: tuple[torch.Tensor, ...] | None = None
    step: int = 0
    generator: torch.Generator | None = None

    @property
    def batch(self) -> int:
        return int(self.state.shape[0])


@runtime_checkable
class Learner(Protocol):
    """What :class:`ActiveMarkovGame` needs from an agent (see the module docstring for the step)."""

    name: str
    num_actions: int | None  # None until bound to a game (then the agent's action count)
    finite_states: bool
    needs_policies: bool

    def bind(self, game: "StochasticGame", agent: int) -> "Learner": ...

    def init(self, rng: torch.Generator, batch: int) -> Params: ...

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor: ...

    def update(self, params: Params, transition: Transition) -> Params: ...

    def enumerate_states(self) -> Params: ...

    def index(self, params: Params) -> torch.Tensor: ...


class LearnerBase:
    """Shared plumbing for activeq's learners: binding, checks and defaults for the optional parts.

    Subclasses implement ``init``, ``policy`` and ``update``; finite-state ones also ``num_states``,
    ``enumerate_states`` and ``index``. ``game``/``agent`` are set by :meth:`bind` on a shallow copy.
    """

    name: str = "learner"
    finite_states: bool = False
    needs_policies: bool = False

    def __init__(self) -> None:
        self.game: "StochasticGame | None" = None
        self.agent: int | None = None

    # --- binding ---------------------------------------------------------------------------
    @property
    def num_actions(self) -> int | None:
        if self.game is None or self.agent is None:
            return None
        return int(self.game.num_actions[self.agent])

    def bind(self, game: "StochasticGame", agent: int) -> "LearnerBase":
        """A copy of this learner playing seat ``agent`` of ``game`` (validated by :meth:`_on_bind`)."""
        bound = copy.copy(self)
        bound.game = game
        bound.agent = int(agent)
        bound._on_bind()
        return bound

    def _on_bind(self) -> None:
        """Check the learner fits the game and precompute tensors; raise LearnerError otherwise."""

    @property
    def bound(self) -> bool:
        return self.game is not None

    def _require_bound(self) -> tuple["StochasticGame", int]:
        if self.game is None or self.agent is None:
            raise LearnerError(f"{self.name} is not bound to a game yet: use learner.bind(game, agent) "
                               "or put it in an ActiveMarkovGame")
        return self.game, self.agent

    # --- finite internal state ---------------------------------------------------------------
    @property
    def num_states(self) -> int | None:
        """Number of internal states for finite-state learners, else None."""
        return None

    def enumerate_states(self) -> Params:
        raise LearnerError(f"{self.name} has no finite internal state to enumerate")

    def index(self, params: Params) -> torch.Tensor:
        raise LearnerError(f"{self.name} has no finite internal state to index")

    def state_label(self, k: int) -> str:
        """Human-readable name of internal state ``k`` (finite-state learners)."""
        return str(k)

    def __repr__(self) -> str:
        seat = "" if self.agent is None else f", agent={self.agent}"
        return f"{type(self).__name__}({self.name!r}{seat})"


# --- helpers on parameter pytrees (tensor or dict of tensors) ----------------------------------
def params_batch(params: Params) -> int:
    """The chain dimension B of a parameter pytree."""
    if isinstance(params, torch.Tensor):
        return int(params.shape[0])
    if isinstance(params, dict) and params:
        return params_batch(next(iter(params.values())))
    raise LearnerError(f"params must be a tensor or a non-empty dict of tensors, got {type(params).__name__}")


def params_finite(params: Params) -> torch.Tensor:
    """Per chain, True when every floating entry of the parameters is finite: ``(B,)`` bool."""
    leaves = _leaves(params)
    ok = None
    for leaf in leaves:
        if not torch.is_floating_point(leaf):
            continue
        fin = torch.isfinite(leaf.reshape(leaf.shape[0], -1)).all(dim=1)
        ok = fin if ok is None else ok & fin
    if ok is None:
        ok = torch.ones(params_batch(params), dtype=torch.bool)
    return ok


def _leaves(params: Params) -> list[torch.Tensor]:
    if isinstance(params, torch.Tensor):
        return [params]
    return [leaf for v in params.values() for leaf in _leaves(v)]


def params_select(params: Params, idx: torch.Tensor) -> Params:
    """Chains ``idx`` of a parameter pytree (index tensor or boolean mask; nested dicts allowed)."""
    if isinstance(params, torch.Tensor):
        return params[idx]
    return {k: params_select(v, idx) for k, v in params.items()}


def params_cat(parts: list[Params]) -> Params:
    """Concatenate parameter pytrees along the chain dimension."""
    if isinstance(parts[0], torch.Tensor):
        return torch.cat(parts, dim=0)
    return {k: params_cat([p[k] for p in parts]) for k in parts[0]}


def params_to_numpy(params: Params) -> Any:
    if isinstance(params, torch.Tensor):
        return params.detach().cpu().numpy()
    return {k: params_to_numpy(v) for k, v in params.items()}


def torch_generator(seed: int | np.random.Generator | None) -> torch.Generator:
    """A torch CPU generator seeded from an int or numpy Generator (via ``activeq._checks.as_generator``)."""
    from .._checks import as_generator

    rng = as_generator(seed)
    g = torch.Generator()
    g.manual_seed(int(rng.integers(0, 2**62)))
    return g


def greedy_probs(values: torch.Tensor, epsilon: float = 0.0, tol: float = 1e-12) -> torch.Tensor:
    """Epsilon-greedy probabilities over the last axis; ties at the max share the greedy mass equally."""
    best = values.max(dim=-1, keepdim=True).values
    mask = (values >= best - tol).to(DTYPE)
    greedy = mask / mask.sum(dim=-1, keepdim=True)
    k = values.shape[-1]
    return (1.0 - epsilon) * greedy + epsilon / k
