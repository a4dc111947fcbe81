"""Active best responses: maximise one agent's active average reward against the others' learning dynamics.

``active_best_response(amg, agent, lookahead)`` has one code path for the whole myopic-to-farsighted range:

- ``lookahead="inf"`` (the active objective): ρ^i of the joint process.

  * **exact** when every other learner is finite-state: agent i's problem is an average-reward MDP over
    x = (game state, the others' learner states), solved by :func:`activeq.avgreward.solve_average_reward`;
    the answer is a :class:`MetaPolicy` (action per ``(s, k_-i)``) that tracks the others' learner states itself.
  * **gradient** through long unrolls when every other learner's update is a differentiable function of the
    policies (the exact-gradient naive learner): Adam on stationary logits φ over a batch of restarts, see
    :mod:`activeq.active.unroll`;
  * otherwise a **search** over stationary policies ``π_i(a|s)`` (a (μ, λ) evolution strategy on logits seeded with
    every deterministic policy when there are few), each candidate scored by long batched simulation with
    common random numbers.

- ``lookahead=K`` (finite-lookahead shaping; 0 = naive best response to the others' current policies, 1 = LOLA-like):
  the same search, but a candidate is scored by agent i's stationary average reward in the profile reached after
  the others learn for K steps against it and then freeze: ``J_K(π_i) = E[ρ_i(π_i, π_-i(θ_-i^K))]``.

Whatever the lookahead, the returned ``value`` is the *achieved* active average reward of the chosen policy
against the still-learning others (exact when the chain is finite, else simulated with a standard error), so a sweep
over lookaheads compares myopic and farsighted play on the one objective that matters.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp
import torch

from .._checks import as_generator, check_choice, check_in_range, check_positive_int, show
from ..avgreward import SparseMDP, solve_average_reward
from ..errors import ArgumentError, LearnerError
from .learner import DTYPE, LearnerBase, Params, Transition, params_batch, params_select
from .learners._tabular import game_tensors, stationary_values
from .learners.fixed import FixedPolicy
from .markov_game import ActiveMarkovGame
from .objective import ActiveValue, active_average_reward, learner_tables
from .unroll import deterministic_logits, differentiable_others, unroll_search

Lookahead = int | str


# --------------------------------------------------------------------------------------------------
# learners produced by the best response
# --------------------------------------------------------------------------------------------------
class MetaPolicy(LearnerBase):
    """Acts from a table over (game state, the tracked learners' internal states).

    ``table``: ``(S, K_1 * ... * K_m, A)`` action probabilities; ``tracked``: bound finite-state learners (the other
    agents' learners, in seat order) whose states this agent follows by running their updates on every transition.
    Finite-state itself (its state is the tuple of tracked states), so active equilibria can alternate over it.
    """

    finite_states = True

    def __init__(self, table: np.ndarray, tracked: Sequence[Any], name: str = "meta_policy"):
        super().__init__()
        self.table_np = np.asarray(table, dtype=np.float64)
        self.tracked = tuple(tracked)
        for t in self.tracked:
            if not getattr(t, "finite_states", False) or getattr(t, "game", None) is None:
                raise LearnerError("MetaPolicy.tracked must be bound finite-state learners")
        self._sizes = tuple(int(t.num_states) for t in self.tracked)
        if self.table_np.ndim != 3 or self.table_np.shape[1] != int(np.prod(self._sizes)):
            raise LearnerError(f"table must have shape (S, {int(np.prod(self._sizes))}, A), got {self.table_np.shape}")
        self.name = name
        self._table = torch.as_tensor(self.table_np, dtype=DTYPE)
        self._radix = torch.as_tensor([int(np.prod(self._sizes[j + 1:])) for j in range(len(self._sizes))])

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        if self.table_np.shape[0] != game.num_states or self.table_np.shape[2] != game.num_actions[agent]:
            raise LearnerError(f"{self.name}: table shape {self.table_np.shape} does not fit game states "
                               f"{game.num_states} and agent {agent}'s {game.num_actions[agent]} actions")

    @property
    def num_states(self) -> int:
        return int(np.prod(self._sizes))

    def init(self, rng: torch.Generator, batch: int) -> Params:
        return {f"t{j}": t.init(rng, batch) for j, t in enumerate(self.tracked)}

    def index(self, params: Params) -> torch.Tensor:
        idx = torch.zeros(params_batch(params), dtype=torch.long)
        for j, t in enumerate(self.tracked):
            idx = idx + t.index(params[f"t{j}"]) * self._radix[j]
        return idx

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return self._table[state, self.index(params)]

    def update(self, params: Params, transition: Transition) -> Params:
        return {f"t{j}": t.update(params[f"t{j}"], transition) for j, t in enumerate(self.tracked)}

    def enumerate_states(self) -> Params:
        grids = torch.meshgrid(*[torch.arange(k) for k in self._sizes], indexing="ij")
        out = {}
        for j, t in enumerate(self.tracked):
            E = t.enumerate_states()
            out[f"t{j}"] = params_select(E, grids[j].reshape(-1))
        return out

    def greedy_actions(self) -> np.ndarray:
        """``(S, K)`` most likely action per (game state, tracked state)."""
        return self.table_np.argmax(axis=-1)


class PolicyBatch(LearnerBase):
    """A population of stationary policies, one per block of ``repeats`` chains (used to score candidates)."""

    finite_states = False

    def __init__(self, tables: np.ndarray | torch.Tensor, repeats: int = 1, name: str = "policy_batch"):
        super().__init__()
        self.tables = torch.as_tensor(np.asarray(tables, dtype=np.float64), dtype=DTYPE)  # (P, S, A)
        self.repeats = int(repeats)
        self.name = name

    def init(self, rng: torch.Generator, batch: int) -> Params:
        expected = self.tables.shape[0] * self.repeats
        if batch != expected:
            raise LearnerError(f"PolicyBatch needs batch = candidates x repeats = {expected}, got {batch}")
        return self.tables.repeat_interleave(self.repeats, dim=0)

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        return params[torch.arange(params.shape[0]), state]

    def all_policies(self, params: Params) -> torch.Tensor:
        return params

    def update(self, params: Params, transition: Transition) -> Params:
        return params


class TrackingMetaPolicy(LearnerBase):
    """A meta-policy that conditions on the opponent's *current policy*: π_i(a | s, bin(π_j(a_0 | s))).

    The agent keeps a copy of the opponent's learner (``tracked``, bound to the opponent's seat) and replays its update on
    every transition, so it knows the opponent's parameters when the opponent's start is deterministic. The
    opponent's probability of its first action at the current state is cut into ``bins`` equal bins.
    ``tables``: ``(S, bins, A)`` for one policy, or ``(P, S, bins, A)`` with ``repeats`` chains per candidate.
    Two-player games only.
    """

    def __init__(self, tables: Any, tracked: Any, bins: int = 2, repeats: int = 1, name: str = "tracking_meta_policy"):
        super().__init__()
        arr = np.asarray(tables, dtype=np.float64)
        if arr.ndim == 3:
            arr = arr[None]
        if arr.ndim != 4 or arr.shape[2] != bins:
            raise LearnerError(f"tables must have shape (S, bins={bins}, A) or (P, S, bins, A), got {np.shape(tables)}")
        self.tables = torch.as_tensor(arr, dtype=DTYPE)
        self.tracked = tracked
        self.bins = int(bins)
        self.repeats = int(repeats)
        self.needs_policies = bool(getattr(tracked, "needs_policies", False))
        self.name = name

    def _on_bind(self) -> None:
        game, agent = self._require_bound()
        S, A = game.num_states, game.num_actions[agent]
        if self.tables.shape[1] != S or self.tables.shape[3] != A:
            raise LearnerError(f"{self.name}: tables shape {tuple(self.tables.shape)} does not fit {S} game states and "
                               f"agent {agent}'s {A} actions")
        if getattr(self.tracked, "game", None) is None or getattr(self.tracked, "agent", agent) == agent:
            raise LearnerError(f"{self.name}: tracked must be the opponent's learner, bound to the opponent's seat")

    @property
    def table(self) -> np.ndarray:
        """The (first) policy table ``(S, bins, A)``."""
        return self.tables[0].numpy().copy()

    def init(self, rng: torch.Generator, batch: int) -> Params:
        P = self.tables.shape[0]
        if P == 1:
            tab = self.tables.expand(batch, *self.tables.shape[1:])
        elif batch == P * self.repeats:
            tab = self.tables.repeat_interleave(self.repeats, dim=0)
        else:
            raise LearnerError(f"{self.name} needs batch = candidates x repeats = {P * self.repeats}, got {batch}")
        return {"table": tab, "tracked": self.tracked.init(rng, batch)}

    def _bin(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        p0 = self.tracked.policy(params["tracked"], state)[:, 0]
        return (p0 * self.bins).long().clamp(0, self.bins - 1)

    def policy(self, params: Params, state: torch.Tensor) -> torch.Tensor:
        b = torch.arange(state.shape[0])
        return params["table"][b, state, self._bin(params, state)]

    def update(self, params: Params, transition: Transition) -> Params:
        return {"table": params["table"], "tracked": self.tracked.update(params["tracked"], transition)}


# --------------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class ActiveBestResponse:
    """An active best response of ``agent`` and what it achieves.

    ``value``/``stderr``: agent's achieved active average reward (stderr 0 when exact); ``values``: every agent's
    achieved ρ in that profile; ``learner``: the Learner to plug in (MetaPolicy or FixedPolicy); ``policy``: the
    stationary policy ``(S, A)`` (search) or the meta-policy table ``(S, K, A)`` (exact); ``objective``: the
    lookahead objective's value at the optimum (equals ``value`` for exact "inf"); ``method``: "exact_mdp" or "search".
    """

    agent: int
    lookahead: Lookahead
    value: float
    stderr: float
    values: np.ndarray
    learner: Any = field(repr=False)
    policy: np.ndarray = field(repr=False)
    objective: float
    method: str
    evaluation: ActiveValue = field(repr=False)
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "lookahead": self.lookahead, "value": self.value, "stderr": self.stderr,
                "values": self.values.tolist(), "objective": self.objective, "method": self.method,
                "policy": self.policy.tolist(),
                "info": {k: v for k, v in self.info.items() if isinstance(v, (int, float, str, bool))}}


# --------------------------------------------------------------------------------------------------
# exact: average-reward MDP over (s, k_-i)
# --------------------------------------------------------------------------------------------------
def best_response_mdp(amg: ActiveMarkovGame, agent: int) -> tuple[SparseMDP, np.ndarray, tuple[int, ...]]:
    """Agent ``agent``'s MDP over ``x = (s, k_-i)`` (row-major): SparseMDP, start law over x, sizes (S, K_j...)."""
    game = amg.game
    S, n = game.num_states, game.num_players
    A = game.num_actions
    M = int(np.prod(A))
    others = [j for j in range(n) if j != agent]
    tables = {j: learner_tables(amg, j) for j in others}
    Ks = [tables[j][0].shape[0] for j in others]
    sizes = (S, *Ks)
    X = int(np.prod(sizes))
    Ai = A[agent]
    grids = np.meshgrid(*[np.arange(k) for k in sizes], indexing="ij")
    s_idx = grids[0].reshape(-1)
    k_idx = {j: grids[1 + q].reshape(-1) for q, j in enumerate(others)}
    acts = np.stack(np.unravel_index(np.arange(M), A), axis=1)
    prob = np.ones((X, M))  # probability of the others' part of joint action m
    for j in others:
        prob *= tables[j][0][k_idx[j], s_idx][:, acts[:, j]]
    Rg = game.rewards.reshape(S, n, M)[:, agent]  # (S, M)
    T = game.transitions.reshape(S, M, S)
    rewards = np.zeros((X, Ai))
    rows, cols, vals = [], [], []
    for m in range(M):
        a_i = acts[m, agent]
        pm = prob[:, m]
        rewards[:, a_i] += pm * Rg[s_idx, m]
        Tm = T[s_idx, m]
        for s2 in range(S):
            w = pm * Tm[:, s2]
            ok = w > 0
            if not ok.any():
                continue
            x = np.flatnonzero(ok)
            nk = [tables[j][1][k_idx[j][x], s_idx[x], m, s2] for j in others]
            y = np.ravel_multi_index((np.full(x.size, s2), *nk), sizes)
            rows.append(x * Ai + a_i)
            cols.append(y)
            vals.append(w[x])
    P = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(X * Ai, X))
    init = game.initial.copy()
    for j in others:
        init = np.multiply.outer(init, tables[j][2])
    return SparseMDP(rewards, P), init.reshape(-1), sizes


