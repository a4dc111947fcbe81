"""The learner interface shared by every average-reward and discounted learner, and exact JSON state.

A learner sees integer states and actions: ``act(state, rng=None) -> action`` and
``observe(state, action, reward, next_state, rng=None)``. All randomness comes from the ``rng`` passed (the runner
passes one generator spawned from its seed, so one seed fixes a whole run) or, when it is None, from the learner's
own generator built from its ``seed`` argument. ``state_dict()`` / ``load_state_dict()``
round-trip the learner's complete state through plain JSON (floats keep their exact value), which is what
checkpoint/resume of long runs relies on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..._checks import as_generator, check_in_range, check_positive_int
from ...errors import ArgumentError, ArgumentTypeError, LearnerError


def encode_state(value: Any) -> Any:
    """A JSON-ready form of ``value`` (arrays, generators and :class:`Stateful` objects included), exact for floats."""
    if isinstance(value, Stateful):
        return {"__stateful__": type(value).__name__, "state": value.state_dict()}
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.ravel().tolist(), "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, np.random.Generator):
        return {"__generator__": value.bit_generator.state}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {"__dict__": [[encode_state(k), encode_state(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return {"__list__": [encode_state(v) for v in value], "tuple": isinstance(value, tuple)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise LearnerError(f"cannot serialise learner attribute of type {type(value).__name__}")


def decode_state(data: Any, current: Any = None) -> Any:
    """Inverse of :func:`encode_state`; ``current`` (the attribute's present value) receives nested state in place."""
    if isinstance(data, dict):
        if "__stateful__" in data:
            if not isinstance(current, Stateful):
                raise LearnerError(f"checkpoint holds a {data['__stateful__']} where the learner has "
                                   f"{type(current).__name__}")
            current.load_state_dict(data["state"])
            return current
        if "__ndarray__" in data:
            return np.array(data["__ndarray__"], dtype=np.dtype(data["dtype"])).reshape(data["shape"])
        if "__generator__" in data:
            state = data["__generator__"]
            gen = np.random.Generator(getattr(np.random, state["bit_generator"])())
            gen.bit_generator.state = state
            return gen
        if "__dict__" in data:
            return {decode_state(k): decode_state(v) for k, v in data["__dict__"]}
        if "__list__" in data:
            items = [decode_state(v) for v in data["__list__"]]
            return tuple(items) if data.get("tuple") else items
        raise LearnerError(f"unrecognised checkpoint entry with keys {sorted(data)}")
    return data


class Stateful:
    """Objects whose every attribute round-trips through :func:`encode_state` (exactly, floats included)."""

    def state_dict(self) -> dict[str, Any]:
        return {k: encode_state(v) for k, v in vars(self).items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        mine = vars(self)
        missing = set(mine) - set(state)
        if missing:
            raise LearnerError(f"checkpoint for {type(self).__name__} lacks {sorted(missing)}")
        for k, v in state.items():
            setattr(self, k, decode_state(v, mine.get(k)))


class Learner(Stateful, ABC):
    """A tabular learner over ``num_states`` states and ``num_actions`` actions.

    Subclasses implement the unchecked :meth:`_act` and :meth:`_observe` (public :meth:`act` / :meth:`observe`
    validate indices first); ``name`` labels results and ``config()`` lists the
    hyperparameters (checked when a checkpoint is resumed).
    """

    name: str = "learner"

    def __init__(self, num_states: int, num_actions: int, seed: int | np.random.Generator | None = None):
        self.num_states = check_positive_int(num_states, "num_states")
        self.num_actions = check_positive_int(num_actions, "num_actions")
        self.rng = as_generator(seed)

    def act(self, state: int, rng: np.random.Generator | None = None) -> int:
        """The action to take in ``state`` (exploration included); draws from ``rng``, else the learner's own
        generator (from ``seed``). Checks its arguments; the runner's loop calls the unchecked :meth:`_act`."""
        return self._act(check_index(state, "state", self.num_states), self._rng_or_own(rng))

    def observe(self, state: int, action: int, reward: float, next_state: int,
                rng: np.random.Generator | None = None) -> None:
        """Learn from one transition ``(state, action, reward, next_state)``. Checks its arguments; the runner's
        loop calls the unchecked :meth:`_observe`."""
        self._observe(check_index(state, "state", self.num_states), check_index(action, "action", self.num_actions),
                      check_in_range(reward, "reward"), check_index(next_state, "next_state", self.num_states),
                      self._rng_or_own(rng))

    @abstractmethod
    def _act(self, state: int, rng: np.random.Generator) -> int:
        """:meth:`act` on arguments known to be valid (the hot path: no checks)."""

    @abstractmethod
    def _observe(self, state: int, action: int, reward: float, next_state: int, rng: np.random.Generator) -> None:
        """:meth:`observe` on arguments known to be valid (the hot path: no checks)."""

    def _rng_or_own(self, rng: Any) -> np.random.Generator:
        if rng is None:
            return self.rng
        if not isinstance(rng, np.random.Generator):
            raise ArgumentTypeError(f"rng must be a numpy Generator or None, got {type(rng).__name__}")
        return rng

    def greedy_policy(self) -> np.ndarray:
        """The learner's current greedy (exploitation) action per state, shape ``(S,)``."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """Hyperparameters that define the learner (JSON-able)."""
        return {"num_states": self.num_states, "num_actions": self.num_actions}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def epsilon_greedy(values: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """Uniform random action with probability ``epsilon``, else an argmax of ``values`` (ties broken at random)."""
    if epsilon > 0.0 and rng.random() < epsilon:
        return int(rng.integers(values.shape[0]))
    best = values.max()
    ties = np.flatnonzero(values >= best)
    if ties.shape[0] == 1:
        return int(ties[0])
    return int(ties[rng.integers(ties.shape[0])])


def check_rate(x: Any, name: str) -> float:
    """A step size in (0, 1]."""
    return check_in_range(x, name, 0.0, 1.0, low_open=True)


def check_epsilon(x: Any) -> float:
    return check_in_range(x, "epsilon", 0.0, 1.0)


def check_discount(x: Any) -> float:
    return check_in_range(x, "discount", 0.0, 1.0, high_open=True)


def check_index(x: Any, name: str, n: int) -> int:
    """``x`` as an int index in ``[0, n)``, else ArgumentError naming ``name`` and the range."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)) or not 0 <= int(x) < n:
        raise ArgumentError(f"{name} must be an int in [0, {n}), got {x!r}")
    return int(x)


__all__ = ["Learner", "Stateful", "encode_state", "decode_state", "epsilon_greedy", "as_generator"]
