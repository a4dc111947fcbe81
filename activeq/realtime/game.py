"""The realtime iterated game: a slow thinker (large τ_θ) against a fast learner from :mod:`activeq.active`.

Both players of a 2x2 iterated game (memory 1, :class:`activeq.games.IteratedGame`) sit in a
:class:`RealtimeParallelEnv` over :class:`activeq.games.ParallelGameEnv`. The fast learner thinks in one env step
(τ_θ = τ_M, sequential); the slow thinker needs τ_θ = d τ_M (sequential: it acts on 1/d of the steps and repeats its
last action, β = "repeat", in between). Both learners update on every env step they witness (learning is not what is
slow here, acting is). Riemer et al., ICLR 2025, section 3: the slow player's inaction makes it predictable, and a
fast learner exploits that; with d = 1 the game is the ordinary repeated game.

:func:`realtime_game` returns, per τ_θ, the slow player's action rate and both players' mean rewards over seeds.

Raises :class:`activeq.errors.RealtimeError` for a game that is not a two-player normal-form or iterated game, bad τ,
or a learner whose number of actions does not match its action space in the env.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .._checks import SeedLike, as_generator, check_positive_int
from ..errors import LearnerError, RealtimeError
from .clocks import check_tau
from .parallel_env import RealtimeParallelEnv

__all__ = ["GameRow", "RealtimeGameResult", "realtime_game", "check_agent_space"]


def check_agent_space(num_actions: int | None, space: Any, name: str) -> None:
    """RealtimeError unless an agent with ``num_actions`` actions fits the env's Discrete ``space``."""
    n = getattr(space, "n", None)
    if num_actions is None or n is None or int(num_actions) != int(n):
        raise RealtimeError(f"{name} has {num_actions} actions but its action space in the env is {space}")


@dataclass(frozen=True)
class GameRow:
    """One τ_θ of the slow player: ``delay`` = τ_θ/τ_M, its ``action_rate``, mean rewards per env step of the slow and
    fast players, and 95% half-widths over seeds."""

    delay: float
    action_rate: float
    slow_reward: float
    fast_reward: float
    slow_ci: float
    fast_ci: float


@dataclass(frozen=True)
class RealtimeGameResult:
    game: str
    slow: str
    fast: str
    steps: int
    seeds: int
    rows: tuple[GameRow, ...]

    def table(self) -> str:
        from ..cli.output import table  # noqa: PLC0415 - formatting only

        return table(["tau_theta/tau_M", "slow action rate", "slow reward", "+-", "fast reward", "+-"],
                     [[r.delay, r.action_rate, r.slow_reward, r.slow_ci, r.fast_reward, r.fast_ci] for r in self.rows])

    def to_dict(self) -> dict[str, Any]:
        return {"game": self.game, "slow": self.slow, "fast": self.fast, "steps": self.steps, "seeds": self.seeds,
                "rows": [r.__dict__ for r in self.rows]}


def _play(game: Any, slow: Any, fast: Any, tau_m: float, delay: float, steps: int, seed: int) -> tuple[float, ...]:
    import torch

    from ..active.learner import DTYPE, Transition
    from ..games.env import ParallelGameEnv

    env = ParallelGameEnv(game, max_steps=steps, seed=seed)
    names = env.possible_agents
    learners = []
    for i, (ln, a) in enumerate(zip((slow, fast), names)):
        try:
            bound = ln.bind(game, i)
        except LearnerError as exc:
            raise RealtimeError(f"learner {i} ({getattr(ln, 'name', ln)}) does not fit agent {a!r} with action space "
                                f"{env.action_space(a)}: {exc}") from exc
        check_agent_space(bound.num_actions, env.action_space(a), f"learner {i} ({bound.name})")
        learners.append(bound)
    rt = RealtimeParallelEnv(env, tau_m, {names[0]: delay * tau_m, names[1]: tau_m}, default_action="repeat",
                             seed=seed)
    gen = torch.Generator().manual_seed(seed)
    params = [ln.init(gen, 1) for ln in learners]
    rng = np.random.default_rng(seed)
    obs, infos = rt.reset(seed=seed)
    state = int(np.argmax(obs[names[0]]))
    seen = 0
    while True:
        acts = {}
        for a in rt.acting:
            i = names.index(a)
            s = int(np.argmax(obs[a]))
            p = learners[i].policy(params[i], torch.tensor([s])).detach().numpy()[0]
            acts[a] = int(rng.choice(p.size, p=p / p.sum()))
        obs, rew, term, trunc, infos = rt.step(acts)
        for rec in rt.rollout[seen:]:  # both learners update on every env step they witnessed
            joint = torch.tensor([[int(rec["actions"][n]) for n in names]])
            r = torch.tensor([[float(rec["rewards"][n]) for n in names]], dtype=DTYPE)
            nxt = int(np.argmax(rec["obs"][names[0]])) if names[0] in rec["obs"] else state
            tr = Transition(torch.tensor([state]), joint, r, torch.tensor([nxt]), None, seen, gen)
            params = [ln.update(pr, tr) for ln, pr in zip(learners, params)]
            state = nxt
            seen += 1
        if any(term.values()) or any(trunc.values()):
            break
    rewards = np.array([[rec["rewards"][n] for n in names] for rec in rt.rollout])
    return rt.stats(names[0])["action_rate"], float(rewards[:, 0].mean()), float(rewards[:, 1].mean())


