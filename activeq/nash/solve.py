"""The front doors: ``solve`` (certified equilibria only) and ``approximate`` (where learning dynamics stop).

The rule: only a profile whose max regret, recomputed here from the game, is at most ``tol`` x ``max(1, payoff
range)`` comes back from :func:`solve`, as an :class:`~activeq.nash.Equilibrium`. What a method returns that fails
the certificate is kept apart, labelled, as :class:`~activeq.nash.Approximation` (``SolveResult.approximations``);
when nothing certifies, :class:`~activeq.errors.NotConvergedError` is raised carrying it. This holds for every
method, whatever the method itself claims. :func:`approximate` runs a learning dynamic and returns its end point as
an :class:`~activeq.nash.Approximation`, converged or not, optionally with the whole trajectory.

Raises :class:`~activeq.errors.SolverError` (unknown or inapplicable method, unknown option, a stochastic game),
:class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` (bad option values, checked
before any work) and :class:`~activeq.errors.NotConvergedError`.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from .._checks import as_generator, check_in_range, check_positive_int
from .._warn import warn_caller
from ..errors import ArgumentTypeError, ConvergenceWarning, NotConvergedError, SolverError
from ..games import NormalFormGame, StochasticGame
from .equilibrium import CERTIFY_TOL, Approximation, Equilibrium, certify, deduplicate, to_approximation
from .registry import METHODS, Method, applicable, check_flag, describe
from .result import SolveResult

#: "auto" enumerates all extreme equilibria of 2-player games up to this many actions for the smaller player;
#: beyond it, Lemke-Howson (one path, or every label with ``all=True``).
AUTO_VERTEX_MAX = 12


def solve(game: NormalFormGame | Any, method: str = "auto", *, all: bool = True, tol: float | None = None,
          **options: Any) -> SolveResult:
    """Certified Nash equilibria of ``game``, deduplicated and sorted deterministically.

    Parameters
    ----------
    game : NormalFormGame or array_like
        The game, or its payoff tensor ``(n_players, *n_actions)``.
    method : str
        A method listed below, or ``"auto"``: for 2 players ``"vertex"`` (every extreme equilibrium, exact on
        degenerate games) when the smaller player has at most ``AUTO_VERTEX_MAX`` actions, else ``"lp"`` for
        constant-sum games and ``"lemke-howson"`` otherwise; for more players ``"logit"``.
    all : bool
        Return every equilibrium the method finds (True) or only the first in sorted order (False); for
        ``"lemke-howson"`` it also means "follow every label" unless ``label`` is given.
    tol : float, optional
        The certificate, in (0, 1): every returned equilibrium has max regret <= ``tol`` x max(1, payoff range).
        Passed on to methods that take a ``tol``. Default: the method's own ``tol`` default, but at least 1e-9.
    **options
        The method's options (below); unknown ones raise :class:`~activeq.errors.SolverError`.

    Returns
    -------
    SolveResult
        A sequence of :class:`~activeq.nash.Equilibrium` (``result[0]``, ``len(result)``, iteration), each with
        ``converged=True`` and its ``tol``; ``result.approximations`` holds, apart, what the method returned that
        failed the certificate (then a :class:`~activeq.errors.ConvergenceWarning` names your line).
        ``result.to_frame()`` gives a pandas table.

    Raises
    ------
    NotConvergedError
        When the method returned profiles but none certifies (e.g. fictitious play cycling in Shapley's game); the
        error's ``approximations`` holds them, labelled. Use :func:`approximate` to get a dynamic's end point.

    Notes
    -----
    Payoffs and ``max_regret`` are recomputed here from the game, so the certificate never depends on a solver's own
    bookkeeping. The methods and their options:

    """
    game = _as_game(game)
    all = check_flag(all, "all")
    name = _choose(game, method, all)
    m = METHODS[name]
    _check_applies(m, game)
    options = _check_options(m, options, tol)
    cert = _certificate_tol(m, tol)
    if name == "lemke-howson" and all and "label" not in options:
        options.setdefault("all_labels", True)
    found = _call(m, game, options)
    candidates, extras = [], []
    for item in found:
        if isinstance(item, Approximation):
            extras.append({"iterations": item.iterations, "seed": item.seed, "trajectory": item.trajectory,
                           "info": item.info})
            candidates.append(Equilibrium(item.strategies, item.payoffs, item.max_regret, item.method, {}))
        elif isinstance(item, Equilibrium):
            extras.append(None)
            candidates.append(item)
        else:
            extras.append(None)
            candidates.append(Equilibrium(tuple(item), np.empty(0), np.nan, name))
    equilibria: list[Equilibrium] = []
    approximations: list[Approximation] = []
    for k, eq in enumerate(_certify(game, candidates, name, cert)):
        extra = extras[k]
        if eq.converged:
            if extra is not None:  # a dynamic's end point that meets the certificate: an epsilon-equilibrium
                eq = Equilibrium(eq.strategies, eq.payoffs, eq.max_regret, eq.method,
                                 dict(extra["info"], iterations=extra["iterations"], seed=extra["seed"]), cert, True)
            equilibria.append(eq)
        elif extra is not None:
            approximations.append(to_approximation(eq, iterations=extra["iterations"], seed=extra["seed"],
                                                   trajectory=extra["trajectory"]))
        else:
            approximations.append(to_approximation(eq))
    approximations.sort(key=lambda a: a.max_regret)
    equilibria = deduplicate(equilibria)
    if approximations and not equilibria:
        best = approximations[0]
        hint = (f"; nash.approximate(game, {name!r}) returns it as an approximation" if m.dynamics
                else "; the error's .approximations holds what it reached")
        raise NotConvergedError(f"{name} found no equilibrium certified to max regret <= tol={cert:g} x payoff "
                                f"scale: its best point has max regret {best.max_regret:.3g}{hint}",
                                tuple(approximations))
    if approximations:
        warn_caller(f"{name}: {len(approximations)} profile(s) failed the certificate (max regret <= {cert:g} x "
                    "payoff scale); they are in result.approximations, not among the equilibria", ConvergenceWarning)
    return SolveResult(tuple(equilibria if all else equilibria[:1]), name, cert, bool(m.complete and all),
                       tuple(approximations), tuple(game.player_names), tuple(tuple(a) for a in game.action_names),
                       _method_info(found))


def approximate(game: NormalFormGame | Any, method: str = "fictitious-play", *, return_trajectory: bool = False,
                **options: Any) -> Approximation:
    """Run a learning dynamic and return where it stopped, labelled as an approximation.

    Parameters
    ----------
    game : NormalFormGame or array_like
        The game, or its payoff tensor ``(n_players, *n_actions)``.
    method : str
        One of the learning dynamics: ``"fictitious-play"``, ``"replicator"``, ``"regret-matching"``.
    return_trajectory : bool
        Also return the dynamics' state after every iteration (``Approximation.trajectory``, one
        ``(iterations + 1, n_actions)`` array per player), e.g. to draw it on the simplex.
    **options
        The dynamic's options (``max_iter``, ``tol``, ``seed``, ...; see ``help(activeq.nash.solve)``).

    Returns
    -------
    Approximation
        ``converged`` says whether max regret <= ``tol`` x payoff scale; ``seed`` and ``iterations`` say how it was
        reached. No warning is issued when it did not converge: the result says so (``repr`` included).
    """
    game = _as_game(game)
    dynamics = sorted(k for k, v in METHODS.items() if v.dynamics)
    if not isinstance(method, str) or method not in dynamics:
        raise SolverError(f"approximate runs a learning dynamic: method must be one of {', '.join(dynamics)}, "
                          f"got {method!r} (certified equilibria: nash.solve)")
    m = METHODS[method]
    _check_applies(m, game)
    options = _check_options(m, dict(options, return_trajectory=return_trajectory), None)
    return _call(m, game, options)[0]


def _call(m: Method, game: NormalFormGame, options: dict[str, Any]) -> list[Any]:
    """Run the method; its warnings are re-issued at the caller's line (not filtered, not at ours)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = m.func(game, **options)
    for w in caught:
        warn_caller(w.message, w.category)
    return [found] if isinstance(found, Approximation) else list(found)


