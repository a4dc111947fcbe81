"""Learners vs hand-computed updates and independent numpy values; the protocol; bad input and divergence."""

import math

import numpy as np
import pytest
import torch

from activeq.active import (LOLA, ActiveMarkovGame, FixedPolicy, Learner, NaiveLearner, QPersona,
                            SampledNaiveLearner, TitForTat, Transition, WindowedFictitiousPlay, WinStayLoseShift)
from activeq.active.learners import ReinforcePeer, StateQPersona
from activeq.active.learners._tabular import game_tensors, policy_gradient
from activeq.errors import ArgumentTypeError, DivergenceError, LearnerError

from ._games import iterated

D = torch.float64


def tr(game, s, actions, s2=None, policies=None):
    """A batch-1 transition in ``game`` (rewards from the payoff table)."""
    a = torch.tensor([actions])
    m = int(np.ravel_multi_index(tuple(actions), game.num_actions))
    r = torch.as_tensor(np.array(game.rewards.reshape(game.num_states, game.num_players, -1)[s, :, m]), dtype=D)[None]
    if s2 is None:
        s2 = int(np.argmax(game.transitions.reshape(game.num_states, -1, game.num_states)[s, m]))
    return Transition(torch.tensor([s]), a, r, torch.tensor([s2]), policies)


def test_every_learner_implements_the_protocol():
    for lr in [FixedPolicy([0.5, 0.5]), NaiveLearner(), SampledNaiveLearner(), LOLA(), QPersona(),
               WindowedFictitiousPlay(), TitForTat(), WinStayLoseShift()]:
        assert isinstance(lr, Learner)
        assert lr.num_actions is None  # unbound
        bound = lr.bind(iterated("bach_or_stravinsky"), 1)
        assert bound.num_actions == 2 and bound.agent == 1 and lr.agent is None


def test_q_persona_hand_computed_update_and_policy():
    g = iterated("bach_or_stravinsky")
    q = QPersona().bind(g, 1)  # column player: prefers stravinsky (action 1) initially
    p = q.init(torch.Generator(), 1)
    assert p.tolist() == [[10.0, 20.0]]
    np.testing.assert_allclose(q.policy(p, torch.tensor([0])).numpy(), [[0.025, 0.975]])
    # column plays bach (0) with row bach: reward 1; Q0 <- 10 + 0.5 (1 + 0.9 * 20 - 10) = 14.5
    p = q.update(p, tr(g, 0, (0, 0)))
    np.testing.assert_allclose(p.numpy(), [[14.5, 20.0]])
    # column plays stravinsky vs bach: reward 0; Q1 <- 20 + 0.5 (0 + 18 - 20) = 19
    p = q.update(p, tr(g, 1, (0, 1)))
    np.testing.assert_allclose(p.numpy(), [[14.5, 19.0]])
    # a tie splits the greedy mass
    np.testing.assert_allclose(q.policy(torch.tensor([[3.0, 3.0]], dtype=D), None).numpy(), [[0.5, 0.5]])


