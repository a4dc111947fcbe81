"""Exact evaluation of stationary profiles in discounted stochastic games (shared by every solver here).

Conventions (the same as sgamesolver's and Filar & Vrieze's): values are *unnormalised* discounted sums,
``V_i = r_i(sigma) + gamma P(sigma) V_i``, i.e. ``V_i = (I - gamma P_sigma)^{-1} r_i(sigma)``. The action value of
player i's action a in state s against the others' stationary strategies and continuation values V is
``u_i(s, a) = sum_{a_-i} sigma_-i(a_-i | s) [R_i(s, a) + gamma sum_{s'} T(s' | s, a) V_i(s')]``.
The *one-shot deviation gain* of player i in state s is ``max_a u_i(s, a) - V_i(s)`` with ``V = V^sigma``;
by the one-shot deviation principle a profile is a stationary (Markov perfect) equilibrium iff every gain is
<= 0, and a profile whose gains are all <= eps is exploitable by at most ``eps / (1 - gamma)`` in every state.
"""

from __future__ import annotations

import string
from typing import Any, Sequence

import numpy as np

from ...errors import SolverError
from ...games import StochasticGame

_LETTERS = string.ascii_lowercase.replace("s", "").replace("t", "")


def check_discounted(sg: Any, who: str) -> StochasticGame:
    """``sg`` as a discounted StochasticGame, else SolverError saying why ``who`` cannot handle it."""
    if not isinstance(sg, StochasticGame):
        raise SolverError(f"{who}: sg must be an activeq StochasticGame, got {type(sg).__name__}")
    if sg.discount is None:
        raise SolverError(f"{who} needs a discounted game (discount in [0, 1)); {sg!r} is average-reward "
                          f"(discount=None). Build it with discount=... or use activeq.avgreward for average reward")
    return sg


def joint_distribution(policies: Sequence[np.ndarray]) -> np.ndarray:
    """Per-state joint action law ``(S, *A)``: the outer product of the players' ``(S, A_i)`` policies."""
    joint = policies[0]
    for pi in policies[1:]:
        joint = joint[..., None] * pi.reshape(pi.shape[0], *([1] * (joint.ndim - 1)), pi.shape[1])
    return joint


def contract_others(tensor: np.ndarray, policies: Sequence[np.ndarray], keep: Sequence[int], lead: str = "s",
                    trail: str = "") -> np.ndarray:
    """Sum ``tensor[s, a_1..a_n, *trail]`` against every player's policy except those in ``keep``.

    Returns an array ``(S, *[A_k for k in keep], *trail)``.
    """
    n = len(policies)
    acts = _LETTERS[:n]
    operands: list[Any] = [tensor]
    subs = [lead + acts + trail]
    for j in range(n):
        if j not in keep:
            operands.append(policies[j])
            subs.append("s" + acts[j])
    out = lead + "".join(acts[k] for k in keep) + trail
    return np.einsum(",".join(subs) + "->" + out, *operands, optimize=n > 2)


def state_chain(sg: StochasticGame, policies: Sequence[np.ndarray]) -> np.ndarray:
    """``P[s, s'] = sum_a sigma(a | s) T(s' | s, a)`` for a validated profile."""
    S = sg.num_states
    joint = joint_distribution(policies).reshape(S, -1)
    return np.einsum("sa,sat->st", joint, sg.transitions.reshape(S, -1, S))


def policy_values(sg: StochasticGame, policies: Sequence[Any]) -> np.ndarray:
    """Exact discounted values ``V[s, i]`` of a stationary profile (one linear solve for all players)."""
    sg = check_discounted(sg, "policy_values")
    pol = sg.check_policies(policies, "policies", tol=1e-7)
    return _values(sg, pol)


def _values(sg: StochasticGame, pol: Sequence[np.ndarray]) -> np.ndarray:
    S, n = sg.num_states, sg.num_players
    joint = joint_distribution(pol).reshape(S, -1)
    r = np.einsum("sa,sia->si", joint, sg.rewards.reshape(S, n, -1))
    P = np.einsum("sa,sat->st", joint, sg.transitions.reshape(S, -1, S))
    return np.linalg.solve(np.eye(S) - sg.discount * P, r)


def continuation_payoffs(sg: StochasticGame, values: np.ndarray) -> np.ndarray:
    """``Q[s, i, *a] = R_i(s, a) + gamma sum_{s'} T(s'|s, a) V[s', i]``: the stage games with continuation values."""
    S, n = sg.num_states, sg.num_players
    cont = sg.transitions.reshape(S, -1, S) @ values  # (S, prod A, n)
    return sg.rewards + sg.discount * np.moveaxis(cont, -1, 1).reshape(sg.rewards.shape)


def action_values(sg: StochasticGame, policies: Sequence[np.ndarray], values: np.ndarray) -> list[np.ndarray]:
    """Per player ``u_i[s, a]``: expected continuation payoff of each own action against the others' policies."""
    Q = continuation_payoffs(sg, values)
    return [contract_others(Q[:, i], policies, keep=[i]) for i in range(sg.num_players)]


def one_shot_gains(sg: StochasticGame, policies: Sequence[Any]) -> np.ndarray:
    """``gains[s, i] = max_{legal a} u_i(s, a) - V_i(s)`` with ``V = V^sigma`` computed exactly (>= 0 up to round-off)."""
    sg = check_discounted(sg, "one_shot_gains")
    pol = sg.check_policies(policies, "policies", tol=1e-7)
    return _gains(sg, pol)[0]


def _gains(sg: StochasticGame, pol: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    V = _values(sg, pol)
    u = action_values(sg, pol, V)
    gains = np.stack([np.where(sg.legal_actions[i], u[i], -np.inf).max(axis=1) - V[:, i]
                      for i in range(sg.num_players)], axis=1)
    return gains, V


def reward_scale(sg: StochasticGame) -> float:
    """The reward range used to make tolerances relative: ``max(1, ptp(R))``."""
    return max(1.0, float(np.ptp(sg.rewards)))