def _certify(game: NormalFormGame, candidates: list[Equilibrium], name: str, tol: float) -> list[Equilibrium]:
    """Recompute every candidate's certificate, grouped by reporting method (vectorised per group), in order."""
    out: list[Equilibrium | None] = [None] * len(candidates)
    for meth in dict.fromkeys(eq.method or name for eq in candidates):
        idx = [k for k, eq in enumerate(candidates) if (eq.method or name) == meth]
        done = certify(game, [candidates[k].strategies for k in idx], meth, [candidates[k].info for k in idx], tol)
        for k, eq in zip(idx, done):
            out[k] = eq
    return out  # type: ignore[return-value]


def _method_info(found: list[Any]) -> dict[str, Any]:
    keys = ("path_complete",)
    out: dict[str, Any] = {}
    for item in found:
        info = getattr(item, "info", None) or {}
        for k in keys:
            if k in info:
                out[k] = bool(out.get(k, True) and info[k])
    return out


def _certificate_tol(m: Method, tol: float | None) -> float:
    if tol is not None:
        return tol
    default = m.default("tol", CERTIFY_TOL)
    return max(float(default), CERTIFY_TOL) if isinstance(default, (int, float)) else CERTIFY_TOL


def _as_game(game: Any) -> NormalFormGame:
    if isinstance(game, NormalFormGame):
        return game
    if isinstance(game, StochasticGame):
        raise SolverError("game is a StochasticGame; solve() handles normal-form games. Use "
                          "activeq.nash.stochastic (shapley, stationary) for stochastic games")
    if not isinstance(game, (np.ndarray, list, tuple)):
        raise SolverError(f"game must be a NormalFormGame or a payoff tensor (n_players, *n_actions), "
                          f"got {type(game).__name__}")
    return NormalFormGame(game)