def numpy_value(game, pols, discount, agent):
    """Normalised discounted value from the start state by explicit loops (independent of the torch code)."""
    S = game.num_states
    A0, A1 = game.num_actions
    P = np.zeros((S, S))
    r = np.zeros(S)
    for s in range(S):
        for a in range(A0):
            for b in range(A1):
                w = pols[0][s, a] * pols[1][s, b]
                P[s] += w * game.transitions[s, a, b]
                r[s] += w * game.rewards[s, agent, a, b]
    v = np.linalg.solve(np.eye(S) - discount * P, r)
    return (1 - discount) * game.initial @ v


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_naive_exact_gradient_matches_finite_differences(seed):
    g = iterated("prisoners_dilemma")
    rng = np.random.default_rng(seed)
    th0, th1 = rng.normal(size=(2, 5, 2))
    nl = NaiveLearner(lr=0.3, discount=0.9).bind(g, 1)
    pols = [torch.as_tensor(softmax(th0))[None], torch.as_tensor(softmax(th1))[None]]
    grad = policy_gradient(game_tensors(g), pols, 0.9, 1)[0].numpy()
    fd = np.zeros_like(th1)
    h = 1e-6
    for idx in np.ndindex(th1.shape):
        e = np.zeros_like(th1)
        e[idx] = h
        fd[idx] = (numpy_value(g, [softmax(th0), softmax(th1 + e)], 0.9, 1)
                   - numpy_value(g, [softmax(th0), softmax(th1 - e)], 0.9, 1)) / (2 * h)
    np.testing.assert_allclose(grad, fd, atol=1e-8)
    np.testing.assert_allclose(nl.value_gradient(torch.as_tensor(th1)[None], pols)[0].numpy(), fd, atol=1e-8)
    new = nl.update(torch.as_tensor(th1)[None], tr(g, 0, (0, 0), policies=tuple(pols)))
    np.testing.assert_allclose(new[0].numpy(), th1 + 0.3 * fd, atol=1e-8)


def test_lola_reduces_to_naive_without_lookahead_and_matches_finite_differences():
    g = iterated("prisoners_dilemma")
    rng = np.random.default_rng(3)
    th0, th1 = rng.normal(size=(2, 5, 2))
    pols = [torch.as_tensor(softmax(th0))[None], torch.as_tensor(softmax(th1))[None]]
    naive = NaiveLearner(discount=0.9).bind(g, 0)
    flat = LOLA(opponent_lr=0.0, discount=0.9).bind(g, 0)
    t0 = torch.as_tensor(th0)[None]
    np.testing.assert_allclose(flat.value_gradient(t0, pols).numpy(), naive.value_gradient(t0, pols).numpy(), atol=1e-12)
    eta = 2.0
    lola = LOLA(opponent_lr=eta, discount=0.9).bind(g, 0)
    gt = game_tensors(g)

    def objective(th):  # V_0(θ0, φ1 + η ∇_φ1 V_1(θ0, φ1)) with the verified closed-form inner gradient
        p0 = torch.as_tensor(softmax(th))[None]
        phi1 = torch.as_tensor(np.log(softmax(th1)))[None]
        step = policy_gradient(gt, [p0, torch.softmax(phi1, -1)], 0.9, 1)[0].numpy()
        return numpy_value(g, [softmax(th), softmax(phi1[0].numpy() + eta * step)], 0.9, 0)

    fd = np.zeros_like(th0)
    h = 1e-5
    for idx in np.ndindex(th0.shape):
        e = np.zeros_like(th0)
        e[idx] = h
        fd[idx] = (objective(th0 + e) - objective(th0 - e)) / (2 * h)
    np.testing.assert_allclose(lola.value_gradient(t0, pols)[0].numpy(), fd, atol=1e-7)


def test_sampled_naive_actor_critic_step():
    g = iterated("prisoners_dilemma")
    lr = SampledNaiveLearner(lr=0.5, critic_lr=0.2, discount=0.9).bind(g, 0)
    p = lr.init(torch.Generator(), 1)
    p = lr.update(p, tr(g, 0, (1, 0)))  # row defects vs cooperate: reward 5, next state (D,C) = 3
    delta = 0.1 * 5 + 0.9 * 0 - 0
    np.testing.assert_allclose(p["values"][0].numpy(), [0.2 * delta, 0, 0, 0, 0])
    np.testing.assert_allclose(p["logits"][0, 0].numpy(), [0.5 * delta * (0 - 0.5), 0.5 * delta * (1 - 0.5)])
    np.testing.assert_allclose(p["logits"][0, 1:].numpy(), 0.0)


