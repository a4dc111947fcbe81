"""The farsighted objective: each agent's *active average reward* ρ^i under the joint process (s_t, θ_t).

    ρ^i = lim_{T→∞} (1/T) E[Σ_{t<T} R^i(s_t, a_t)]

Two estimators: ``method="exact"`` builds the finite joint chain over (game state, every learner's internal state)
when every learner is finite-state and takes the Cesàro limit from the start law (multichain-safe, via
:func:`activeq.avgreward.gain_bias`); ``method="simulate"`` runs many independent chains in one batched torch loop,
discards a burn-in, and reports the mean over chains with its standard error plus a convergence check (the two
halves of the averaging window must agree within their error bars).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from .._checks import check_choice, check_positive_int
from ..avgreward import gain_bias
from ..errors import ArgumentError, LearnerError
from .learner import DTYPE, Transition, params_select, torch_generator
from .markov_game import ActiveMarkovGame

MAX_JOINT_STATES = 200_000


@dataclass(frozen=True, eq=False)
class ActiveValue:
    """Every agent's active average reward ``values`` (n,) with standard errors ``stderr`` (0 when exact).

    ``converged``: the two halves of the simulation window agree within 4 standard errors (+ ``tol``); always True
    for exact values. ``info``: method details (steps, burn_in, chains, joint chain size...).
    """

    values: np.ndarray
    stderr: np.ndarray
    method: str
    converged: bool
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"values": self.values.tolist(), "stderr": self.stderr.tolist(), "method": self.method,
                "converged": self.converged, "info": {k: v for k, v in self.info.items()
                                                      if isinstance(v, (int, float, str, bool))}}

    def __repr__(self) -> str:
        vals = ", ".join(f"{v:.4g} ± {e:.2g}" for v, e in zip(self.values, self.stderr))
        return f"ActiveValue([{vals}], method={self.method!r}, converged={self.converged})"


# --------------------------------------------------------------------------------------------------
# exact: the finite joint chain
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class FiniteJointChain:
    """The joint chain over x = (s, k_1, ..., k_n) (row-major, game state first).

    ``P``: sparse ``(N, N)`` transition matrix; ``rewards``: ``(N, n)`` expected rewards; ``initial``: ``(N,)`` start law;
    ``sizes``: ``(S, K_1, ..., K_n)``.
    """

    P: sp.csr_matrix
    rewards: np.ndarray
    initial: np.ndarray
    sizes: tuple[int, ...]


def learner_tables(amg: ActiveMarkovGame, agent: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a finite-state learner: policy ``(K, S, A_i)``, next internal state ``(K, S, M, S')`` and the start law ``(K,)``.

    The update is evaluated on every (k, s, joint action, s') with the game's expected rewards R(s, a).
    """
    lr = amg.learners[agent]
    if not getattr(lr, "finite_states", False):
        raise LearnerError(f"learner {agent} ({getattr(lr, 'name', '?')}) has no finite internal state")
    if getattr(lr, "needs_policies", False):
        raise LearnerError(f"learner {agent} ({getattr(lr, 'name', '?')}) updates from the others' policies; "
                           "its joint chain cannot be enumerated")
    game = amg.game
    S, M = game.num_states, int(np.prod(game.num_actions))
    E = lr.enumerate_states()
    K = int(lr.num_states)
    if int(lr.index(E).shape[0]) != K or not torch.equal(lr.index(E), torch.arange(K)):
        raise LearnerError(f"learner {agent}: index(enumerate_states()) must be 0..K-1 in order")
    with torch.no_grad():
        pol = torch.stack([lr.policy(E, torch.full((K,), s, dtype=torch.long)) for s in range(S)], dim=1)
        kk, ss, mm, tt = (t.reshape(-1) for t in torch.meshgrid(torch.arange(K), torch.arange(S), torch.arange(M),
                                                             torch.arange(S), indexing="ij"))
        acts = torch.as_tensor(np.stack(np.unravel_index(mm.numpy(), game.num_actions), axis=1), dtype=torch.long)
        R = torch.as_tensor(np.array(game.rewards.reshape(S, game.num_players, M)), dtype=DTYPE)
        params = _select(E, kk)
        tr = Transition(ss, acts, R[ss, :, mm], tt, None, 0, torch_generator(0))
        nxt = lr.index(lr.update(params, tr)).reshape(K, S, M, S)
        init = lr.init(torch_generator(0), 64)
        start = np.bincount(lr.index(init).numpy(), minlength=K) / 64.0
    return pol.numpy().astype(np.float64), nxt.numpy(), start


def _select(E: Any, idx: torch.Tensor) -> Any:
    return params_select(E, idx)


