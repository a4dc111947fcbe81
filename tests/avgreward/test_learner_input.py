"""Average-reward learners called directly: ``act`` / ``observe`` check their arguments (the runner's loop uses the
unchecked ``_act`` / ``_observe``), a rejected call changes nothing, and both paths learn the same way. Also the
what-if differential values (``ChainGain.differential_values_if``) that the policy-gradient learner's step uses."""

from __future__ import annotations

import json

import numpy as np
import pytest

from activeq.avgreward import gain_bias
from activeq.avgreward.learners import (LEARNERS, DenseChainGain, FastChainGain, MDPEnvironment,
                                        make_learner, run)
from activeq.errors import ArgumentError, ArgumentTypeError
from activeq.games import StochasticGame

S, A = 4, 3
NAMES = sorted(LEARNERS)


def random_mdp(seed: int) -> StochasticGame:
    rng = np.random.default_rng(seed)
    T = rng.random((S, A, S)) ** 3
    T /= T.sum(axis=-1, keepdims=True)
    return StochasticGame.mdp(rng.random((S, A)), T)


def snapshot(learner) -> str:
    return json.dumps(learner.state_dict(), sort_keys=True)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [-1, S, 1.0, True, "0", None])
def test_act_rejects_a_bad_state_naming_it_and_the_range(name, bad):
    learner = make_learner(name, S, A, seed=0)
    before = snapshot(learner)
    with pytest.raises(ArgumentError, match=rf"state must be an int in \[0, {S}\), got"):
        learner.act(bad)
    assert snapshot(learner) == before  # not even the learner's generator advanced


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("arg, n, bad", [("state", S, S), ("state", S, -1), ("action", A, A), ("action", A, -2),
                                         ("action", A, 0.0), ("next_state", S, S + 3), ("next_state", S, np.bool_(1))])
def test_observe_rejects_a_bad_index_naming_it_and_the_range(name, arg, n, bad):
    learner = make_learner(name, S, A, seed=0)
    learner.observe(0, 1, 0.5, 2)  # a valid transition first, so the model / values are not all at their prior
    before = snapshot(learner)
    args = {"state": 1, "action": 2, "reward": 0.25, "next_state": 3, arg: bad}
    with pytest.raises(ArgumentError, match=rf"^{arg} must be an int in \[0, {n}\), got"):
        learner.observe(**args)
    assert snapshot(learner) == before  # the bad call was rejected before it changed anything


@pytest.mark.parametrize("name", NAMES)
def test_observe_rejects_a_non_finite_or_non_numeric_reward(name):
    learner = make_learner(name, S, A, seed=0)
    before = snapshot(learner)
    for bad in (float("nan"), float("inf"), -np.inf):
        with pytest.raises(ArgumentError, match="reward"):
            learner.observe(0, 0, bad, 1)
    for bad in ("1.0", None, True):
        with pytest.raises(ArgumentTypeError, match="reward"):
            learner.observe(0, 0, bad, 1)
    assert snapshot(learner) == before


@pytest.mark.parametrize("name", NAMES)
def test_a_non_generator_rng_is_rejected(name):
    learner = make_learner(name, S, A, seed=0)
    with pytest.raises(ArgumentTypeError, match="rng"):
        learner.act(0, rng=7)
    with pytest.raises(ArgumentTypeError, match="rng"):
        learner.observe(0, 0, 1.0, 1, rng=np.random.RandomState(0))


@pytest.mark.parametrize("name", NAMES)
def test_numpy_integer_indices_and_rewards_are_accepted_like_python_ones(name):
    """Environments hand out numpy scalars; they must learn exactly like plain ints and floats."""
    mdp = random_mdp(1)
    T, R = mdp.transitions, mdp.rewards[:, 0, :]

    def trajectory(as_numpy: bool) -> tuple[list[int], str]:
        env_rng = np.random.default_rng(5)
        learner = make_learner(name, S, A, seed=2)
        s, actions = 0, []
        for _ in range(150):
            a = learner.act(np.int64(s) if as_numpy else s)
            s2 = int(env_rng.choice(S, p=T[s, a]))
            if as_numpy:
                learner.observe(np.int32(s), np.int64(a), np.float64(R[s, a]), np.uint8(s2))
            else:
                learner.observe(s, a, float(R[s, a]), s2)
            actions.append(a)
            s = s2
        return actions, snapshot(learner)

    assert trajectory(True) == trajectory(False)


@pytest.mark.parametrize("name", NAMES)
def test_checked_public_calls_reproduce_the_runners_unchecked_loop(name):
    """A hand-written loop through the public, checked act/observe with the runner's two generators gives the
    runner's rewards and final learner state exactly: the checks change nothing but the errors."""
    steps, seed = 400, 11
    env = MDPEnvironment(random_mdp(3))
    res = run(make_learner(name, S, A, seed=0), env, steps, seed, progress=False)
    ran = make_learner(name, S, A, seed=0)
    run(ran, MDPEnvironment(random_mdp(3)), steps, seed, progress=False)

    env = MDPEnvironment(random_mdp(3))
    learner = make_learner(name, S, A, seed=0)
    env_rng, agent_rng = np.random.default_rng(seed).spawn(2)
    s = env.reset(env_rng)
    rewards = []
    for _ in range(steps):
        a = learner.act(s, agent_rng)
        r, s2 = env.step(a, env_rng)
        learner.observe(s, a, r, s2, agent_rng)
        rewards.append(r)
        s = s2
    np.testing.assert_array_equal(np.asarray(rewards, dtype=float), res.rewards)
    assert snapshot(learner) == snapshot(ran)


# --- the what-if differential values behind rho_pg's single commit per step ------------------------------------
@pytest.mark.parametrize("make", [lambda P, r: DenseChainGain(P, r),
                                  lambda P, r: FastChainGain(P, r, refresh_every=10_000, fold_every=3, lazy=True),
                                  lambda P, r: FastChainGain(P, r, refresh_every=10_000, lazy=False)],
                         ids=["dense", "fast_lazy", "fast_eager"])
def test_differential_values_if_matches_gain_bias_of_the_modified_chain_and_changes_nothing(make):
    rng = np.random.default_rng(4)
    n = 15
    P = rng.random((n, n)) ** 3
    P /= P.sum(axis=1, keepdims=True)
    chain = make(P, rng.random(n))
    for _ in range(40):  # interleaved with commits, so the fast chain has pending low-rank updates
        s = int(rng.integers(n))
        row = rng.random(n) ** 3
        row /= row.sum()
        reward = float(rng.random())
        before = (chain.P.copy(), chain.r.copy(), chain.differential_values(), chain.gain())
        Pk, rk = chain.P.copy(), chain.r.copy()
        Pk[s], rk[s] = row, reward
        ref = gain_bias(Pk, rk).bias  # independent solver; its bias is normalised by mu . h = 0, ours by h[-1] = 0
        np.testing.assert_allclose(chain.differential_values_if(s, row, reward), ref - ref[-1], atol=1e-10)
        after = (chain.P, chain.r, chain.differential_values(), chain.gain())
        for b, a in zip(before, after):
            np.testing.assert_array_equal(b, a)
        if rng.random() < 0.5:
            chain.set_row(s, row, reward)