def test_windowed_fictitious_play_best_responds_to_the_window():
    g = iterated("matching_pennies")
    row = WindowedFictitiousPlay(window=3, initial=(1, 1, 0)).bind(g, 0)  # row wants to match
    col = WindowedFictitiousPlay(window=3, initial=(1, 1, 0)).bind(g, 1)  # column wants to mismatch
    p = row.init(torch.Generator(), 1)
    np.testing.assert_allclose(row.policy(p, torch.tensor([0])).numpy(), [[0.0, 1.0]])  # mostly tails -> tails
    np.testing.assert_allclose(col.policy(p, torch.tensor([0])).numpy(), [[1.0, 0.0]])  # mostly tails -> heads
    p = row.update(p, tr(g, 0, (0, 0)))
    assert p.tolist() == [[1, 0, 0]]  # window slides: the column's heads enters
    np.testing.assert_allclose(row.policy(p, torch.tensor([1])).numpy(), [[1.0, 0.0]])
    E = row.enumerate_states()
    assert E.shape == (8, 3) and torch.equal(row.index(E), torch.arange(8))
    tie = WindowedFictitiousPlay(window=2, initial=(0, 1)).bind(g, 0)
    np.testing.assert_allclose(tie.policy(tie.init(torch.Generator(), 1), torch.tensor([0])).numpy(), [[0.5, 0.5]])


def test_tit_for_tat_and_win_stay_lose_shift_updates():
    g = iterated("prisoners_dilemma")
    tft = TitForTat().bind(g, 1)
    p = tft.init(torch.Generator(), 1)
    assert tft.policy(p, torch.tensor([0])).tolist() == [[1.0, 0.0]]
    p = tft.update(p, tr(g, 0, (1, 0)))  # row defected -> copy defect
    assert tft.policy(p, torch.tensor([3])).tolist() == [[0.0, 1.0]]
    w = WinStayLoseShift().bind(g, 0)  # aspiration (5 + 0) / 2 = 2.5
    q = w.init(torch.Generator(), 1)
    assert w.update(q, tr(g, 0, (0, 0))).tolist() == [0]  # R = 3 wins: stay with C
    assert w.update(q, tr(g, 0, (0, 1))).tolist() == [1]  # S = 0 loses: shift to D
    assert w.update(torch.tensor([1]), tr(g, 0, (1, 1))).tolist() == [0]  # P = 1 loses: shift back to C
    assert w.update(torch.tensor([1]), tr(g, 0, (1, 0))).tolist() == [1]  # T = 5 wins: stay with D


def test_simulation_batches_and_seeds():
    g = iterated("bach_or_stravinsky")
    amg = ActiveMarkovGame(g, [FixedPolicy([1.0, 0.0]), QPersona()])
    a = amg.simulate(60, batch=5, seed=4, record_policies=True)
    b = amg.simulate(60, batch=5, seed=4)
    np.testing.assert_array_equal(a.rewards, b.rewards)
    assert a.rewards.shape == (60, 5, 2) and a.action_probs[1].shape == (60, 5, 2)
    # row always plays bach: sampled rewards average to the expected ones
    np.testing.assert_allclose(a.rewards.mean(), a.expected_rewards.mean(), atol=0.1)
    # a game state is the previous joint action
    assert set(np.unique(a.states[1:])) <= {1, 2}


def test_bad_input_is_reported_clearly():
    g = iterated("prisoners_dilemma")
    with pytest.raises(LearnerError, match="initial_q has 3 entries"):
        ActiveMarkovGame(g, [QPersona(initial_q=(1, 2, 3)), QPersona()])
    with pytest.raises(LearnerError, match="one learner per agent"):
        ActiveMarkovGame(g, [QPersona()])
    with pytest.raises(ArgumentTypeError, match="Learner protocol"):
        ActiveMarkovGame(g, [QPersona(), object()])
    with pytest.raises(LearnerError, match="policy has 3 actions"):
        ActiveMarkovGame(g, [FixedPolicy([0.2, 0.3, 0.5]), QPersona()])
    with pytest.raises(LearnerError, match="probability"):
        FixedPolicy([0.7, 0.7])
    with pytest.raises(LearnerError, match="not bound"):
        QPersona().init(torch.Generator(), 2)
    with pytest.raises(ValueError, match="lr"):
        NaiveLearner(lr=-1.0)