def _exact_best_response(amg: ActiveMarkovGame, agent: int) -> ActiveBestResponse:
    mdp, init, sizes = best_response_mdp(amg, agent)
    sol = solve_average_reward(mdp)
    value = float(init @ sol.gain)
    S, Ai = amg.game.num_states, amg.game.num_actions[agent]
    K = int(np.prod(sizes[1:]))
    table = np.eye(Ai)[np.asarray(sol.policy)].reshape(S, K, Ai)
    tracked = [amg.learners[j] for j in range(amg.num_players) if j != agent]
    meta = MetaPolicy(table, tracked, name=f"active_br[{agent}]")
    ev = active_average_reward(amg.replace(agent, meta), "exact")
    if abs(ev.values[agent] - value) > 1e-6 * max(1.0, abs(value)):
        raise LearnerError(f"internal check failed: MDP gain {value:.9g} but the joint chain gives "
                           f"{ev.values[agent]:.9g}")  # pragma: no cover
    return ActiveBestResponse(agent, "inf", value, 0.0, ev.values, meta, table, value, "exact_mdp", ev,
                              {"mdp_states": int(mdp.num_states), "iterations": int(sol.iterations)})


# --------------------------------------------------------------------------------------------------
# search over stationary policies
# --------------------------------------------------------------------------------------------------
def _candidates(amg: ActiveMarkovGame, agent: int, tables: np.ndarray, chains: int, meta: str, bins: int) -> Any:
    if meta == "tracking":
        return TrackingMetaPolicy(tables, amg.learners[1 - agent], bins=bins, repeats=chains)
    return PolicyBatch(tables, repeats=chains)


