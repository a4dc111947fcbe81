"""FURTHER / LILI: batched agent vs an independent one-seed implementation, runner, checkpoints, PettingZoo play,
bad input, and the paper's reproductions at CI scale (several seeds, statistical assertions).

CI-scale thresholds were set from measured runs (seed 0 of each builder, 10 seeds) and hold with margin there; the
full-scale claims are checked by analysis/active_further.py. Matching pennies vs LILI and the prisoner's dilemma vs
a naive learner have no reproduction test because their claims do not hold. The measurements and the diagnosis are
in the builders' docstrings and in analysis/results/active_further_diagnosis.md.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from activeq.active import QPersona
from activeq.active.further import FurtherAgent, FurtherConfig, LiliAgent, Match, MatchResult, reproductions
from activeq.active.further.env_adapter import EnvPlayer, play
from activeq.active.further.reference import ReferenceFurther, batched_actor_weights
from activeq.active.further.matches import (bach_or_stravinsky, bos_vs_q_persona,
                                                  cooperative_further_vs_further, matching_pennies,
                                                  matching_pennies_further_vs_lili)
from activeq.errors import ArgumentError, ExperimentError, LearnerError
from activeq.experiments.testing import assert_fraction_at_least
from activeq.games import IteratedGame

SMALL = FurtherConfig(window=16, hidden=8, max_grad_norm=0.5)  # clipping is active at this norm


# --- the batched agent against an independent straightforward implementation ------------------------------
@pytest.mark.parametrize("kind", ["further", "lili"])
def test_batched_agent_matches_one_seed_reference(kind):
    """Same seed -> same actions and weights as the nn.Linear / per-part-Adam / clip_grad_norm_ reference."""
    cls = FurtherAgent if kind == "further" else LiliAgent
    agent = cls(5, (2, 2), player=1, num_seeds=1, seed=3, config=SMALL)
    ref = ReferenceFurther(5, (2, 2), player=1, config=SMALL, seed=3, average_reward=kind == "further")
    R = np.array([[1.0, 0.0], [0.0, 2.0]])  # column player's BoS payoffs
    rng = np.random.default_rng(0)
    s = 0
    for t in range(80):
        a1 = int(agent.act(torch.tensor([s]))[0])
        assert a1 == ref.act(s), f"actions differ at step {t}"
        a0 = int(rng.integers(2))
        s2 = 1 + 2 * a0 + a1
        agent.observe(torch.tensor([s]), torch.tensor([[a0, a1]]), torch.tensor([R[a0, a1]]), torch.tensor([s2]))
        ref.observe(s, (a0, a1), R[a0, a1], s2)
        s = s2
    assert agent.steps == 80 and agent.steps - SMALL.window + 1 == 65  # 65 updates happened
    for wb, wr in zip(batched_actor_weights(agent, 0), ref.actor_weights()):
        np.testing.assert_allclose(wb.numpy(), wr.numpy(), atol=1e-5)
    if kind == "further":
        np.testing.assert_allclose(agent.gain, [float(ref.gain.detach())], atol=1e-5)
        assert agent.gain[0] != 0.0
    else:
        assert agent.gain is None


def test_learning_emits_no_warning():
    """Each layer's weight and gradient are contiguous views into one buffer, so autograd's gradient layout contract
    holds: no "grad and param do not obey the gradient layout contract" warning (nor any other)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _small_match().run(40, progress=False)