def test_diverging_learning_rate_raises_with_the_step():
    g = iterated("prisoners_dilemma")
    # Q <- Q + 100 (r + 0.9 Q - Q) multiplies Q by -9 each time the action is played: overflow after ~320 steps
    amg = ActiveMarkovGame(g, [FixedPolicy([1.0, 0.0]), QPersona(lr=100.0, epsilon=0.0)])
    with pytest.raises(DivergenceError, match="non-finite parameters at step") as info:
        amg.simulate(2000, batch=3, seed=0)
    # the same recursion in plain Python floats (greedy, ties to the lower index; row always cooperates)
    q, expected = [10.0, 20.0], None
    for t in range(2000):
        a = 0 if q[0] >= q[1] else 1
        q[a] = q[a] + 100.0 * ((3.0 if a == 0 else 5.0) + 0.9 * max(q) - q[a])
        if not all(math.isfinite(v) for v in q):
            expected = t
            break
    assert expected is not None and info.value.step == expected


# --- the learners of FURTHER's prisoner's dilemma runs ----------------------------------------------------------
def test_state_q_persona_hand_computed_update_per_state():
    g = iterated("prisoners_dilemma")  # state 0 = start, then 1 + flat joint action
    q = StateQPersona().bind(g, 1)
    p = q.init(torch.Generator(), 1)
    assert p.shape == (1, 5, 2) and p[0, 3].tolist() == [10.0, 20.0]
    np.testing.assert_allclose(q.all_policies(p)[0].numpy(), [[0.025, 0.975]] * 5)
    r = float(g.rewards[0, 1, 0, 0])  # column cooperates against cooperation at the start
    p = q.update(p, tr(g, 0, (0, 0)))  # lr 1: Q(0, C) <- r + 0.9 max Q(s' = CC)
    np.testing.assert_allclose(p[0].numpy(), [[r + 18.0, 20.0]] + [[10.0, 20.0]] * 4)
    assert q.policy(p, torch.tensor([0])).tolist() != q.policy(p, torch.tensor([1])).tolist() or r + 18 == 20
    assert StateQPersona(initial_q=np.zeros((5, 2))).bind(g, 0).init(torch.Generator(), 3).shape == (3, 5, 2)
    with pytest.raises(LearnerError, match="initial_q"):
        StateQPersona(initial_q=np.zeros((4, 2))).bind(g, 0)


def _episodes(g, opp, pi, chains, n, L, rng):
    """``chains`` x ``n`` episodes of ``L`` steps from the start state: column plays ``pi`` (B, S, 2), row ``opp``."""
    S = g.num_states
    s = np.zeros((chains, n), dtype=int)
    states, acts, rews = (np.zeros((chains, n, L), dtype=int), np.zeros((chains, n, L), dtype=int),
                          np.zeros((chains, n, L)))
    nxt = g.transitions.argmax(-1)
    for t in range(L):
        a0 = (rng.random((chains, n)) > opp[s, 0]).astype(int)
        p1 = pi[np.arange(chains)[:, None], s]
        a1 = (rng.random((chains, n)) > p1[..., 0]).astype(int)
        states[..., t], acts[..., t], rews[..., t] = s, a1, g.rewards[s, 1, a0, a1]
        s = nxt[s, a0, a1]
    assert S == 5
    return states.reshape(chains, -1), acts.reshape(chains, -1), rews.reshape(chains, -1)


def _finite_horizon_value(g, opp, pi, L, discount):
    """E[sum_{t<L} discount^t r_t] of the column player from the start state, by backward recursion (numpy)."""
    V = np.zeros(g.num_states)
    for _ in range(L):
        V = np.einsum("sa,sb,sab->s", opp, pi, g.rewards[:, 1] + discount * g.transitions @ V)
    return V[0]


