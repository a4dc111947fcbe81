"""Every error activeq raises on bad input.

Each class subclasses the builtin a user would expect (``ValueError`` or ``TypeError``) *and*
:class:`ActiveqError`, so ``except ValueError`` and ``except activeq.errors.ActiveqError`` both work.
Messages name the argument, what was expected and what was given.
"""

from __future__ import annotations


class ActiveqError(Exception):
    """Base of all activeq errors."""


class ArgumentError(ActiveqError, ValueError):
    """A function argument has the wrong value (range, shape, unknown option)."""


class ArgumentTypeError(ActiveqError, TypeError):
    """A function argument has the wrong type."""


class GameError(ActiveqError, ValueError):
    """A game (payoffs, transitions, catalog entry) is malformed."""


class CatalogError(GameError):
    """A catalog entry is unknown or its TOML file is malformed."""


class InteropError(ActiveqError, ValueError):
    """An object from a peer library (nashpy, OpenSpiel, Gambit, PettingZoo) cannot be converted."""


class SolverError(ActiveqError, ValueError):
    """An equilibrium solver was asked for something it cannot do (wrong method, game kind, options)."""


class ChainError(ActiveqError, ValueError):
    """A Markov chain / MDP is malformed or lacks a property the call needs (e.g. a unique stationary law)."""


class LearnerError(ActiveqError, ValueError):
    """A learner does not fit the game, or its parameters are invalid."""


class DivergenceError(LearnerError):
    """A learning run produced non-finite parameters; ``step`` says when."""

    def __init__(self, message: str, step: int | None = None):
        super().__init__(message)
        self.step = step


class ExperimentError(ActiveqError, ValueError):
    """An experiment spec, results store or executor is misconfigured."""


class ActiveqWarning(UserWarning):
    """Warnings from activeq (e.g. an iterative method that did not converge)."""


class ConvergenceWarning(ActiveqWarning):
    """An iterative method stopped before reaching its tolerance; its result carries the certificate."""


class RealtimeError(ActiveqError, ValueError):
    """A realtime environment, schedule or runtime got a bad argument (tau, workers, default action, spaces)."""


class RealtimeRunError(ActiveqError, RuntimeError):
    """A realtime run stopped because a part of it failed (the wrapped env raised, a process crashed or hung).

    ``step`` is the env step at which it stopped (None if unknown); ``rollout`` keeps what ran up to there.
    """

    def __init__(self, message: str, step: int | None = None, rollout: object | None = None):
        super().__init__(message)
        self.step = step
        self.rollout = rollout


class RealtimeWorkerError(RealtimeRunError):
    """A process of the wall-clock runtime crashed; ``worker`` names it and ``traceback`` holds its traceback."""

    def __init__(self, message: str, worker: str = "", traceback: str = "", step: int | None = None,
                 rollout: object | None = None):
        super().__init__(message, step=step, rollout=rollout)
        self.worker = worker
        self.traceback = traceback
class ProbeError(ActiveqError, ValueError):
    """A theory-of-mind probe (partner, agent, prompt style, horizon) is misconfigured (``activeq.tom``)."""


class BackendError(ProbeError):
    """A model backend failed (server down, timed out, bad response, prompt too long) after its retries.

    ``partial`` holds what was played before the failure (a :class:`activeq.tom.probe.Trajectory` or None); a
    probe with a ``checkpoint`` keeps those rounds on disk and resumes from them.
    """

    def __init__(self, message: str, partial: object = None):
        super().__init__(message)
        self.partial = partial


class ResponseFormatError(BackendError):
    """A backend answered with something that is not the protocol's format (e.g. a non-JSON HTTP body)."""


class ContextLengthError(BackendError):
    """The rendered prompt is longer than the model's context window."""


class NotConvergedError(SolverError):
    """A solver stopped without certifying any equilibrium (``max_regret`` above ``tol`` x payoff range).

    ``approximations`` holds what it reached, as labelled :class:`activeq.nash.Approximation` objects (best first), so
    nothing is lost; they are never returned as equilibria.
    """

    def __init__(self, message: str, approximations: tuple = ()):
        super().__init__(message)
        self.approximations = tuple(approximations)
