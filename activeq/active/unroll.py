"""Gradient-through-unroll best responses against learners whose update is a differentiable function of the policies.

When every other learner's update depends only on the current policies (``differentiable_update = True``: the
exact-gradient :class:`~activeq.active.learners.NaiveLearner`), its trajectory against a stationary policy
π_φ = softmax(φ) is deterministic, θ_{t+1} = U(θ_t, π_φ), and agent i's objective is a smooth function of φ:

    J_inf(φ) = mean over t in the last W updates of ρ_i(π_φ, π_θt)   (lookahead "inf": the limit of the learning)
    J_K(φ)   = ρ_i(π_φ, π_θK)                                  (lookahead K: the profile after K updates)

with ρ_i the exact long-run average reward of the stationary profile (the mean is taken at ``points`` evenly spaced
updates of the window: θ_t moves slowly there). J is maximised by Adam on φ, differentiating
through all T updates (second order: the learner's update is itself a gradient), from the best few of a pool of
starting policies (every deterministic one when there are few), all in one batch.
Unlike the gradient-free search this reaches strategies such as zero-determinant extortion, which a naive learner
answers by cooperating.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import torch

from .._checks import as_generator
from ..errors import LearnerError
from .learner import DTYPE, Transition
from .learners._tabular import game_tensors, stationary_values
from .markov_game import ActiveMarkovGame


def differentiable_others(amg: ActiveMarkovGame, agent: int) -> bool:
    """Every learner but ``agent``'s updates as a differentiable function of the policies alone."""
    return all(getattr(lr, "differentiable_update", False) for j, lr in enumerate(amg.learners) if j != agent)


def unroll_objective(amg: ActiveMarkovGame, agent: int, logits: torch.Tensor, lookahead: int | str, steps: int,
                     window: int, points: int = 16) -> torch.Tensor:
    """``J(φ)`` for a batch of logits ``(R, S, A_i)`` (see the module docstring); differentiable in ``logits``."""
    if not differentiable_others(amg, agent):
        names = [getattr(lr, "name", type(lr).__name__) for j, lr in enumerate(amg.learners)
                 if j != agent and not getattr(lr, "differentiable_update", False)]
        raise LearnerError(f"the gradient best response needs every other learner's update to be a differentiable "
                           f"function of the policies (e.g. NaiveLearner); not: {names}")
    R = logits.shape[0]
    gt = game_tensors(amg.game)
    js, _ = amg.init(R, 0)                     # the others' updates are deterministic: the seed only picks s0
    params = list(js.params)
    pi = torch.softmax(logits, dim=-1)
    zeros = torch.zeros(R, dtype=torch.long)
    blank = Transition(zeros, torch.zeros(R, amg.num_players, dtype=torch.long),
                       torch.zeros(R, amg.num_players, dtype=DTYPE), zeros)
    T = steps if lookahead == "inf" else int(lookahead)
    window = max(1, min(window, T))
    scored = set(np.linspace(T - window, T - 1, min(points, window)).round().astype(int).tolist())
    total = torch.zeros(R, dtype=DTYPE)

    def policies() -> list[torch.Tensor]:
        return [pi if j == agent else amg.all_policies(j, p) for j, p in enumerate(params)]

    for t in range(T):
        pols = policies()
        if lookahead == "inf" and t in scored:
            total = total + stationary_values(gt, pols)[:, agent]
        tr = Transition(blank.state, blank.actions, blank.rewards, blank.next_state, tuple(pols), t)
        params = [p if j == agent else amg.learners[j].update(p, tr) for j, p in enumerate(params)]
    if lookahead == "inf":
        return total / len(scored)
    return stationary_values(gt, policies())[:, agent]


def deterministic_logits(rows: int, actions: int, scale: float) -> np.ndarray:
    """Every deterministic table as logits ``(actions**rows, rows, actions)``: ``+scale`` on the chosen action."""
    out = np.full((actions ** rows, rows, actions), -scale)
    for k, combo in enumerate(itertools.product(range(actions), repeat=rows)):
        out[k, np.arange(rows), combo] = scale
    return out


def unroll_search(amg: ActiveMarkovGame, agent: int, lookahead: int | str, *, restarts: int, iterations: int,
                  steps: int, window: int, lr: float, seed: Any, progress: bool) -> tuple[np.ndarray, float, dict]:
    """Multi-start Adam: score a pool of starting tables in one batched forward unroll (every deterministic policy
    when there are at most 64, the uniform policy, random logits), then run Adam from the best ``restarts`` of them.
    Returns the logits of the best policy seen ``(S, A_i)``, its objective and info."""
    rng = as_generator(seed)
    S, A = amg.game.num_states, amg.game.num_actions[agent]
    pool = [np.zeros((1, S, A))]
    if A ** S <= 64:
        pool.append(deterministic_logits(S, A, 4.0))
    pool.append(rng.normal(0.0, 1.0, size=(max(restarts, 8), S, A)))
    pool_t = torch.tensor(np.concatenate(pool), dtype=DTYPE)
    best = {"j": -np.inf, "logits": None}

    def consider(J: torch.Tensor, tables: torch.Tensor) -> None:
        k = int(torch.argmax(J))
        if float(J[k]) > best["j"]:
            best["j"], best["logits"] = float(J[k]), tables[k].detach().numpy().copy()

    with torch.no_grad():
        J0 = unroll_objective(amg, agent, pool_t, lookahead, steps, window)
    consider(J0, pool_t)
    logits = pool_t[torch.argsort(J0, descending=True)[:restarts]].clone().requires_grad_(True)
    opt = torch.optim.Adam([logits], lr=lr)
    it = range(iterations)
    if progress:
        from .._progress import progress_bar as tqdm
        it = tqdm(it, desc=f"active BR by unroll (lookahead {lookahead})", leave=False)
    history = []
    for _ in it:
        opt.zero_grad()
        J = unroll_objective(amg, agent, logits, lookahead, steps, window)
        consider(J.detach(), logits)
        history.append(float(J.detach().max()))
        (-J.sum()).backward()
        opt.step()
    with torch.no_grad():
        consider(unroll_objective(amg, agent, logits, lookahead, steps, window), logits)
    return best["logits"], best["j"], {"evaluations": len(pool_t) + restarts * (iterations + 1),
                                       "objective_trace": history}