def test_reinforce_peer_gradient_is_unbiased_for_the_episodic_value():
    """The mean REINFORCE step over many batches equals the exact gradient of E[sum_t gamma^t r_t] over an episode
    from the start state (finite differences of a numpy backward recursion), within 4 standard errors, with and
    without the linear baseline; the baseline lowers the spread."""
    g = iterated("prisoners_dilemma")
    rng = np.random.default_rng(0)
    opp = rng.dirichlet([1, 1], size=5)
    th = np.log(rng.dirichlet([2, 2], size=5))
    L, n, chains = 8, 256, 64
    pi = np.broadcast_to(softmax(th), (chains, 5, 2))
    s, a, r = (torch.as_tensor(x) for x in _episodes(g, opp, pi, chains, n, L, rng))
    exact = np.zeros_like(th)
    h = 1e-6
    for idx in np.ndindex(th.shape):
        e = np.zeros_like(th)
        e[idx] = h
        exact[idx] = (_finite_horizon_value(g, opp, softmax(th + e), L, 0.9)
                      - _finite_horizon_value(g, opp, softmax(th - e), L, 0.9)) / (2 * h)
    spread = {}
    for baseline in ("none", "linear"):
        peer = ReinforcePeer(th, episodes=n, episode_length=L, discount=0.9, baseline=baseline).bind(g, 1)
        est = peer.gradient(torch.as_tensor(th)[None].expand(chains, 5, 2), s, a, r).numpy()
        mean, se = est.mean(0), est.std(0, ddof=1) / np.sqrt(chains)
        assert np.all(np.abs(mean - exact) <= 4 * se), (baseline, mean, exact, se)
        spread[baseline] = se.max()
    assert spread["linear"] < 0.8 * spread["none"]
    assert np.abs(exact).max() > 5 * spread["linear"]  # the check has the power to see a wrong gradient


def test_reinforce_peer_update_schedule_personas_and_stop():
    g = iterated("prisoners_dilemma")
    peer = ReinforcePeer("cooperative", episodes=2, episode_length=3, updates=2)
    amg = ActiveMarkovGame(g, [FixedPolicy([0.5, 0.5]), peer])
    js, gen = amg.init(400, 0)
    p0 = peer.bind(g, 1).all_policies(js.params[1])[..., 0]
    assert (p0 >= 0.5).all() and (p0 <= 1.0).all() and p0.std() > 0.1  # U[0.5, 1] per state and chain
    d = ReinforcePeer("defective").bind(g, 1)
    assert (d.all_policies(d.init(gen, 50))[..., 0] <= 0.5).all()
    logits = [js.params[1]["logits"].clone()]
    for t in range(20):
        js, _, _ = amg.step(js, gen)
        logits.append(js.params[1]["logits"].clone())
    changed = [t for t in range(1, 21) if not torch.equal(logits[t], logits[t - 1])]
    assert changed == [6, 12]  # after 2 x 3 samples, twice, then frozen
    assert bool(amg.learners[1].learning_done(js.params[1]).all())
    late = ReinforcePeer("uniform", episodes=1, episode_length=4, updates=None).bind(g, 1)
    p = late.init(gen, 1)
    p = late.update(p, tr(g, 0, (0, 0)))  # step 0 would start an episode...
    p = late.update(p, Transition(torch.tensor([1]), torch.tensor([[0, 0]]), torch.zeros(1, 2, dtype=D),
                                  torch.tensor([1]), step=5))
    assert p["pos"].tolist() == [2]
    waiting = late.init(gen, 1)
    waiting = late.update(waiting, Transition(torch.tensor([1]), torch.tensor([[0, 0]]), torch.zeros(1, 2, dtype=D),
                                              torch.tensor([1]), step=5))
    assert waiting["pos"].tolist() == [-1]  # ...but mid-episode it waits for the next episode start
    with pytest.raises(ValueError, match="persona"):
        ReinforcePeer("friendly")
    with pytest.raises(LearnerError, match="persona logits"):
        ReinforcePeer(np.zeros(3)).bind(g, 1)