def _choose(game: NormalFormGame, method: Any, all: bool) -> str:
    if not isinstance(method, str):
        raise SolverError(f"method must be a string, got {type(method).__name__}")
    if method == "auto":
        if game.num_players == 2:
            small = min(game.num_actions)
            if small <= AUTO_VERTEX_MAX and (all or not game.is_constant_sum):
                return "vertex"
            return "lp" if game.is_constant_sum else "lemke-howson"
        return "logit" if "logit" in METHODS else "pure"
    if method not in METHODS:
        raise SolverError(f"unknown method {method!r}. Methods that apply to this game: "
                          f"{', '.join(applicable(game))} (or 'auto'); all methods: {', '.join(sorted(METHODS))}")
    return method


def _check_applies(m: Method, game: NormalFormGame) -> None:
    ok, reason = m.applies_to(game)
    if not ok:
        raise SolverError(f"method {m.name!r} does not apply: it {reason}. Methods that apply: "
                          f"{', '.join(applicable(game))}")


def _check_seed(seed: Any, name: str) -> Any:
    if seed is not None:
        as_generator(seed, name)  # raises on anything but an int >= 0 or a Generator; the method draws from it
    return seed


def _check_perturbation(x: Any, name: str) -> Any:
    if x is None or isinstance(x, str):  # the method checks the spelling ("random")
        return x
    if not isinstance(x, (list, tuple, np.ndarray)) or np.ndim(x) == 0:
        raise ArgumentTypeError(f"{name} must be None, 'random' or one vector per player, got {x!r}")
    return x


#: Options several methods share, checked by name before any method runs (each method checks its own as well).
COMMON_OPTIONS: dict[str, Callable[[Any, str], Any]] = {
    "progress": check_flag, "return_trajectory": check_flag, "sampled": check_flag, "all_labels": check_flag,
    "seed": _check_seed, "max_iter": check_positive_int, "max_steps": check_positive_int,
    "check_every": check_positive_int, "perturbation": _check_perturbation,
    "tol": lambda x, name: check_in_range(x, name, 0.0, 1.0, low_open=True, high_open=True),
}


def _check_options(m: Method, options: dict[str, Any], tol: float | None) -> dict[str, Any]:
    """Unknown option names raise; shared options are checked by name; ``tol`` is passed on when the method
    takes one."""
    allowed = list(m.options())
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise SolverError(f"method {m.name!r} does not take option(s) {', '.join(unknown)}; "
                          f"it takes: {', '.join(allowed) or 'no options'} (and tol, the certificate)")
    options = {k: COMMON_OPTIONS[k](v, k) if k in COMMON_OPTIONS else v for k, v in options.items()}
    if tol is not None:
        tol = COMMON_OPTIONS["tol"](tol, "tol")
        if "tol" in allowed:
            options["tol"] = tol
    return options


def _document_methods() -> None:
    """Append every registered method and its options to ``solve.__doc__`` (what ``help(nash.solve)`` shows)."""
    base = solve.__doc__.split("    The methods and their options:")[0] if solve.__doc__ else ""
    body = "\n".join(("    " + line) if line else "" for line in describe().splitlines())
    solve.__doc__ = base + "    The methods and their options:\n\n" + body + "\n"
