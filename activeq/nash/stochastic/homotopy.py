"""Stationary (Markov perfect) equilibria of discounted n-player stochastic games by the logit QRE homotopy.

The stochastic logit quantal-response equilibrium (Eibelshaeuser & Poensgen 2019 trace it for stochastic games;
McKelvey & Palfrey 1995 for normal form) with precision lambda is a stationary profile sigma and values V with::

    sigma_i(a | s) proportional to exp(lambda u_i(s, a)),     V_i(s) = sum_a sigma_i(a | s) u_i(s, a),
    u_i(s, a) = E_{a_-i ~ sigma_-i(s)} [R_i(s, a, a_-i) + gamma sum_{s'} T(s' | s, a, a_-i) V_i(s')].

At lambda = 0 the unique solution is the uniform profile; as lambda -> inf the (generically unique, smooth) branch
leaving it converges to a stationary equilibrium. We trace it in the unknowns y = (beta = log sigma, V, lambda) with
equations, per state s and player i with reference action r (the first legal one)::

    sum_a exp(beta_{s,i,a}) - 1 = 0,
    beta_{s,i,a} - beta_{s,i,r} - lambda (u_i(s, a) - u_i(s, r)) = 0   (legal a != r),
    beta_{s,i,a} - beta_{s,i,r} + C = 0                                (illegal a: probability e^-C ~ 1e-26),
    V_i(s) - sum_a exp(beta_{s,i,a}) u_i(s, a) = 0,

by pseudo-arclength predictor-corrector continuation: the tangent is the kernel of the Jacobian (bordered by the
previous tangent), the Euler predictor is followed by chord-Newton corrector steps on the bordered system (one
LU factorisation per step), and the step length adapts to the corrector's contraction. The Jacobian is assembled
for all states at once with einsum. Rewards are affinely rescaled to [0, 1] internally (equilibria are invariant).

The linear algebra exploits the structure: the Jacobian's strategy block is block-diagonal over states, so each
solve eliminates the log-strategies state by state (batched K x K inverses) and factorises only a dense
(S n + 1)-square Schur system in the values and lambda (see :class:`_Blocks`), with a dense fallback when a state
block is ill-conditioned or the elimination loses accuracy.

Stopping is decided by the *certificate*, not by lambda: after every accepted step the current logit profile is
evaluated exactly (policy evaluation) and its largest one-shot-deviation gain is computed. Each time lambda doubles
(from 5 on) we try to finish early from the current point: (1) keep only each player's near-best actions by exact
action values and re-evaluate (exact for equilibria that are pure up to exact ties), (2) a Newton "polish" that
solves the equilibrium equations on guessed supports (indifference, normalisation, values; least-squares state
blocks where actions are exact duplicates). A candidate is kept only if it lies within 0.1 (max probability
difference) of the current logit point, so the answer is the limit of the path (the logit selection) and not some
other equilibrium nearby, and only if its exact certificate is within tolerance.

Degenerate games (exact ties and symmetries, e.g. grid games) have branch points on the logit path; by default the
path is traced in a copy of the game with rewards perturbed by 1e-6 of their range (seeded), while every
certificate and the polish use the original game.

Known limitation: on games whose equilibria need exact mixing in many near-tied states (Hu & Wellman's grid game 1
at discount 0.99) the path gets long before supports separate and the polish does not find them (certificate
0.28 after 200 steps, 0.085 after 5000). :func:`stationary` then alternates exact pure best responses from the
best path profile; on grid game 1 they reach a pure stationary equilibrium (certificate 0, exploitability 0) in 3
rounds, returned with ``info["via"] = "best-response"`` (not the logit selection). Only if that fails too is an
uncertified profile returned, with ``converged=False`` and a ConvergenceWarning.

Raises :class:`~activeq.errors.SolverError` / :class:`~activeq.errors.ArgumentError` /
:class:`~activeq.errors.ArgumentTypeError` on a bad game or option.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
from ..._progress import progress_bar as tqdm  # never tqdm.auto: it warns at import in Jupyter

from ..._checks import SeedLike, as_generator, check_in_range, check_positive_int, show
from ..._warn import caller_stacklevel
from ...errors import ArgumentTypeError, ConvergenceWarning, SolverError
from ...games import StochasticGame
from .best_response import best_response, exploitability
from .evaluation import _gains, action_values, check_discounted, contract_others

METHODS = ("logit",)
_ILLEGAL_GAP = 60.0
_NEAR = 0.1  # polish candidates must be within this (max abs probability difference) of the current logit point


@dataclass(frozen=True, eq=False)
class StationaryEquilibrium:
    """A stationary profile of a discounted stochastic game with its one-shot-deviation certificate.

    ``strategies``: per player an ``(S, A_i)`` array; ``values``: ``(S, n)`` exact discounted values of the profile;
    ``gains``: ``(S, n)`` one-shot deviation gains against those values; ``certificate``: ``gains.max()`` (reward
    units; 0 for an exact Markov perfect equilibrium); ``exploitability``: max over states and players of the exact
    best-response gain (<= certificate / (1 - gamma)); ``converged``: certificate <= tol * reward range;
    ``info``: lambda reached, path steps, whether the support polish was used, timings.
    """

    strategies: tuple[np.ndarray, ...]
    values: np.ndarray
    gains: np.ndarray
    certificate: float
    exploitability: float
    converged: bool
    method: str = "logit"
    info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"strategies": [s.tolist() for s in self.strategies], "values": self.values.tolist(),
                "certificate": self.certificate, "exploitability": self.exploitability,
                "converged": self.converged, "method": self.method,
                "info": {k: v for k, v in self.info.items() if isinstance(v, (int, float, str, bool))}}


class _Layout:
    """Index bookkeeping for the unknowns (beta per state and player-action, V per state and player, lambda)."""

    def __init__(self, sg: StochasticGame):
        self.S = S = sg.num_states
        self.n = n = sg.num_players
        self.A = A = sg.num_actions
        self.K = K = int(sum(A))
        self.off = np.concatenate([[0], np.cumsum(A)]).astype(int)
        self.nb = S * K
        self.N = S * K + S * n
        legal = np.concatenate([m for m in sg.legal_actions], axis=1)  # (S, K)
        self.legal = legal
        ref = np.zeros((S, K), dtype=int)  # global (within K) index of the row's reference action
        self.ref_local = []
        for i in range(n):
            r = np.argmax(sg.legal_actions[i], axis=1)
            self.ref_local.append(r)
            ref[:, self.off[i]:self.off[i + 1]] = (self.off[i] + r)[:, None]
        self.ref = ref
        k_idx = np.broadcast_to(np.arange(K), (S, K))
        self.is_ref = k_idx == ref
        self.is_play = legal & ~self.is_ref
        self.is_illegal = ~legal
        self.player_of = np.concatenate([np.full(a, i) for i, a in enumerate(A)])

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        return y[:self.nb].reshape(self.S, self.K), y[self.nb:self.N].reshape(self.S, self.n), float(y[self.N])

    def per_player(self, arr: np.ndarray) -> list[np.ndarray]:
        return [arr[:, self.off[i]:self.off[i + 1]] for i in range(self.n)]


class _Blocks:
    """A Jacobian with the homotopy's structure, rows/columns ordered (beta per state, V, [lambda]):

        [[A  B  l]      A: block diagonal over states (S blocks K x K)     l: lambda column (beta rows only)
         [C  D  0]]     C: block diagonal over states (S blocks n x K)     B, D: dense couplings through values

    Solves eliminate beta state by state (batched K x K inverses), leaving a dense (S n [+1]) Schur system, so a
    step costs O(S K^3 + S^2 n K + (S n)^3) instead of O((S (K + n))^3). If a state block is ill-conditioned (a fold
    of a stage game's response) the dense system is factorised instead.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray, lam_col: np.ndarray | None):
        self.A, self.B, self.C, self.D, self.lam_col = A, B, C, D, lam_col
        self.S, self.K = A.shape[:2]
        self.n = C.shape[1]
        self.nb = self.S * self.K
        self.N = self.nb + D.shape[0]

    def dense(self, row: np.ndarray | None) -> np.ndarray:
        S, K, nb, N = self.S, self.K, self.nb, self.N
        size = N + (row is not None)
        J = np.zeros((size, size))
        Jbb = J[:nb, :nb].reshape(S, K, S, K)
        ar = np.arange(S)
        Jbb[ar, :, ar, :] = self.A
        J[:nb, nb:N] = self.B.reshape(nb, -1)
        Jvb = J[nb:N, :nb].reshape(S, self.n, S, K)
        Jvb[ar, :, ar, :] = self.C
        J[nb:N, nb:N] = self.D
        if row is not None:
            J[:nb, N] = self.lam_col.ravel()
            J[N, :] = row
        return J

    def matvec(self, z: np.ndarray, row: np.ndarray | None) -> np.ndarray:
        S, K, nb, N = self.S, self.K, self.nb, self.N
        zb = z[:nb].reshape(S, K)
        zv = z[nb:N]
        top = np.einsum("skl,sl->sk", self.A, zb) + self.B @ zv
        if row is not None:
            top = top + self.lam_col * z[N]
        bot = np.einsum("sik,sk->si", self.C, zb).ravel() + self.D @ zv
        out = [top.ravel(), bot]
        if row is not None:
            out.append([row @ z])
        return np.concatenate(out)

    def factor(self, row: np.ndarray | None, pinv: bool = False, dense: bool = True) -> "_Factor | None":
        """Factorise the system (bordered by ``row`` if given); None if it is singular.

        ``pinv``: invert the state blocks by pseudo-inverse (least-squares Newton steps for the polish, whose state
        blocks are singular where actions are exact duplicates, e.g. absorbing states).
        """
        if pinv:
            try:
                return _Factor(self, row, structured=True, pinv=True)
            except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, ValueError):
                return None
        try:
            fac = _Factor(self, row, structured=True)
            # inf-norm condition numbers of the state blocks (cheap bound); large -> eliminate densely instead
            cond = np.abs(self.A).sum(axis=2).max(axis=1) * np.abs(fac.Ainv).sum(axis=2).max(axis=1)
            if np.all(np.isfinite(cond)) and cond.max() < 1e10:
                return fac
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, ValueError):
            pass
        if not dense:
            return None
        try:
            return _Factor(self, row, structured=False)
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError, ValueError):
            return None