def finite_joint_chain(amg: ActiveMarkovGame) -> FiniteJointChain:
    """Build the finite joint chain of an active Markov game whose learners are all finite-state."""
    if not amg.finite:
        bad = [n for n, lr in zip(amg.names(), amg.learners) if not getattr(lr, "finite_states", False)]
        raise LearnerError(f"exact evaluation needs finite-state learners; not finite: {', '.join(bad)}")
    game = amg.game
    S, n = game.num_states, game.num_players
    A = game.num_actions
    M = int(np.prod(A))
    tables = [learner_tables(amg, i) for i in range(n)]
    Ks = [t[0].shape[0] for t in tables]
    N = S * int(np.prod(Ks))
    if N > MAX_JOINT_STATES:
        raise LearnerError(f"the joint chain has {N} states (game {S} x learners {Ks}); at most {MAX_JOINT_STATES}")
    grids = np.meshgrid(np.arange(S), *[np.arange(k) for k in Ks], indexing="ij")
    s_idx = grids[0].reshape(-1)
    k_idx = [g.reshape(-1) for g in grids[1:]]
    acts = np.stack(np.unravel_index(np.arange(M), A), axis=1)  # (M, n)
    # joint action probabilities per joint state: (N, M)
    prob = np.ones((N, M))
    for i in range(n):
        prob *= tables[i][0][k_idx[i], s_idx][:, acts[:, i]]
    Rg = game.rewards.reshape(S, n, M)
    rewards = np.einsum("xm,xnm->xn", prob, Rg[s_idx])
    T = game.transitions.reshape(S, M, S)
    rows, cols, vals = [], [], []
    sizes = (S, *Ks)
    for m in range(M):
        pm = prob[:, m]
        live = pm > 0
        if not live.any():
            continue
        Tm = T[s_idx, m]  # (N, S')
        for s2 in range(S):
            w = pm * Tm[:, s2]
            ok = live & (w > 0)
            if not ok.any():
                continue
            x = np.flatnonzero(ok)
            nk = [tables[i][1][k_idx[i][x], s_idx[x], m, s2] for i in range(n)]
            y = np.ravel_multi_index((np.full(x.size, s2), *nk), sizes)
            rows.append(x)
            cols.append(y)
            vals.append(w[x])
    P = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(N, N))
    init = game.initial.copy()
    for t in tables:
        init = np.multiply.outer(init, t[2])
    return FiniteJointChain(P, rewards, init.reshape(-1), sizes)


def exact_active_values(amg: ActiveMarkovGame) -> ActiveValue:
    """ρ^i from the start law through the Cesàro limit of the finite joint chain (multichain and periodic safe)."""
    chain = finite_joint_chain(amg)
    vals = np.empty(amg.num_players)
    classes = 0
    for i in range(amg.num_players):
        gb = gain_bias(chain.P, chain.rewards[:, i])
        vals[i] = float(chain.initial @ gb.gain)
        classes = gb.structure.n_classes
    return ActiveValue(vals, np.zeros_like(vals), "exact", True,
                       {"joint_states": int(chain.P.shape[0]), "recurrent_classes": int(classes)})


# --------------------------------------------------------------------------------------------------
# simulation
# --------------------------------------------------------------------------------------------------
def simulate_window_means(amg: ActiveMarkovGame, steps: int, burn_in: int, chains: int, seed: Any = 0, *,
                          progress: bool = False, start: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Per chain, the mean expected reward over the two halves of steps [burn_in, steps): two ``(B, n)`` arrays."""
    if start is None:
        js, g = amg.init(chains, seed)
    else:
        js, g = start
    half = burn_in + (steps - burn_in) // 2
    s1 = torch.zeros(js.batch, amg.num_players, dtype=DTYPE)
    s2 = torch.zeros_like(s1)
    it = range(steps)
    if progress:
        from .._progress import progress_bar as tqdm
        it = tqdm(it, desc="active average reward", leave=False)
    with torch.no_grad():
        for t in it:
            s = js.state
            js, _, probs = amg.step(js, g)
            if t >= burn_in:
                r = amg.expected_step_rewards(s, probs)
                if t < half:
                    s1 += r
                else:
                    s2 += r
    n1, n2 = half - burn_in, steps - half
    return (s1 / max(n1, 1)).numpy(), (s2 / max(n2, 1)).numpy()


def active_average_reward(amg: ActiveMarkovGame, method: str = "auto", *, steps: int = 4000, burn_in: int | None = None,
                          chains: int = 32, seed: Any = 0, tol: float = 1e-3, progress: bool = False) -> ActiveValue:
    """Every agent's long-run average reward under the joint learning process.

    ``method``: ``"exact"`` (finite-state learners only), ``"simulate"``, or ``"auto"`` (exact when possible).
    Simulation runs ``chains`` independent chains for ``steps`` steps, averages the expected reward
    Σ_a π(a|s_t) R(s_t, a) after ``burn_in`` (default steps // 2) and reports mean ± standard error over chains.
    """
    if not isinstance(amg, ActiveMarkovGame):
        raise ArgumentError(f"amg must be an ActiveMarkovGame, got {type(amg).__name__}")
    check_choice(method, "method", ("auto", "exact", "simulate"))
    if method == "exact" or (method == "auto" and amg.finite and not amg.needs_policies):
        return exact_active_values(amg)
    steps = check_positive_int(steps, "steps", minimum=2)
    burn_in = steps // 2 if burn_in is None else check_positive_int(burn_in, "burn_in", minimum=0)
    if burn_in > steps - 2:
        raise ArgumentError(f"burn_in must be at most steps - 2 = {steps - 2}, got {burn_in}")
    chains = check_positive_int(chains, "chains", minimum=2)
    m1, m2 = simulate_window_means(amg, steps, burn_in, chains, seed, progress=progress)
    per_chain = 0.5 * (m1 + m2) if (steps - burn_in) % 2 == 0 else (
        (m1 * ((steps - burn_in) // 2) + m2 * (steps - burn_in - (steps - burn_in) // 2)) / (steps - burn_in))
    values = per_chain.mean(axis=0)
    stderr = per_chain.std(axis=0, ddof=1) / np.sqrt(chains)
    diff = (m2 - m1)
    diff_se = diff.std(axis=0, ddof=1) / np.sqrt(chains)
    converged = bool(np.all(np.abs(diff.mean(axis=0)) <= 4 * diff_se + tol))
    return ActiveValue(values, stderr, "simulate", converged,
                       {"steps": steps, "burn_in": burn_in, "chains": chains,
                        "half_difference": diff.mean(axis=0).tolist()})