def test_seeds_are_independent_and_divergence_is_reported():
    """Poisoning one seed's weights leaves the other seeds' updates untouched and is reported with its step."""
    torch.manual_seed(0)
    agents = [FurtherAgent(5, (2, 2), num_seeds=3, seed=7, config=SMALL) for _ in range(2)]
    with torch.no_grad():
        for p in [*agents[1].sac.critics.weights, *agents[1].sac.critics.biases]:
            p[1].fill_(float("nan"))  # seed 1's critic 1
            p[4].fill_(float("nan"))  # seed 1's critic 2
    s = torch.zeros(3, dtype=torch.long)
    for t in range(40):
        acts = torch.tensor([[t % 2, (t // 2) % 2]] * 3)
        s2 = 1 + 2 * acts[:, 0] + acts[:, 1]
        for ag in agents:
            ag.observe(s, acts, torch.ones(3), s2)
        s = s2
    clean = batched_actor_weights(agents[0], 0), batched_actor_weights(agents[0], 2)
    poisoned = batched_actor_weights(agents[1], 0), batched_actor_weights(agents[1], 2)
    for a, b in zip(clean, poisoned):
        for wa, wb in zip(a, b):
            torch.testing.assert_close(wa, wb)
    assert agents[1].diverged_at.tolist() == [-1, SMALL.window, -1]
    assert agents[0].diverged_at.tolist() == [-1, -1, -1]
    # a NaN policy does not crash acting; the match reports the divergence and summaries refuse to average it
    game = bach_or_stravinsky()
    m = Match(game, [agents[1], QPersona()], num_seeds=3, seed=0)
    res = m.run(5, progress=False)
    assert res.diverged_at[0, 1] == SMALL.window
    assert np.isnan(res.running_average()[:, 1]).all() and np.isfinite(res.running_average()[:, [0, 2]]).all()


# --- the original trainer's latent wiring ------------------------------------------------------------------------
def _expected_next_latent(agent, state, actions, reward, next_state, encoder_latent):
    """The acting latent ``observe`` must produce: a draw from q(z' | encoder_latent, s, a, r, s') with the agent's
    next normal variates (computed before the call, from a copy of its generator)."""
    lay = agent.layout
    B, S = agent.num_seeds, agent.num_states
    row = torch.zeros(B, 1, lay.width)
    row[:, 0, :lay.latent] = encoder_latent
    b = torch.arange(B)
    row[b, 0, lay.obs.start + state] = 1.0
    row[b, 0, lay.action(0).start + actions[:, 0]] = 1.0
    row[b, 0, lay.action(1).start + actions[:, 1]] = 1.0
    row[:, 0, lay.reward] = reward
    row[b, 0, lay.next_obs.start + next_state] = 1.0
    g = torch.Generator()
    g.set_state(agent.generator.get_state())
    with torch.no_grad():
        out = agent.inference.encoder(row)
    mu, logvar = out[..., :lay.latent], out[..., lay.latent:].clamp(-20.0, 2.0)
    return (mu + torch.exp(0.5 * logvar) * torch.randn(mu.shape, generator=g))[:, 0]


def test_peer_latent_source_acts_on_the_other_agents_latent_and_trains_on_its_own():
    """latent_source='peer': the next acting latent is encoded from the peer's latent (zeros if none); the buffer,
    and so the training, keep the agent's own latent; given its own latent as the 'peer' it is the 'own' agent."""
    cfg = SMALL.replace(window=8)
    own = FurtherAgent(5, (2, 2), num_seeds=2, seed=5, config=cfg)
    peer = FurtherAgent(5, (2, 2), num_seeds=2, seed=5, config=cfg.replace(latent_source="peer"))
    mirror = FurtherAgent(5, (2, 2), num_seeds=2, seed=5, config=cfg.replace(latent_source="peer"))
    rng = torch.Generator().manual_seed(0)
    s = torch.zeros(2, dtype=torch.long)
    for t in range(20):
        a = torch.randint(2, (2, 2), generator=rng)
        s2, r = 1 + 2 * a[:, 0] + a[:, 1], torch.randn(2, generator=rng)
        other = torch.randn(2, cfg.latent, generator=rng)
        z_before = peer.z.clone()
        src = torch.zeros(2, cfg.latent) if t % 3 == 0 else other
        expected = _expected_next_latent(peer, s, a, r, s2, src)
        peer.observe(s, a, r, s2, peer_latent=None if t % 3 == 0 else other)
        torch.testing.assert_close(peer.z, expected)
        torch.testing.assert_close(peer.buffer[:, t % cfg.window, :cfg.latent], z_before)  # trained on its own
        own.observe(s, a, r, s2, peer_latent=other)  # ignored by an 'own' agent
        mirror.observe(s, a, r, s2, peer_latent=mirror.z)
        torch.testing.assert_close(mirror.z, own.z)
        s = s2
    for wa, wb in zip(batched_actor_weights(mirror, 1), batched_actor_weights(own, 1)):
        torch.testing.assert_close(wa, wb)
    assert not torch.equal(peer.z, own.z)
    with pytest.raises(ArgumentError, match="peer_latent must have shape"):
        peer.observe(s, a, r, s2, peer_latent=torch.zeros(2, 3))
    with pytest.raises(ArgumentError, match="latent_source"):
        FurtherConfig(latent_source="theirs")


def _spy_peer_latents(agent):
    """Record the ``peer_latent`` every ``observe`` call gets."""
    calls, observe = [], agent.observe

    def spy(*args, peer_latent=None):
        calls.append(None if peer_latent is None else peer_latent.clone())
        return observe(*args, peer_latent=peer_latent)

    agent.observe = spy
    return calls


def test_original_wiring_in_a_match_feeds_agent_1s_latent_to_agent_0():
    """The match hands agent 0 the latent agent 1 acted with; with a Q persona (no latent) agent 0 gets none and
    encodes from zeros, as the original's TabularQ.encode returns."""
    cfg = FurtherConfig.preset("matching_pennies", window=8, hidden=8)
    m = matching_pennies_further_vs_lili(2, seed=0, config=cfg, latent_source="peer")
    further, lili = m.players
    assert further.config.latent_source == "peer" and lili.config.latent_source == "own"
    calls = _spy_peer_latents(further)
    for _ in range(12):
        z1 = lili.z.clone()
        m.step()
        torch.testing.assert_close(calls[-1], z1)
    assert not torch.equal(calls[-1], further.z)
    q = bos_vs_q_persona(2, seed=0, config=FurtherConfig.preset("bach_or_stravinsky", window=8, hidden=8),
                         latent_source="peer")
    calls = _spy_peer_latents(q.players[0])
    q.run(20, progress=False)
    assert q.players[0].config.latent_source == "peer" and calls == [None] * 20
    with pytest.raises(ArgumentError, match="latent_source"):
        bos_vs_q_persona(2, latent_source="theirs")


# --- runner ---------------------------------------------------------------------------------------------------
def _small_match(seed: int = 0) -> Match:
    cfg = FurtherConfig.preset("matching_pennies", window=16, hidden=8)
    agents = [FurtherAgent(5, (2, 2), player=0, num_seeds=2, seed=1, config=cfg),
              LiliAgent(5, (2, 2), player=1, num_seeds=2, seed=2, config=cfg)]
    return Match(matching_pennies(), agents, num_seeds=2, seed=seed, episode_length=50)


def test_checkpoint_resume_reproduces_an_uninterrupted_run(tmp_path):
    straight = _small_match().run(160, progress=False)
    first = _small_match().run(90, progress=False, checkpoint_dir=tmp_path, checkpoint_every=45)
    assert first.steps == 90
    meta = json.loads((tmp_path / "checkpoint.json").read_text())
    assert meta["step"] == 90 and meta["players"][0]["kind"] == "further" and meta["players"][1]["kind"] == "lili"
    torch.load(tmp_path / "checkpoint.pt", weights_only=True)  # plain tensors only
    resumed = _small_match().run(160, progress=False, checkpoint_dir=tmp_path)
    np.testing.assert_array_equal(resumed.rewards, straight.rewards)
    # a differently configured match refuses the checkpoint
    other = Match(matching_pennies(), [FurtherAgent(5, (2, 2), num_seeds=2, seed=1, config=SMALL),
                                       QPersona()], num_seeds=2, seed=0)
    with pytest.raises(ExperimentError, match="different match"):
        other.run(200, progress=False, checkpoint_dir=tmp_path)


def test_a_match_flushes_denormals_while_it_runs_and_restores_the_default():
    """Adam's moments of never-updated weights decay into float32 denormals, which slow CPU math ~3x: a match flushes
    them to zero while it plays, and leaves torch's default (denormals kept) behind it."""
    denormal = torch.tensor([1e-39])
    seen = []
    m = _small_match()
    step = m._step
    m._step = lambda: (seen.append((denormal * 1.0).item()), step())[1]
    m.run(5, progress=False)
    assert seen == [0.0] * 5
    assert (denormal * 1.0).item() > 0.0


def test_rewards_follow_the_game_and_episodes_reset_the_state():
    m = _small_match()
    s_before = []
    for t in range(120):
        s_before.append(m.state.clone())
        m.step()
    res = m.result()
    r = res.rewards
    assert set(np.unique(r[0])) <= {-1.0, 1.0}
    np.testing.assert_array_equal(r[0], -r[1])  # zero-sum
    for t in (50, 100):  # the state after each episode end is the start state 0
        assert (s_before[t] == 0).all()
    assert res.episode_averages().shape == (2, 2, 2)


def test_pettingzoo_env_play_equals_the_batched_match():
    """A one-seed agent pair in ParallelGameEnv plays exactly the trajectory the batched runner produces."""
    from activeq.games.env import ParallelGameEnv

    game = IteratedGame(matching_pennies())
    cfg = FurtherConfig.preset("matching_pennies", window=32, hidden=16)

    def make():
        return [FurtherAgent(5, (2, 2), player=0, seed=1, config=cfg),
                LiliAgent(5, (2, 2), player=1, seed=2, config=cfg)]

    agents = make()
    env = ParallelGameEnv(game, max_steps=150, seed=0)
    players = [EnvPlayer(a, name) for a, name in zip(agents, env.possible_agents)]
    env_rewards = play(env, players, 300, seed=0)
    assert agents[0].steps == 300 and agents[0].gain[0] != 0.0  # it learned along the way
    res = Match(game, make(), num_seeds=1, seed=0).run(300, progress=False)
    np.testing.assert_array_equal(env_rewards.T, res.rewards[:, 0])


# --- bad input ------------------------------------------------------------------------------------------------
def test_bad_input_is_reported_clearly():
    with pytest.raises(ArgumentError, match="actor_lr"):
        FurtherConfig(actor_lr=-1.0)
    with pytest.raises(ArgumentError, match="polyak"):
        FurtherConfig(polyak=1.5)
    with pytest.raises(ArgumentError, match="name must be one of"):
        FurtherConfig.preset("chess")
    with pytest.raises(LearnerError, match="2-player"):
        FurtherAgent(9, (2, 2, 2))
    with pytest.raises(ArgumentError, match="player"):
        FurtherAgent(5, (2, 2), player=2)
    game = bach_or_stravinsky()
    with pytest.raises(LearnerError, match="states"):
        Match(game, [FurtherAgent(4, (2, 2)), QPersona()], num_seeds=1)
    with pytest.raises(ArgumentError, match="num_seeds"):
        Match(game, [FurtherAgent(5, (2, 2), num_seeds=2), QPersona()], num_seeds=3)
    with pytest.raises(ArgumentError, match="built for player"):
        Match(game, [QPersona(), FurtherAgent(5, (2, 2), player=0)], num_seeds=1)
    with pytest.raises(LearnerError, match="initial_q"):
        Match(game, [FurtherAgent(5, (2, 2)), QPersona(initial_q=(1.0, 2.0, 3.0))], num_seeds=1)
    with pytest.raises(ArgumentError, match="2 players"):
        Match(game, [FurtherAgent(5, (2, 2))], num_seeds=1)
    with pytest.raises(ArgumentError, match="num_seeds must be 1"):
        EnvPlayer(FurtherAgent(5, (2, 2), num_seeds=2), "row")


# --- trial functions (the experiments layer's view) -------------------------------------------------------------
class _Context:
    """A duck-typed ``TrialContext``: a checkpoint directory and a place for metric series."""

    def __init__(self, directory):
        self.checkpoint_dir = directory
        self.series = {}

    def write_series(self, name, **columns):
        self.series[name] = columns


def test_trials_checkpoint_resume_and_summarise(tmp_path):
    """A trial with a context checkpoints into its directory, a second call resumes the finished run (the same
    numbers, no steps replayed), without a context the same seed gives the same numbers, a longer trial extends the
    shorter one's checkpoint (``resume_from``) into the uninterrupted longer run, and the summary is consistent with
    the rewards."""
    ctx = _Context(tmp_path / "a")
    kw = dict(steps=200, num_seeds=2, late=100, checkpoint_every=100, latent_source="peer")
    first = reproductions.matching_pennies_further_vs_lili(0, **kw, context=ctx)
    assert json.loads((tmp_path / "a" / "checkpoint.json").read_text())["step"] == 200
    longer = kw | {"steps": 300}
    extended = reproductions.matching_pennies_further_vs_lili(0, **longer, resume_from=str(tmp_path / "a"),
                                                              context=_Context(tmp_path / "b"))
    straight = reproductions.matching_pennies_further_vs_lili(0, **longer)
    assert extended["cumulative_final"] == straight["cumulative_final"]
    assert json.loads((tmp_path / "a" / "checkpoint.json").read_text())["step"] == 200  # the source is untouched
    with pytest.raises(ArgumentError, match="resume_from"):
        reproductions.matching_pennies_further_vs_lili(0, **longer, resume_from=str(tmp_path / "nothing"),
                                                       context=_Context(tmp_path / "c"))
    cols = ctx.series["episodes"]
    assert list(cols["step"]) == [150] and set(cols) == {"step", "p0_s0", "p0_s1", "p1_s0", "p1_s1"}
    again = reproductions.matching_pennies_further_vs_lili(0, **kw, context=_Context(tmp_path / "a"))
    plain = reproductions.matching_pennies_further_vs_lili(0, **kw)
    for key in ("running_average", "late_average", "cumulative_final", "cumulative_slope"):
        assert again[key] == first[key] == plain[key], key
    assert again["cpu_seconds_this_session"] < first["cpu_seconds_this_session"]
    np.testing.assert_allclose(np.array(first["running_average"][0]) * 200, first["cumulative_final"], rtol=1e-6)
    assert abs(cols["p0_s1"][0]) <= 1.0
    assert first["players"] == ["further", "lili"] and first["latent_source"] == "peer"
    # the slope of the cumulative reward of a constant reward is that reward
    res = MatchResult(rewards=np.full((2, 3, 400), 0.25), players=("a", "b"), episode_length=100,
                      diverged_at=-np.ones((2, 3), dtype=int), seconds=0.0)
    np.testing.assert_allclose(reproductions.summarize(res, 50)["cumulative_slope"], [0.25] * 3)


def test_pd_trials_play_the_sample_learners():
    """FURTHER vs the REINFORCE peer (1 episode per update here) and the baselines' rows on the same protocol."""
    out = reproductions.pd_vs_learner(0, steps=1200, num_seeds=2, opponent="reinforce_defective", episodes=1,
                                      late=150)
    assert out["players"] == ["further", "reinforce_defective"] and len(out["late_average"][0]) == 2
    pc = np.array(out["opponent_p_cooperate"])
    assert pc.shape == (2, 5) and ((pc >= 0) & (pc <= 1)).all()
    rows = {row: reproductions.pd_baseline(0, row=row, opponent="reinforce_defective", steps=1200, num_seeds=2,
                                           episodes=1, late=150) for row in ("defect", "learner")}
    # always-defect gets 1 (P) or 5 (T) per step, never less than mutual defection
    assert min(rows["defect"]["late_average"][0]) >= 1.0
    assert rows["learner"]["players"] == ["reinforce_defective", "reinforce_defective"]
    with pytest.raises(ArgumentError, match="row"):
        reproductions.pd_baseline(0, row="tit_for_tat")


# --- reproductions at CI scale (through the experiments layer's seeded fixture) ------------------------------------
def test_bos_further_steers_the_q_persona(seeded):
    """Iterated BoS vs the Q persona (which starts preferring the column player's outcome, worth 1 to FURTHER).

    Measured at seed 0: by 6,000 steps 5 of 10 runs have steered the persona to (bach, bach) and earn ~1.95
    (the rest sit at the persona's outcome, ~0.9); at 10,000 steps 7 of 10, at 20,000 all 10. Full scale
    (analysis/active_further.py, 50,000 steps, 20 runs): see analysis/results/active_further.md.
    """
    res = seeded(reproductions.bos_vs_q_persona, seeds=[0], steps=6000, num_seeds=10, late=1000)
    out = res.records[0].result
    final = np.array(out["late_average"][0])
    assert (np.array(out["diverged_at"]) < 0).all()
    assert_fraction_at_least(final, 1.8, k=4, n=10, name="FURTHER's reward, final 1,000 steps")
    assert final.max() <= 2.0 + 1e-9
    assert np.mean(final) > 1.2  # above the persona's outcome (1) and the mixed Nash value (2/3)


def test_cooperative_further_pair_reaches_the_pareto_outcome(seeded):
    res = seeded(reproductions.cooperative_further_vs_further, seeds=[0], steps=1500, num_seeds=5, late=300)
    final = np.array(res.records[0].result["late_average"])
    assert_fraction_at_least(final.min(axis=0), 7.5, k=5, n=5, name="the lower of the two agents' rewards")


def test_matching_pennies_builder_can_give_lili_its_own_config():
    """The MP diagnostic (analysis/active_further.py --diagnose-mp) varies LILI alone, e.g. its discount."""
    cfg = FurtherConfig.preset("matching_pennies", window=16, hidden=8)
    m = matching_pennies_further_vs_lili(2, seed=0, config=cfg, lili_config=cfg.replace(discount=0.9))
    assert type(m.players[0]) is FurtherAgent and type(m.players[1]) is LiliAgent
    assert m.players[0].config == cfg and m.players[1].config.discount == 0.9
    assert matching_pennies_further_vs_lili(2, seed=0, config=cfg).players[1].config == cfg