def _lu_sign(lu: np.ndarray, piv: np.ndarray) -> float:
    """Sign of the determinant from scipy's LU factors."""
    swaps = int(np.count_nonzero(piv != np.arange(piv.size)))
    return float(np.prod(np.sign(np.diag(lu)))) * (-1.0 if swaps % 2 else 1.0)


class _Factor:
    def __init__(self, blk: _Blocks, row: np.ndarray | None, structured: bool, pinv: bool = False):
        self.blk, self.row, self.structured = blk, row, structured
        S, K, n, nb, N = blk.S, blk.K, blk.n, blk.nb, blk.N
        if not structured:
            J = blk.dense(row)
            lu, piv = scipy.linalg.lu_factor(J, check_finite=False)
            if np.abs(np.diag(lu)).min() <= 1e-13 * np.abs(np.diag(lu)).max():
                raise np.linalg.LinAlgError("singular")
            self.lu = (lu, piv)
            self.sign = _lu_sign(lu, piv)
            return
        Ainv = np.linalg.pinv(blk.A, rcond=1e-12) if pinv else np.linalg.inv(blk.A)
        E = Ainv @ blk.B  # (S, K, S n)
        Sn = S * n
        size = Sn + (row is not None)
        O = np.zeros((size, size))
        O[:Sn, :Sn] = blk.D - (blk.C @ E).reshape(Sn, Sn)
        if row is not None:
            e = np.einsum("skl,sl->sk", Ainv, blk.lam_col)
            cb = row[:nb].reshape(S, K)
            O[:Sn, Sn] = -np.einsum("sik,sk->si", blk.C, e).ravel()
            O[Sn, :Sn] = row[nb:N] - np.einsum("sk,skm->m", cb, E)
            O[Sn, Sn] = row[N] - float(np.sum(cb * e))
            self.e, self.cb = e, cb
        lu, piv = scipy.linalg.lu_factor(O, check_finite=False)
        if np.abs(np.diag(lu)).min() <= 1e-13 * np.abs(np.diag(lu)).max():
            raise np.linalg.LinAlgError("singular")
        self.Ainv, self.E, self.lu = Ainv, E, (lu, piv)
        # det of the whole system = prod_s det A_s * det(Schur complement) (same row/column order every step)
        self.sign = 0.0 if pinv else float(np.prod(np.sign(np.linalg.det(blk.A)))) * _lu_sign(lu, piv)

    def solve(self, rhs: np.ndarray) -> np.ndarray:
        if not self.structured:
            return scipy.linalg.lu_solve(self.lu, rhs, check_finite=False)
        blk = self.blk
        S, K, nb, N = blk.S, blk.K, blk.nb, blk.N
        w = np.einsum("skl,sl->sk", self.Ainv, rhs[:nb].reshape(S, K))
        outer = rhs[nb:N] - np.einsum("sik,sk->si", blk.C, w).ravel()
        if self.row is not None:
            outer = np.concatenate([outer, [rhs[N] - float(np.sum(self.cb * w))]])
        z_out = scipy.linalg.lu_solve(self.lu, outer, check_finite=False)
        zv = z_out[:N - nb]
        zb = w - self.E @ zv
        if self.row is not None:
            zb = zb - self.e * z_out[-1]
            return np.concatenate([zb.ravel(), zv, z_out[-1:]])
        return np.concatenate([zb.ravel(), zv])


