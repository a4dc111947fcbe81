"""Correlated and coarse correlated equilibria: constraints checked by brute-force loops, known values, cvxpy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from activeq.errors import SolverError
from activeq.games import NormalFormGame
from activeq.nash import CorrelatedEquilibrium, correlated, incentive_matrix, max_incentive, solve
from activeq.nash.global_newton import gnm_solve


def brute_incentives(game: NormalFormGame, p: np.ndarray, kind: str) -> list[float]:
    """Every deviation's expected gain, by explicit loops over joint actions (independent of incentive_matrix)."""
    gains = []
    shape = game.num_actions
    for i, k in enumerate(shape):
        if kind == "ce":
            for a, b in itertools.permutations(range(k), 2):
                g = 0.0
                for joint in itertools.product(*map(range, shape)):
                    if joint[i] != a:
                        continue
                    dev = list(joint)
                    dev[i] = b
                    g += p[joint] * (game.payoffs[(i,) + tuple(dev)] - game.payoffs[(i,) + joint])
                gains.append(g)
        else:
            for b in range(k):
                g = 0.0
                for joint in itertools.product(*map(range, shape)):
                    dev = list(joint)
                    dev[i] = b
                    g += p[joint] * (game.payoffs[(i,) + tuple(dev)] - game.payoffs[(i,) + joint])
                gains.append(g)
    return gains


def random_game(seed: int, shape) -> NormalFormGame:
    return NormalFormGame(np.random.default_rng(seed).standard_normal((len(shape),) + tuple(shape)))