def realtime_game(game: Any = "matching_pennies", slow: Any = None, fast: Any = None, *, tau_m: float = 1.0,
                  delays: Sequence[float] = (1, 2, 4, 8), steps: int = 400, seeds: int = 3,
                  seed: SeedLike = 0) -> RealtimeGameResult:
    """Play a slow thinker against a fast learner for each inference delay, on the virtual clock.

    Parameters
    ----------
    game : str or NormalFormGame or IteratedGame
        A two-player game (catalog name or object); a normal-form game is played with memory-1 states.
    slow, fast : activeq.active learner, optional
        The slow thinker (default: the uniform fixed policy, unexploitable when it acts every step) and the fast
        learner (default: ``QPersona(initial_q=(0, 0))``).
    tau_m : float
        Env step time, seconds.
    delays : sequence of float
        τ_θ of the slow player in units of τ_M.
    steps : int
        Env steps per game.
    seeds : int
        Games per delay.
    seed : int or numpy.random.Generator
        Base seed.

    Returns
    -------
    RealtimeGameResult
        One row per delay (``table()`` prints them).
    """
    from .. import load_game
    from ..active import FixedPolicy, QPersona
    from ..games import IteratedGame, NormalFormGame

    g = load_game(game) if isinstance(game, str) else game
    if isinstance(g, NormalFormGame):
        if g.num_players != 2:
            raise RealtimeError(f"game must have two players, got {g.num_players}")
        g = IteratedGame(g, memory=1)
    if not isinstance(g, IteratedGame) or g.num_players != 2:
        raise RealtimeError(f"game must be a two-player NormalFormGame or IteratedGame, got {type(g).__name__}")
    tm = check_tau(tau_m, "tau_m")
    if isinstance(delays, (str, bytes)) or not isinstance(delays, (list, tuple, range, np.ndarray)) or not len(delays):
        raise RealtimeError(f"delays must be a non-empty sequence of inference times in units of tau_m, got "
                            f"{type(delays).__name__}")
    for d in delays:
        check_tau(d * tm if isinstance(d, (int, float)) else d, "tau_theta")
    steps = check_positive_int(steps, "steps")
    seeds = check_positive_int(seeds, "seeds")
    rng = as_generator(seed)
    run_seeds = [int(x) for x in rng.integers(0, 2 ** 31, size=seeds)]
    for name, learner in (("slow", slow), ("fast", fast)):
        if learner is not None and not callable(getattr(learner, "bind", None)):
            raise RealtimeError(f"{name} must be an activeq.active learner (with bind(game, agent)) or None, got "
                                f"{type(learner).__name__}")
    slow = slow if slow is not None else FixedPolicy(np.full(g.num_actions[0], 1.0 / g.num_actions[0]))
    fast = fast if fast is not None else QPersona(initial_q=np.zeros(g.num_actions[1]))
    rows = []
    for d in delays:
        res = np.array([_play(g, slow, fast, tm, float(d), steps, sd) for sd in run_seeds])
        half = 1.96 * res.std(axis=0, ddof=1) / np.sqrt(seeds) if seeds > 1 else np.full(3, np.nan)
        rows.append(GameRow(float(d), float(res[:, 0].mean()), float(res[:, 1].mean()), float(res[:, 2].mean()),
                            float(half[1]), float(half[2])))
    return RealtimeGameResult(getattr(g, "name", None) or str(game), getattr(slow, "name", "slow"),
                              getattr(fast, "name", "fast"), steps, seeds, tuple(rows))