class _Model:
    """Equations and Jacobians of the homotopy (and of the support polish) for one rescaled game."""

    def __init__(self, sg: StochasticGame, perturbation: float = 0.0, rng: np.random.Generator | None = None):
        self.sg = sg
        self.L = L = _Layout(sg)
        lo, hi = float(sg.rewards.min()), float(sg.rewards.max())
        self.scale = hi - lo if hi > lo else 1.0
        self.R = (np.asarray(sg.rewards) - lo) / self.scale
        if perturbation > 0:
            self.R = self.R + perturbation * rng.uniform(-1.0, 1.0, self.R.shape)
        self.gamma = float(sg.discount)
        self.Tflat = np.asarray(sg.transitions).reshape(L.S, -1, L.S)
        self.T = np.asarray(sg.transitions)
        self.ar = np.arange(L.S)

    # --- shared pieces ----------------------------------------------------------------------------
    def pieces(self, sigma: list[np.ndarray], V: np.ndarray, jac: bool) -> dict[str, Any]:
        L = self.L
        cont = (self.Tflat @ V)  # (S, prod A, n)
        Q = self.R + self.gamma * np.moveaxis(cont, -1, 1).reshape(self.R.shape)
        out: dict[str, Any] = {}
        if L.n == 2:
            u = [np.einsum("sab,sb->sa", Q[:, 0], sigma[1]), np.einsum("sab,sa->sb", Q[:, 1], sigma[0])]
        else:
            u = [contract_others(Q[:, i], sigma, keep=[i]) for i in range(L.n)]
        out["u"] = u
        if jac:
            D = {}
            for i in range(L.n):
                for j in range(L.n):
                    if i != j:
                        if L.n == 2:
                            D[i, j] = Q[:, i] if i == 0 else np.swapaxes(Q[:, i], 1, 2)
                        else:
                            D[i, j] = contract_others(Q[:, i], sigma, keep=[i, j])
            out["D"] = D
            if L.n == 2:
                G = [self.gamma * np.einsum("sabt,sb->sat", self.T, sigma[1]),
                     self.gamma * np.einsum("sabt,sa->sbt", self.T, sigma[0])]
            else:
                G = [self.gamma * contract_others(self.T, sigma, keep=[i], trail="t") for i in range(L.n)]
            out["G"] = G
            out["gP"] = np.einsum("sa,sat->st", sigma[0], G[0])  # gamma * P_sigma
        return out

    # --- homotopy ---------------------------------------------------------------------------------
    def residual(self, y: np.ndarray) -> np.ndarray:
        L = self.L
        beta, V, lam = L.split(y)
        sig_all = np.exp(beta)
        sigma = L.per_player(sig_all)
        u_all = np.concatenate(self.pieces(sigma, V, jac=False)["u"], axis=1)
        beta_ref = np.take_along_axis(beta, L.ref, axis=1)
        u_ref = np.take_along_axis(u_all, L.ref, axis=1)
        Hb = np.where(L.is_play, beta - beta_ref - lam * (u_all - u_ref), beta - beta_ref + _ILLEGAL_GAP)
        sums = np.stack([s.sum(axis=1) for s in sigma], axis=1)  # (S, n)
        Hb = np.where(L.is_ref, sums[:, L.player_of] - 1.0, Hb)
        su = sig_all * u_all
        HV = V - np.stack([su[:, L.off[i]:L.off[i + 1]].sum(axis=1) for i in range(L.n)], axis=1)
        return np.concatenate([Hb.ravel(), HV.ravel()])

    def jacobian(self, y: np.ndarray) -> "_Blocks":
        """dH/dy in block form (see :class:`_Blocks`)."""
        L = self.L
        S, n, K = L.S, L.n, L.K
        beta, V, lam = L.split(y)
        sig_all = np.exp(beta)
        sigma = L.per_player(sig_all)
        P = self.pieces(sigma, V, jac=True)
        u, D, G = P["u"], P["D"], P["G"]
        A = np.zeros((S, K, K))
        B = np.zeros((S, K, S, n))
        C = np.zeros((S, n, K))
        Dv = np.zeros((S, n, S, n))
        lam_col = np.zeros((S, K))
        for i in range(n):
            oi, Ai = L.off[i], L.A[i]
            ri = L.ref_local[i]
            rows = slice(oi, oi + Ai)
            play = L.is_play[:, rows]  # (S, Ai)
            # own block: identity minus reference column; the reference row holds sigma (normalisation)
            own = np.broadcast_to(np.eye(Ai), (S, Ai, Ai)).copy()
            own[self.ar, :, ri] -= 1.0
            own[self.ar, ri, :] = sigma[i]
            A[:, rows, rows] = own
            ui_ref = u[i][self.ar, ri]
            lam_col[:, rows] = np.where(play, -(u[i] - ui_ref[:, None]), 0.0)
            for j in range(n):
                if j == i:
                    continue
                oj, Aj = L.off[j], L.A[j]
                Dij = D[i, j]
                Dd = Dij - Dij[self.ar, ri][:, None, :]
                A[:, rows, oj:oj + Aj] = np.where(play[:, :, None], -lam * Dd * sigma[j][:, None, :], 0.0)
                C[:, i, oj:oj + Aj] = -np.einsum("sa,sab->sb", sigma[i], Dij) * sigma[j]
            Gd = G[i] - G[i][self.ar, ri][:, None, :]
            B[:, rows, :, i] = np.where(play[:, :, None], -lam * Gd, 0.0)
            C[:, i, rows] = -sigma[i] * u[i]
            Dv[:, i, :, i] = np.eye(S) - P["gP"]
        return _Blocks(A, B.reshape(S, K, S * n), C, Dv.reshape(S * n, S * n), lam_col)

    # --- support polish (lambda = infinity, unknowns sigma and V) ----------------------------------
    def polish(self, sig_all: np.ndarray, V: np.ndarray, support: np.ndarray, iters: int = 12
               ) -> tuple[np.ndarray, np.ndarray] | None:
        """Newton on: u_i(s,a) = u_i(s,r) on the support, sigma = 0 off it, sum sigma = 1, V = sigma . u.

        Returns (sigma, V) when Newton converges (sigma may have negative entries: the caller checks), else None.
        """
        L = self.L
        S, n, K, N, nb = L.S, L.n, L.K, L.N, L.nb
        # reference action of each (s, i): the first support action
        ref = np.zeros((S, K), dtype=int)
        ref_local = []
        for i in range(n):
            r = np.argmax(support[:, L.off[i]:L.off[i + 1]], axis=1)
            ref_local.append(r)
            ref[:, L.off[i]:L.off[i + 1]] = (L.off[i] + r)[:, None]
        is_ref = np.broadcast_to(np.arange(K), (S, K)) == ref
        play = support & ~is_ref
        x = np.concatenate([np.where(support, sig_all, 0.0).ravel(), V.ravel()])
        for _ in range(iters):
            sa = x[:nb].reshape(S, K)
            Vc = x[nb:].reshape(S, n)
            sigma = L.per_player(sa)
            P = self.pieces(sigma, Vc, jac=True)
            u, D, G = P["u"], P["D"], P["G"]
            u_all = np.concatenate(u, axis=1)
            u_ref = np.take_along_axis(u_all, ref, axis=1)
            sums = np.stack([s.sum(axis=1) for s in sigma], axis=1)
            H = np.where(play, u_all - u_ref, np.where(is_ref, sums[:, L.player_of] - 1.0, sa))
            su = sa * u_all
            HV = Vc - np.stack([su[:, L.off[i]:L.off[i + 1]].sum(axis=1) for i in range(n)], axis=1)
            F = np.concatenate([H.ravel(), HV.ravel()])
            if np.abs(F).max() < 1e-13:
                break
            A = np.zeros((S, K, K))
            Bv = np.zeros((S, K, S, n))
            C = np.zeros((S, n, K))
            Dv = np.zeros((S, n, S, n))
            for i in range(n):
                oi, Ai = L.off[i], L.A[i]
                rows = slice(oi, oi + Ai)
                ri = ref_local[i]
                pl = play[:, rows]
                own = np.where(support[:, rows][:, :, None], 0.0, np.eye(Ai)[None])  # off-support: sigma_a = 0
                own[self.ar, ri, :] = 1.0  # normalisation row
                A[:, rows, rows] = own
                for j in range(n):
                    if j == i:
                        continue
                    oj, Aj = L.off[j], L.A[j]
                    Dij = D[i, j]
                    A[:, rows, oj:oj + Aj] = np.where(pl[:, :, None], Dij - Dij[self.ar, ri][:, None, :], 0.0)
                    C[:, i, oj:oj + Aj] = -np.einsum("sa,sab->sb", sigma[i], Dij)
                Gd = G[i] - G[i][self.ar, ri][:, None, :]
                Bv[:, rows, :, i] = np.where(pl[:, :, None], Gd, 0.0)
                C[:, i, rows] = -u[i]
                Dv[:, i, :, i] = np.eye(S) - P["gP"]
            blocks = _Blocks(A, Bv.reshape(S, K, S * n), C, Dv.reshape(S * n, S * n), None)
            fac = blocks.factor(None, dense=False)  # exact block inverses when the blocks are well conditioned
            if fac is None:
                # singular state blocks (exactly duplicated actions, e.g. absorbing states): least-squares blocks
                fac = blocks.factor(None, pinv=True)
            dx = None if fac is None else fac.solve(F)
            if dx is None or not np.all(np.isfinite(dx)):
                return None
            x = x - dx
            if not np.all(np.isfinite(x)):
                return None
        if np.abs(F).max() > 1e-9:
            return None
        return x[:nb].reshape(S, K), x[nb:].reshape(S, n)