def _score(amg: ActiveMarkovGame, agent: int, tables: np.ndarray, lookahead: Lookahead, chains: int, steps: int,
           burn_in: int, seed: int, meta: str = "stationary", bins: int = 2) -> np.ndarray:
    """Objective of each candidate policy table ``(P, S, [bins,] A)``: mean over ``chains`` common-random-number chains."""
    P = tables.shape[0]
    game_amg = amg.replace(agent, _candidates(amg, agent, tables, chains, meta, bins))
    js, g = game_amg.init(P * chains, seed)
    with torch.no_grad():
        if lookahead == "inf":
            total = torch.zeros(P * chains, dtype=DTYPE)
            for t in range(steps):
                s = js.state
                js, _, probs = game_amg.step(js, g)
                if t >= burn_in:
                    total += game_amg.expected_step_rewards(s, probs)[:, agent]
            per_chain = total / (steps - burn_in)
        else:
            for _ in range(int(lookahead)):
                js, _, _ = game_amg.step(js, g)
            pols = [game_amg.all_policies(j, p) for j, p in enumerate(js.params)]
            per_chain = stationary_values(game_tensors(game_amg.game), pols)[:, agent]
    return per_chain.reshape(P, chains).mean(dim=1).numpy()


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _search_best_response(amg: ActiveMarkovGame, agent: int, lookahead: Lookahead, *, population: int,
                          generations: int, chains: int, steps: int, burn_in: int, eval_chains: int,
                          eval_steps: int, seed: Any, progress: bool, meta: str = "stationary",
                          bins: int = 2) -> ActiveBestResponse:
    rng = as_generator(seed)
    crn = int(rng.integers(0, 2**31))
    S, Ai = amg.game.num_states, amg.game.num_actions[agent]
    L = 6.0
    shape = (S, bins, Ai) if meta == "tracking" else (S, Ai)
    # seeds of the search: every deterministic stationary policy (if few), every deterministic policy of the
    # opponent's policy bin only (tracking), the uniform policy, random logits
    cands: list[np.ndarray] = []
    if Ai ** S <= 64:
        for z in deterministic_logits(S, Ai, L):
            cands.append(np.repeat(z[:, None], bins, axis=1) if meta == "tracking" else z)
    if meta == "tracking" and Ai ** bins <= 64:
        cands += [np.repeat(z[None], S, axis=0) for z in deterministic_logits(bins, Ai, L)]
    cands.append(np.zeros(shape))
    while len(cands) < population:
        cands.append(rng.normal(0.0, 2.0, size=shape))
    Z = np.stack(cands)
    scores = _score(amg, agent, _softmax(Z), lookahead, chains, steps, burn_in, crn, meta, bins)
    evaluations = len(Z)
    sigma = 1.5
    it = range(generations)
    if progress:
        from .._progress import progress_bar as tqdm
        it = tqdm(it, desc=f"active BR (lookahead {lookahead})", leave=False)
    n_elite = max(2, population // 4)
    for _ in it:
        order = np.argsort(-scores)
        elite, elite_s = Z[order[:n_elite]], scores[order[:n_elite]]
        kids = elite[rng.integers(0, n_elite, size=population - n_elite)]
        kids = np.clip(kids + sigma * rng.normal(size=kids.shape), -2 * L, 2 * L)
        kid_s = _score(amg, agent, _softmax(kids), lookahead, chains, steps, burn_in, crn, meta, bins)
        evaluations += len(kids)
        Z = np.concatenate([elite, kids])
        scores = np.concatenate([elite_s, kid_s])
        sigma *= 0.7
    best = int(np.argmax(scores))
    return _achieved(amg, agent, lookahead, _softmax(Z[best]), float(scores[best]), "search", eval_steps,
                     eval_chains, rng, {"evaluations": int(evaluations), "meta": meta}, meta, bins)


def _achieved(amg: ActiveMarkovGame, agent: int, lookahead: Lookahead, policy: np.ndarray, objective: float,
              method: str, eval_steps: int, eval_chains: int, rng: np.random.Generator, info: dict[str, Any],
              meta: str = "stationary", bins: int = 2) -> ActiveBestResponse:
    """Play the chosen policy against the still-learning others and measure what it achieves."""
    # snap near-deterministic rows so the policy reads cleanly (and finite chains stay small)
    policy = np.where(policy > 1 - 1e-3, 1.0, np.where(policy < 1e-3, 0.0, policy))
    policy = policy / policy.sum(axis=-1, keepdims=True)
    if meta == "tracking":
        chosen = TrackingMetaPolicy(policy, amg.learners[1 - agent], bins=bins, name=f"lookahead_{lookahead}_br[{agent}]")
    else:
        chosen = FixedPolicy(policy, name=f"lookahead_{lookahead}_br[{agent}]")
    played = amg.replace(agent, chosen)
    if played.finite and not played.needs_policies:
        ev = active_average_reward(played, "exact")
    else:
        ev = active_average_reward(played, "simulate", steps=eval_steps, burn_in=eval_steps // 2,
                                   chains=eval_chains, seed=int(rng.integers(0, 2**31)))
    return ActiveBestResponse(agent, lookahead, float(ev.values[agent]), float(ev.stderr[agent]), ev.values,
                              played.learners[agent], policy, objective, method, ev,
                              {**info, "converged": bool(ev.converged)})


def _check_lookahead(lookahead: Any) -> Lookahead:
    if (isinstance(lookahead, str) and lookahead == "inf") or (isinstance(lookahead, float) and lookahead == math.inf):
        return "inf"
    if isinstance(lookahead, (bool, np.bool_)) or not isinstance(lookahead, numbers.Integral) or lookahead < 0:
        raise ArgumentError(f"lookahead must be a non-negative int (0 naive, 1 LOLA-like, K) or 'inf', "
                            f"got {show(lookahead)}")
    if lookahead > 100_000:
        raise ArgumentError(f"lookahead must be at most 100000 steps (use 'inf' for the limit), got {show(lookahead)}")
    return int(lookahead)


def active_best_response(amg: ActiveMarkovGame, agent: int = 0, lookahead: Lookahead = "inf", *,
                         method: str = "auto", population: int = 24, generations: int = 6, chains: int = 4,
                         steps: int = 600, burn_in: int | None = None, eval_chains: int = 16,
                         eval_steps: int | None = None, meta: str = "auto", bins: int = 2, restarts: int = 16,
                         iterations: int = 40, lr: float = 0.2, seed: Any = 0,
                         progress: bool = False) -> ActiveBestResponse:
    """Agent ``agent``'s best response to the others' learners under shaping horizon ``lookahead``.

    ``method``: ``"auto"`` (exact MDP when lookahead is "inf" and the others are finite-state; else gradient through
    the unrolled learning when the others' updates are differentiable in the policies; else search), ``"exact"``,
    ``"gradient"`` or ``"search"``. Gradient knobs: ``restarts`` logit tables optimised at once by Adam (step
    ``lr``) for ``iterations``, each unrolled over ``steps`` updates and scored on the last ``steps - burn_in``
    (lookahead "inf") or after K updates. Search knobs: ``population`` candidates per generation, ``generations``,
    ``chains`` common-random-number chains per candidate, ``steps``/``burn_in`` of the "inf" scoring runs.
    ``meta``: the searched class, ``"stationary"`` (π_i(a|s)) or ``"tracking"`` (π_i(a | s, bin of the opponent's
    current probability of its first action), see :class:`TrackingMetaPolicy`; 2-player games), with ``bins`` bins;
    ``"auto"`` tracks a non-finite opponent in 2-player games and is stationary otherwise.
    The achieved value is evaluated afterwards (exact when finite, else ``eval_chains`` x ``eval_steps`` simulation).
    """
    if not isinstance(amg, ActiveMarkovGame):
        raise ArgumentError(f"amg must be an ActiveMarkovGame, got {type(amg).__name__}")
    if not isinstance(agent, (int, np.integer)) or isinstance(agent, bool) or not 0 <= agent < amg.num_players:
        raise ArgumentError(f"agent must be an int in [0, {amg.num_players}), got {show(agent)}")
    agent = int(agent)
    lookahead = _check_lookahead(lookahead)
    method = check_choice(method, "method", ("auto", "exact", "gradient", "search"))
    others = [lr for j, lr in enumerate(amg.learners) if j != agent]
    exact_ok = all(getattr(lr, "finite_states", False) and not getattr(lr, "needs_policies", False) for lr in others)
    if method == "exact":
        if lookahead != "inf":
            raise ArgumentError(f"method='exact' solves the active (lookahead='inf') objective; got lookahead={lookahead}")
        if not exact_ok:
            raise LearnerError("method='exact' needs every other learner to be finite-state (and not read policies)")
    if lookahead == "inf" and exact_ok and method != "search":
        return _exact_best_response(amg, agent)
    meta = check_choice(meta, "meta", ("auto", "stationary", "tracking"))
    use_gradient = method == "gradient" or (method == "auto" and meta != "tracking" and differentiable_others(amg, agent))
    if meta == "auto":
        meta = "tracking" if amg.num_players == 2 and not exact_ok else "stationary"
    bins = check_positive_int(bins, "bins", minimum=1)
    if meta == "tracking" and amg.num_players != 2:
        raise ArgumentError(f"meta='tracking' needs a 2-player game, got {amg.num_players} players")
    population = check_positive_int(population, "population", minimum=4)
    generations = check_positive_int(generations, "generations", minimum=0)
    chains = check_positive_int(chains, "chains")
    steps = check_positive_int(steps, "steps", minimum=2)
    burn_in = steps // 2 if burn_in is None else check_positive_int(burn_in, "burn_in", minimum=0)
    if burn_in > steps - 1:
        raise ArgumentError(f"burn_in must be below steps = {steps}, got {burn_in}")
    eval_steps = 2 * steps if eval_steps is None else check_positive_int(eval_steps, "eval_steps", minimum=4)
    eval_chains = check_positive_int(eval_chains, "eval_chains", minimum=2)
    if use_gradient:
        if not differentiable_others(amg, agent):
            raise LearnerError("method='gradient' needs every other learner's update to be a differentiable "
                               "function of the policies (e.g. NaiveLearner)")
        restarts = check_positive_int(restarts, "restarts")
        iterations = check_positive_int(iterations, "iterations", minimum=0)
        lr = check_in_range(lr, "lr", 0.0, None, low_open=True)
        rng = as_generator(seed)
        logits, objective, info = unroll_search(amg, agent, lookahead, restarts=restarts, iterations=iterations,
                                                steps=steps, window=steps - burn_in, lr=lr, seed=rng,
                                                progress=progress)
        return _achieved(amg, agent, lookahead, _softmax(logits), objective, "gradient", eval_steps, eval_chains, rng,
                         info)
    return _search_best_response(amg, agent, lookahead, population=population, generations=generations,
                                 chains=chains, steps=steps, burn_in=burn_in, eval_chains=eval_chains,
                                 eval_steps=eval_steps, seed=seed, progress=progress, meta=meta, bins=bins)


def lookahead_sweep(amg: ActiveMarkovGame, agent: int = 0, lookaheads: Sequence[Lookahead] = (0, 1, 10, "inf"),
                    **kwargs: Any) -> list[ActiveBestResponse]:
    """:func:`active_best_response` at every lookahead (same search settings), for the myopic-vs-farsighted table."""
    return [active_best_response(amg, agent, la, **kwargs) for la in lookaheads]