CHICKEN = NormalFormGame.bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
SHAPLEY = NormalFormGame.bimatrix([[0, 1, 0], [0, 0, 1], [1, 0, 0]], [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("kind", ["ce", "cce"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 2), (2, 2, 2, 2)])
def test_incentive_matrix_matches_brute_force(kind, shape):
    game = random_game(7, shape)
    p = np.random.default_rng(8).dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
    np.testing.assert_allclose(np.sort(incentive_matrix(game, kind) @ p.ravel()),
                               np.sort(brute_incentives(game, p, kind)), atol=1e-12)


@pytest.mark.parametrize("kind", ["ce", "cce"])
@pytest.mark.parametrize("objective", ["welfare", "max-entropy", "max-min", "player:1"])
@pytest.mark.parametrize("shape", [(3, 3, 3), (2, 2, 2, 2)])
def test_every_incentive_constraint_holds(kind, objective, shape):
    game = random_game(9, shape)
    ce = correlated(game, kind, objective)
    assert isinstance(ce, CorrelatedEquilibrium)
    p = ce.distribution
    assert p.shape == game.num_actions and p.min() >= 0 and abs(p.sum() - 1) < 1e-12
    assert max(brute_incentives(game, p, kind)) <= 1e-9
    assert ce.max_incentive <= 1e-9
    np.testing.assert_allclose(ce.payoffs, [float((game.payoffs[i] * p).sum()) for i in range(len(shape))])


def test_chicken_welfare_maximising_ce():
    ce = correlated(CHICKEN, "ce", "welfare")
    np.testing.assert_allclose(ce.distribution, [[0.5, 0.25], [0.25, 0.0]], atol=1e-9)
    np.testing.assert_allclose(ce.payoffs, [5.25, 5.25], atol=1e-9)
    # Nash welfare in chicken: 9 at either pure equilibrium, 28/3 at the mixed one (C with prob. 2/3, 14/3 each)
    best_nash = max(float(np.sum(e.payoffs)) for e in solve(CHICKEN))
    assert best_nash == pytest.approx(28 / 3)
    assert ce.welfare == pytest.approx(10.5) and ce.welfare > best_nash + 1


def test_shapley_game_ce():
    ce = correlated(SHAPLEY, "ce", "welfare")
    assert ce.welfare == pytest.approx(1.0, abs=1e-9)  # no weight on the zero-welfare diagonal
    off = (1 - np.eye(3)) / 6  # the classic CE: uniform over the six off-diagonal cells, 1/2 each
    assert max(brute_incentives(SHAPLEY, off, "ce")) <= 1e-12
    # the unique Nash equilibrium (uniform) gives 1/3 each: the CE does strictly better
    nash = solve(SHAPLEY)
    assert len(nash) == 1 and float(np.sum(nash[0].payoffs)) == pytest.approx(2 / 3)
    # the uniform joint distribution is a CE (the product of the Nash strategies), hence the max-entropy one
    np.testing.assert_allclose(correlated(SHAPLEY, "ce", "max-entropy").distribution, 1 / 9, atol=1e-9)


def test_prisoners_dilemma_ce_is_mutual_defection():
    pd = NormalFormGame.bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    for objective in ("welfare", "max-entropy"):
        np.testing.assert_allclose(correlated(pd, "ce", objective).distribution, [[0, 0], [0, 1]], atol=1e-9)


@pytest.mark.parametrize("seed,shape", [(200, (3, 3, 3)), (202, (4, 3, 2))])
def test_ce_welfare_dominates_nash_welfare(seed, shape):
    game = random_game(seed, shape)
    nash = gnm_solve(game) + solve(game, method="pure")
    best_nash = max(float(np.sum(e.payoffs)) for e in nash)
    ce = correlated(game, "ce", "welfare")
    cce = correlated(game, "cce", "welfare")
    assert ce.welfare >= best_nash - 1e-9
    assert cce.welfare >= ce.welfare - 1e-9  # every CE is a CCE
    for e in nash:  # the product of a Nash profile is a CE
        prod = e.strategies[0]
        for s in e.strategies[1:]:
            prod = np.multiply.outer(prod, s)
        assert max_incentive(game, prod, "ce") <= 1e-9


@pytest.mark.parametrize("kind", ["ce", "cce"])
def test_max_entropy_matches_cvxpy(kind):
    import cvxpy as cp
    game = random_game(3, (3, 3, 2))
    G = incentive_matrix(game, kind).toarray()
    p = cp.Variable(G.shape[1])
    prob = cp.Problem(cp.Maximize(cp.sum(cp.entr(p))), [G @ p <= 0, cp.sum(p) == 1, p >= 0])
    prob.solve()
    ours = correlated(game, kind, "max-entropy").distribution.ravel()
    pos = ours[ours > 0]
    entropy = float(-(pos * np.log(pos)).sum())
    assert entropy >= prob.value - 1e-7  # ours is at least as good as the conic solver's optimum
    assert entropy <= prob.value + 1e-5
    np.testing.assert_allclose(ours, p.value, atol=1e-4)


def test_max_min_and_player_objectives():
    ce = correlated(CHICKEN, "ce", "player:0")
    np.testing.assert_allclose(ce.payoffs, [7, 2])  # the pure equilibrium best for player 0
    mm = correlated(CHICKEN, "ce", "max-min")
    assert min(mm.payoffs) == pytest.approx(5.25)
    # maximise P(C, C): the CE constraints 2b >= a, 2c >= a (with a=P(CC), b=P(CD), c=P(DC)) cap it at 1/2
    lin = correlated(CHICKEN, "ce", np.array([[1.0, 0.0], [0.0, 0.0]]))
    assert lin.objective == "linear" and lin.distribution[0, 0] == pytest.approx(0.5, abs=1e-9)


def test_bad_inputs():
    with pytest.raises(SolverError, match="kind"):
        correlated(CHICKEN, "nash")
    with pytest.raises(SolverError, match="objective"):
        correlated(CHICKEN, "ce", "fairness")
    with pytest.raises(SolverError, match="player index"):
        correlated(CHICKEN, "ce", "player:5")
    with pytest.raises(SolverError, match="joint-action shape"):
        correlated(CHICKEN, "ce", np.ones(3))
    with pytest.raises(SolverError, match="NormalFormGame"):
        correlated([[1, 2], [3, 4]])
    with pytest.raises(SolverError, match="shape"):
        max_incentive(CHICKEN, np.ones(3) / 3)