def _balanced(L: _Layout, sig_all: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Two-player games: trim the larger support in each state to the smaller one's size (keeping the most
    probable actions), since generic two-player games have equal-size supports. n > 2 players: unchanged."""
    if L.n != 2:
        return support
    parts = L.per_player(np.where(support, sig_all, -1.0))
    k = np.minimum(support[:, L.off[0]:L.off[1]].sum(axis=1), support[:, L.off[1]:L.off[2]].sum(axis=1))
    k = np.maximum(k, 1)
    out = []
    for p in parts:
        rank = np.argsort(np.argsort(-p, axis=1, kind="stable"), axis=1, kind="stable")
        out.append(rank < k[:, None])
    return np.concatenate(out, axis=1) & L.legal


def _profile(L: _Layout, sig_all: np.ndarray) -> tuple[np.ndarray, ...]:
    """Zero illegal actions and renormalise each (state, player) distribution."""
    sig = np.where(L.legal, sig_all, 0.0)
    out = []
    for p in L.per_player(sig):
        p = p / p.sum(axis=1, keepdims=True)
        out.append(p)
    return tuple(out)


def _stationary_once(sg: StochasticGame, method: str = "logit", *, tol: float = 1e-9, max_steps: int = 5000,
               lambda_max: float = 1e9, polish: bool = True, perturbation: float = 1e-6, seed: SeedLike = 0,
               progress: bool = False) -> StationaryEquilibrium:
    """One homotopy run of :func:`stationary` (no retry, no warning)."""
    sg = check_discounted(sg, "stationary")
    if not (isinstance(method, str) and method in METHODS):
        raise SolverError(f"stationary: unknown method {show(method)}; methods for stochastic games: {', '.join(METHODS)} "
                          f"(and shapley() for two-player zero-sum games)")
    tol = check_in_range(tol, "tol", 0.0, None, low_open=True)
    max_steps = check_positive_int(max_steps, "max_steps")
    lambda_max = check_in_range(lambda_max, "lambda_max", 0.0, None, low_open=True)
    perturbation = check_in_range(perturbation, "perturbation", 0.0, 1e-2)
    for name, flag in (("polish", polish), ("progress", progress)):
        if not isinstance(flag, (bool, np.bool_)):
            raise ArgumentTypeError(f"stationary: {name} must be True or False, got {flag!r}")
    rng = as_generator(seed)  # validates seed even when perturbation is 0
    M0 = _Model(sg)
    M = _Model(sg, perturbation, rng) if perturbation > 0 else M0
    L = M.L
    target = tol * max(1.0, float(np.ptp(sg.rewards)))

    # start: lambda = 0, uniform over legal actions, exact values
    sig0 = np.where(L.legal, 1.0, np.exp(-_ILLEGAL_GAP))
    for i in range(L.n):
        blk = sig0[:, L.off[i]:L.off[i + 1]]
        blk /= blk.sum(axis=1, keepdims=True)
    prof0 = L.per_player(sig0)
    at0 = M.pieces(prof0, np.zeros((L.S, L.n)), jac=True)  # with V = 0, u is the immediate reward
    r0 = np.stack([np.einsum("sa,sa->s", prof0[i], at0["u"][i]) for i in range(L.n)], axis=1)
    V0 = np.linalg.solve(np.eye(L.S) - at0["gP"], r0)
    y = np.concatenate([np.log(sig0).ravel(), V0.ravel(), [0.0]])
    N = L.N
    tau = np.zeros(N + 1)
    tau[N] = 1.0
    ds, ds_max, ds_min = 0.3, 1e5, 1e-10
    corr_tol = 1e-7
    res_tol = 1e-11
    dist_target, dist_max = 0.1, 0.5
    ratio_target, ratio_cap = 0.3, 0.6
    steps = corrector_total = rejected = dense_steps = bifurcations = 0
    orient = 0.0
    stalled = False
    best: tuple[float, tuple[np.ndarray, ...], bool, float] | None = None
    on_path: tuple[np.ndarray, ...] = ()
    next_polish = 5.0
    bar = tqdm(total=None, desc="logit homotopy", disable=not progress, leave=False, unit="step")

    def certify(profile: tuple[np.ndarray, ...], lam: float, via_polish: bool) -> float:
        nonlocal best
        if via_polish and max(float(np.abs(p - q).max()) for p, q in zip(profile, on_path)) > _NEAR:
            return np.inf  # a candidate far from the logit point would select a different equilibrium: skip
        g = float(_gains(sg, profile)[0].max())
        if best is None or g < best[0]:
            best = (g, profile, via_polish, lam)
        return g

    try:
        cert = certify(_profile(L, np.exp(y[:L.nb].reshape(L.S, L.K))), 0.0, False)
        while cert > target and steps < max_steps and y[N] < lambda_max:
            blocks = M.jacobian(y)
            rhs = np.zeros(N + 1)
            rhs[N] = 1.0
            fac = blocks.factor(tau)
            t_new = None if fac is None else fac.solve(rhs)
            if fac is not None and fac.structured and \
                    np.abs(blocks.matvec(t_new, tau) - rhs).max() > 1e-8 * max(1.0, np.abs(t_new).max()):
                fac = _Factor(blocks, tau, structured=False)  # structured elimination lost accuracy: go dense
                dense_steps += 1
                t_new = fac.solve(rhs)
            if fac is None or not np.all(np.isfinite(t_new)):  # singular: a branch point (degenerate game)
                stalled = True
                break
            t_new /= np.linalg.norm(t_new)
            # sign det [J; tau] with tau . t_new > 0 (bordered by the previous tangent): a change between two
            # accepted points means the path went straight through a branch point (Allgower & Georg 1990, 8.1)
            if orient != 0.0 and fac.sign != 0.0 and fac.sign != orient:
                bifurcations += 1
            orient = fac.sign if fac.sign != 0.0 else orient
            # chord-Newton corrector on the hyperplane tau . (y - y_pred) = 0
            while True:
                y_pred = y + ds * t_new
                yc = y_pred.copy()
                ok = False
                prev = np.inf
                first = 0.0
                ratio_max = 0.0
                k = 0
                for k in range(1, 16):
                    F = M.residual(yc)
                    if not np.all(np.isfinite(F)):
                        break
                    if k > 1 and np.abs(F).max() < res_tol:  # on the path to round-off: done
                        ok = True
                        break
                    dy = fac.solve(np.concatenate([F, [0.0]]))
                    nd = float(np.linalg.norm(dy))
                    if k == 1:
                        first = nd
                        if nd > dist_max:
                            break
                    else:
                        ratio_max = max(ratio_max, nd / prev)
                        if nd > ratio_cap * prev:
                            break
                    yc -= dy
                    prev = nd
                    if nd < corr_tol:
                        ok = np.abs(M.residual(yc)).max() < 10 * corr_tol
                        break
                corrector_total += k
                if ok:
                    break
                rejected += 1
                ds *= 0.5
                if ds < ds_min:
                    break
            if not ok:
                stalled = True
                break
            y = yc
            tau = t_new
            steps += 1
            bar.update(1)
            # next step: aim at a first corrector move of dist_target (predictor error ~ ds^2) and mild contraction
            grow = min(np.sqrt(dist_target / max(first, 1e-300)), np.sqrt(ratio_target / max(ratio_max, 1e-300)))
            ds = min(ds_max, ds * float(np.clip(grow, 0.5, 3.0)))
            lam = float(y[N])
            beta = y[:L.nb].reshape(L.S, L.K)
            sig_all = np.exp(beta)
            on_path = _profile(L, sig_all)
            cert = certify(on_path, lam, False)
            if cert <= target or not polish or lam < next_polish:
                continue
            next_polish = 2.0 * lam
            ratio = sig_all / np.stack([p.max(axis=1) for p in L.per_player(sig_all)], axis=1)[:, L.player_of]
            V_now = y[L.nb:N].reshape(L.S, L.n)
            # candidate 1: keep, per state and player, only near-best actions (by exact action values), re-evaluate
            prof = _profile(L, sig_all)
            for delta in (1e-3, 1e-6):
                p_k = prof
                for _ in range(2):
                    V_k = _gains(sg, p_k)[1]
                    u_k = [np.where(sg.legal_actions[i], u, -np.inf) for i, u in enumerate(action_values(sg, p_k, V_k))]
                    keep = [u >= u.max(axis=1, keepdims=True) - delta * target / tol for u in u_k]
                    kept = [np.where(kp, p, 0.0) for kp, p in zip(keep, p_k)]
                    # near-best actions the logit profile gives (numerically) zero weight: spread uniformly
                    kept = [np.where(w.sum(axis=1, keepdims=True) > 0, w, kp.astype(float))
                            for w, kp in zip(kept, keep)]
                    p_k = tuple(w / w.sum(axis=1, keepdims=True) for w in kept)
                    if certify(p_k, lam, True) <= target:
                        break
                if best[0] <= target:
                    break
            cert = best[0]
            if cert <= target:
                continue
            # candidate 2: Newton on the equilibrium equations restricted to guessed supports
            tried: list[np.ndarray] = []
            for thr in (1e-3, 3e-2, 0.2):
                support = _balanced(L, sig_all, L.legal & (ratio >= thr))
                for _ in range(3):  # drop actions the Newton step drives negative, then retry
                    if any(np.array_equal(support, t) for t in tried):
                        break
                    if not tried or not np.array_equal(support, tried[-1]):
                        certify(_profile(L, np.where(support, sig_all, 0.0)), lam, True)  # plain truncation
                    tried.append(support)
                    res = M0.polish(sig_all, V_now, support)
                    if res is None:
                        break
                    sa = res[0]
                    if sa.min() >= -1e-9:
                        certify(_profile(L, np.clip(sa, 0.0, None)), lam, True)
                        break
                    support = _balanced(L, sig_all, support & (sa > 0))
                cert = best[0]
                if cert <= target:
                    break
    finally:
        bar.close()
    assert best is not None
    g_best, profile, via_polish, lam_best = best
    converged = g_best <= target
    why = ""
    if not converged:
        if stalled:
            why = "singular Jacobian or step length collapsed"
        else:
            why = "max_steps" if steps >= max_steps else "lambda_max"
    gains, V = _gains(sg, profile)
    expl = exploitability(sg, profile).max_gain
    for a in (*profile, gains, V):
        a.setflags(write=False)
    info = {"lambda": lam_best, "steps": steps, "corrector_iterations": corrector_total, "rejected_steps": rejected,
            "dense_steps": dense_steps, "bifurcations": bifurcations, "stalled": bool(stalled),
            "lambda_reached": float(y[N]), "polished": bool(via_polish), "target": target, "stopped": why}
    return StationaryEquilibrium(tuple(profile), V, gains, float(gains.max()), float(expl), bool(converged),
                                 "logit", info)


def stationary(sg: StochasticGame, method: str = "logit", *, tol: float = 1e-9, max_steps: int = 5000,
               lambda_max: float = 1e9, polish: bool = True, perturbation: float = 1e-6, seed: SeedLike = 0,
               progress: bool = False) -> StationaryEquilibrium:
    """A stationary (Markov perfect) equilibrium of a discounted stochastic game, with its certificate.

    ``tol``: stop when the largest one-shot-deviation gain is <= ``tol * max(1, ptp(rewards))``;
    ``max_steps``/``lambda_max``: caps on the path (if hit, a ConvergenceWarning is issued and the best profile
    found is returned with ``converged=False`` and its certificate); ``polish``: try the support Newton polish.
    ``perturbation``/``seed``: the path is traced in a copy of the game whose rescaled rewards get uniform noise of
    this size (relative to the reward range), which makes degenerate games (ties, symmetries: e.g. grid games)
    generic so the path has no branch points; the polish and every certificate use the *original* game. Set 0 to
    trace the exact game.

    Robustness: the corrector is a chord Newton with a contraction test (a step is rejected when the corrector's
    first move is too large or it contracts by less than 0.6 per iteration) and the step adapts to both; a change of
    sign of the bordered Jacobian's determinant (a branch point stepped over) is counted in
    ``info["bifurcations"]``. When the path stalls (singular Jacobian or step underflow) before a certificate,
    it is traced once more from lambda = 0 in a copy perturbed by ``max(100 * perturbation, 1e-4)`` (seed + 1);
    the better certified profile is returned. If still uncertified (and ``polish``), pure best responses are
    alternated from the best path profile (each an exact MDP solve, at most 10 rounds); a profile they reach whose
    one-shot certificate is within tolerance is returned as certified, with ``info["via"] = "best-response"`` (a
    different selection than the logit limit: this is how Hu & Wellman's grid game 1 at discount 0.99, whose path
    is still far from certified after 5000 steps, gets a certified pure stationary equilibrium). ``info["path_complete"]`` is True when the returned profile is
    certified (the path reached a certified point); otherwise ``info["stopped"]`` says why the path stopped and
    ``converged`` is False: the profile is then an approximation, labelled by its certificate, and a
    :class:`~activeq.errors.ConvergenceWarning` states it.
    """
    eq = _stationary_once(sg, method, tol=tol, max_steps=max_steps, lambda_max=lambda_max, polish=polish,
                          perturbation=perturbation, seed=seed, progress=progress)
    if not eq.converged and eq.info["stalled"]:
        retry_seed = seed + 1 if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else seed
        second = _stationary_once(sg, method, tol=tol, max_steps=max_steps, lambda_max=lambda_max, polish=polish,
                                  perturbation=min(1e-2, max(100 * perturbation, 1e-4)), seed=retry_seed,
                                  progress=progress)
        second.info["restarted"] = True
        if second.converged or second.certificate < eq.certificate:
            eq = second
    eq.info["path_complete"] = bool(eq.converged)
    if not eq.converged and polish:
        eq = _best_response_repair(sg, eq) or eq
    if not eq.converged:
        warnings.warn(f"logit homotopy stopped ({eq.info['stopped']}) at lambda={eq.info['lambda_reached']:.4g} "
                      f"with certificate {eq.certificate:.3g} > {eq.info['target']:.3g}; returning the best profile "
                      f"found (converged=False: an approximation, not a certified equilibrium)",
                      ConvergenceWarning, stacklevel=caller_stacklevel())
    return eq


def _best_response_repair(sg: StochasticGame, eq: StationaryEquilibrium, rounds: int = 10
                          ) -> StationaryEquilibrium | None:
    """Alternate exact pure best responses from ``eq``'s profile; the first profile whose one-shot certificate is
    within ``eq.info["target"]`` is returned as a certified equilibrium (None if none within ``rounds``)."""
    profile = [np.array(p) for p in eq.strategies]
    target = eq.info["target"]
    for r in range(rounds):
        for i in range(sg.num_players):
            others = [profile[j] for j in range(sg.num_players) if j != i]
            profile[i] = best_response(sg, i, others).policy.astype(np.float64)
            gains, V = _gains(sg, tuple(profile))
            if float(gains.max()) <= target:
                prof = tuple(profile)
                expl = exploitability(sg, prof).max_gain
                for a in (*prof, gains, V):
                    a.setflags(write=False)
                info = {**eq.info, "via": "best-response", "best_response_rounds": r + 1,
                        "logit_certificate": eq.certificate, "path_complete": False}
                return StationaryEquilibrium(prof, V, gains, float(gains.max()), float(expl), True, "logit", info)
    return None
