"""Model-based learners that optimise the gain of the learned model directly.

All four keep a :class:`~activeq.avgreward.learners.model.TabularModel` and a policy, and evaluate the policy's
chain on the model exactly (stationary law, gain) with a :class:`~activeq.avgreward.learners.gain.ChainGain`:

- :class:`OnPolicyRho`: after each transition, greedy gain improvement at the visited state: for every action
  ``a`` at ``s``, the model gain of the chain with ``pi(s) = a`` and the rest of the current policy kept
  (bootstrapped); ``pi(s)`` becomes the best.
- :class:`OffPolicyRho`: the same improvement at ``num_updates`` states sampled after each model update,
  uniformly or by the stationary mass of the current model chain.
- :class:`RhoPolicyGradient`: a softmax policy; the exact gradient of the model gain with respect to the
  visited state's logits, ``dg/dtheta[s, a] = mu_s pi(a|s) (q(s, a) - v(s))`` with
  ``q(s, a) = R[s, a] + P[s, a] . h`` (``h`` the chain's differential values).
- :class:`IterativeGain`: no exact solves: warm-starts the stationary-law and differential-value estimates
  from the previous step and refines them with a few power / relative-value sweeps, then improves ``pi(s)``.

``solver="fast"`` (rank-one updates, O(S^2) per step) and ``solver="dense"`` (the straightforward O(A S^3)
re-solve per step) give the same decisions, hence identical learning curves for a seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._checks import check_choice, check_in_range, check_positive_int
from .base import Learner, check_epsilon, epsilon_greedy
from .gain import SOLVERS, greedy_choice, make_chain_gain
from .model import TabularModel


class _ModelLearner(Learner):
    """Shared parts: the model, epsilon-greedy acting on a deterministic policy, the chain evaluator."""

    def __init__(self, num_states: int, num_actions: int, *, epsilon: float = 0.05, prior: float = 0.1,
                 optimism: float = 1.0, optimism_weight: float = 0.1, solver: str = "fast",
                 refresh_every: int | None = None, tie_tol: float = 1e-9,
                 seed: int | np.random.Generator | None = None):
        super().__init__(num_states, num_actions, seed)
        self.epsilon = check_epsilon(epsilon)
        self.solver = check_choice(solver, "solver", SOLVERS)
        self.tie_tol = check_in_range(tie_tol, "tie_tol", 0.0, 1.0)
        self.model = TabularModel(num_states, num_actions, prior=prior, optimism=optimism,
                                  optimism_weight=optimism_weight)
        self.policy = np.zeros(num_states, dtype=np.int64)
        self.refresh_every = refresh_every
        P, r = self.model.policy_chain(self.policy)
        self.chain = make_chain_gain(P, r, solver, refresh_every)

    def config(self) -> dict[str, Any]:
        m = self.model
        return {**super().config(), "epsilon": self.epsilon, "prior": m.prior, "optimism": m.optimism,
                "optimism_weight": m.optimism_weight, "solver": self.solver, "refresh_every": self.refresh_every,
                "tie_tol": self.tie_tol}

    def _act(self, state: int, rng: np.random.Generator) -> int:
        if self.epsilon > 0.0 and rng.random() < self.epsilon:
            return int(rng.integers(self.num_actions))
        return int(self.policy[state])

    def greedy_policy(self) -> np.ndarray:
        return self.policy.copy()

    def model_gain(self) -> float:
        """Gain of the current policy on the learned model."""
        return self.chain.gain()

    def _improve(self, s: int, row_changed: bool) -> None:
        """Greedy gain improvement at ``s``; commits row ``s`` if the policy or its model row changed."""
        m = self.model
        old = int(self.policy[s])
        gains = self.chain.candidate_gains(s, m.P[s], m.R[s])
        new = greedy_choice(gains, old, self.tie_tol)
        if new != old or row_changed:
            self.policy[s] = new
            self.chain.set_row(s, m.P[s, new], m.R[s, new])


class OnPolicyRho(_ModelLearner):
    """Greedy model-gain improvement at each visited state (see the module docstring)."""

    name = "rho_on"

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        self.model.update(state, action, reward, next_state)
        self._improve(state, row_changed=action == self.policy[state])


class OffPolicyRho(_ModelLearner):
    """Greedy model-gain improvement at ``num_updates`` sampled states after each model update.

    ``sampling="uniform"`` draws states uniformly; ``"stationary"`` draws them from the stationary law of the
    current model chain (improving where the policy spends its time).
    """

    name = "rho_off"

    def __init__(self, num_states: int, num_actions: int, *, num_updates: int = 2, sampling: str = "stationary",
                 **kwargs: Any):
        super().__init__(num_states, num_actions, **kwargs)
        self.num_updates = check_positive_int(num_updates, "num_updates")
        self.sampling = check_choice(sampling, "sampling", ("uniform", "stationary"))

    def config(self) -> dict[str, Any]:
        return {**super().config(), "num_updates": self.num_updates, "sampling": self.sampling}

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        m = self.model
        m.update(state, action, reward, next_state)
        if action == self.policy[state]:
            self.chain.set_row(state, m.P[state, action], m.R[state, action])
        for _ in range(self.num_updates):
            if self.sampling == "uniform":
                s = int(rng.integers(self.num_states))
            else:
                mu = np.clip(self.chain.stationary(), 0.0, None)
                s = int(np.searchsorted(np.cumsum(mu), rng.random() * mu.sum(), side="right"))
                s = min(s, self.num_states - 1)
            self._improve(s, row_changed=False)


class RhoPolicyGradient(_ModelLearner):
    """Softmax policy ascending the exact gradient of the model gain at the visited state.

    The step is ``theta[s] += lr * pi(.|s) (q(s, .) - v(s))``: the exact gradient divided by ``mu_s`` (a
    per-state positive rescaling, so still an ascent direction; without it steps shrink like 1/S). Acting samples
    from the softmax policy (``epsilon`` adds uniform exploration on top).
    """

    name = "rho_pg"

    def __init__(self, num_states: int, num_actions: int, *, lr: float = 5.0, epsilon: float = 0.0, **kwargs: Any):
        self.lr = check_in_range(lr, "lr", 0.0, None, low_open=True)
        self.theta = np.zeros((num_states, num_actions))
        super().__init__(num_states, num_actions, epsilon=epsilon, **kwargs)
        P, r = self.model.policy_chain(self.probabilities())
        self.chain = make_chain_gain(P, r, self.solver, self.refresh_every)

    def config(self) -> dict[str, Any]:
        return {**super().config(), "lr": self.lr}

    def probabilities(self, state: int | None = None) -> np.ndarray:
        """Softmax policy, ``(S, A)`` or the row of ``state``."""
        th = self.theta if state is None else self.theta[state]
        z = np.exp(th - th.max(axis=-1, keepdims=True))
        return z / z.sum(axis=-1, keepdims=True)

    def greedy_policy(self) -> np.ndarray:
        return np.argmax(self.theta, axis=1)

    def _act(self, state: int, rng: np.random.Generator) -> int:
        if self.epsilon > 0.0 and rng.random() < self.epsilon:
            return int(rng.integers(self.num_actions))
        p = self.probabilities(state)
        return int(min(np.searchsorted(np.cumsum(p), rng.random() * p.sum(), side="right"), self.num_actions - 1))

    def _sync(self, s: int) -> None:
        p = self.probabilities(s)
        self.chain.set_row(s, p @ self.model.P[s], float(p @ self.model.R[s]))

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        m = self.model
        m.update(state, action, reward, next_state)
        # h of the chain with the updated model row (policy unchanged) is a what-if: only the row after the
        # gradient step is committed, one rank-one update per step instead of two
        p = self.probabilities(state)
        h = self.chain.differential_values_if(state, p @ m.P[state], float(p @ m.R[state]))
        q = m.R[state] + m.P[state] @ h
        self.theta[state] += self.lr * p * (q - p @ q)
        self._sync(state)


class IterativeGain(_ModelLearner):
    """Greedy improvement at the visited state from warm-started estimates of ``mu`` and ``h``.

    Each step runs ``sweeps`` power-iteration steps ``mu <- mu P_pi`` and relative-value sweeps
    ``h <- r_pi - g + P_pi h`` (``g = mu . r_pi``, ``h`` re-centred so ``mu . h = 0``), starting from the previous
    step's estimates instead of solving from scratch, then sets ``pi(s)`` to an argmax of ``R[s, a] + P[s, a] . h``.
    """

    name = "rho_iter"

    def __init__(self, num_states: int, num_actions: int, *, sweeps: int = 2, **kwargs: Any):
        kwargs.pop("solver", None)
        super().__init__(num_states, num_actions, solver="dense", **kwargs)
        self.sweeps = check_positive_int(sweeps, "sweeps")
        self.mu = np.full(num_states, 1.0 / num_states)
        self.h = np.zeros(num_states)

    def config(self) -> dict[str, Any]:
        cfg = super().config()
        cfg.pop("solver")
        cfg.pop("refresh_every")
        return {**cfg, "sweeps": self.sweeps}

    def model_gain(self) -> float:
        return float(self.mu @ self.chain.r)

    def _observe(self, state: int, action: int, reward: float, next_state: int,
                 rng: np.random.Generator) -> None:
        m = self.model
        m.update(state, action, reward, next_state)
        P, r = self.chain.P, self.chain.r
        if action == self.policy[state]:
            P[state] = m.P[state, action]
            r[state] = m.R[state, action]
        mu, h = self.mu, self.h
        for _ in range(self.sweeps):
            mu = mu @ P
            g = mu @ r
            h = r - g + P @ h
            h -= mu @ h
        self.mu, self.h = mu / mu.sum(), h
        q = m.R[state] + m.P[state] @ h
        new = greedy_choice(q, int(self.policy[state]), self.tie_tol)
        if new != self.policy[state]:
            self.policy[state] = new
            P[state] = m.P[state, new]
            r[state] = m.R[state, new]
