"""The issue's claims as seeded tests, the metric definitions, checkpoint/resume and bad input."""

import json

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ArgumentTypeError, ProbeError
from activeq.tom import oracle, probe, sweep
from activeq.tom.agents import BestResponder, ModelBased, Oracle, PredictsWell
from activeq.tom.partners import (cycle, fictitious_play, mixed, noisy, single_action, tit_for_tat)

RPS = load_game("rock_paper_scissors")
PD = load_game("prisoners_dilemma")
BOS = load_game("bach_or_stravinsky")
SEEDS = 5

EVERY_PARTNER = [(g, p) for g in (RPS, PD, BOS) for p in (single_action(0), single_action(1), tit_for_tat(),
                                                          mixed([1 / 3, 1 / 3, 1 / 3][:g.num_actions[1]]
                                                                if g is RPS else [0.3, 0.7]),
                                                          noisy(tit_for_tat(), 0.1), cycle([1, 0]))]
EVERY_PARTNER.append((BOS, fictitious_play(2)))


@pytest.mark.parametrize("game, partner", EVERY_PARTNER, ids=lambda x: getattr(x, "name", ""))
def test_oracle_agent_has_zero_functional_regret_against_every_partner(game, partner):
    res = probe(game, partner, Oracle(), rounds=100, seeds=SEEDS)
    assert np.all(res.per_seed("functional_regret") == 0.0)
    if partner.bind(game).deterministic:  # then Delta_F is exactly (V* - sum r)/T too
        assert np.allclose(res.per_seed("realized_regret"), 0.0)


def test_predicts_well_acts_at_random_against_single_action_rps():
    res = probe(RPS, single_action(0), PredictsWell(0.99), rounds=100, seeds=SEEDS)
    print(res.table())
    assert abs(res.accuracy - 0.99) < 0.02
    assert res.tom_regret < 0.04  # ~0.015: a wrong prediction costs 1 or 2
    assert abs(res.functional_regret - 1.0) < 0.15  # uniform play vs a win of +1: expected gap 1
    assert res.tom_regret < res.functional_regret / 10


def test_model_based_learner_against_single_action_rps():
    """Reference: 0.083 at 97% accuracy. Ours (5 seeds x 100 rounds, partner plays each action): recorded below."""
    per_partner = {a: probe(RPS, single_action(a), ModelBased(), rounds=100, seeds=SEEDS) for a in range(3)}
    regret = np.mean([r.functional_regret for r in per_partner.values()])
    accuracy = np.mean([r.accuracy for r in per_partner.values()])
    assert regret <= 0.1 and accuracy >= 0.95
    # our exact figures (deterministic learner and partner, so every seed agrees): vs rock 0.01 at 100%, vs paper
    # 0.03 at 99%, vs scissors 0.01 at 99% (the first round plays rock while the model is still uniform)
    assert [round(r.functional_regret, 3) for r in per_partner.values()] == [0.01, 0.03, 0.01]
    assert [round(r.accuracy, 3) for r in per_partner.values()] == [1.0, 0.99, 0.99]


def test_delta_f_and_delta_tom_differ_in_both_directions_against_tit_for_tat():
    """Against tit-for-tat, Delta_F < Delta_ToM in the IPD and Delta_F > Delta_ToM in RPS.

    In the IPD the stage best response to *any* prediction is "defect", which tit-for-tat punishes: a perfect
    predictor that cooperates has Delta_F = 0 while Delta_ToM ~ 1 (on the actual path) and 1.98 (counterfactual).
    The other direction cannot occur in the IPD vs tit-for-tat under our definition (each round's ToM gap is the
    gap of "defect", the largest gap in that state but in the last round), checked below over random actors.
    It occurs against RPS tit-for-tat ("beat your last move"), where myopic best response is optimal: a good
    predictor that acts at random has Delta_F ~ 1 and Delta_ToM ~ 0.
    """
    oracle_agent = probe(PD, tit_for_tat(), Oracle(), rounds=100, seeds=SEEDS)
    assert oracle_agent.accuracy == 1.0 and oracle_agent.functional_regret == 0.0
    assert oracle_agent.tom_regret == pytest.approx((98 * 1 + 2 + 0) / 100)  # defect costs 1; 2 in round 99; 0 last
    assert oracle_agent.mean("tom_regret_counterfactual") == pytest.approx(1.98)
    random_pd = probe(PD, tit_for_tat(), PredictsWell(1.0), rounds=100, seeds=SEEDS)
    f, tom = random_pd.per_seed("functional_regret"), random_pd.per_seed("tom_regret")
    assert np.all(f <= tom + 0.02 + 1e-12)  # at most the last round's 2/T the other way
    random_rps = probe(RPS, tit_for_tat(), PredictsWell(1.0), rounds=100, seeds=SEEDS)
    assert random_rps.accuracy == 1.0 and random_rps.tom_regret == 0.0
    assert random_rps.functional_regret > 0.8


def test_tom_regret_versions_coincide_against_a_non_reactive_partner():
    res = probe(RPS, cycle([0, 1, 2]), PredictsWell(0.9), rounds=50, seeds=3)
    assert np.allclose(res.per_seed("tom_regret"), res.per_seed("tom_regret_counterfactual"))


def test_best_responder_is_always_consistent():
    res = probe(RPS, tit_for_tat(), BestResponder("last"), rounds=60, seeds=2)
    assert res.consistency == 1.0
    assert res.functional_regret > 0.5  # "last action" is the wrong model of tit-for-tat


def test_functional_regret_telescopes_to_v_star_minus_rewards_for_deterministic_partners():
    res = probe(PD, tit_for_tat(), ModelBased(), rounds=100, seeds=2)
    v = oracle(PD, tit_for_tat(), 100).value
    for traj in res.trajectories:
        total = sum(r["reward"] for r in traj.records)
        assert traj.metrics["functional_regret"] == pytest.approx((v - total) / 100)


def test_summary_table_frame_and_plot(tmp_path):
    tab = sweep([(RPS, single_action(0), ModelBased()), (RPS, single_action(0), PredictsWell())], 30, 3)
    text = tab.table()
    lines = text.splitlines()
    assert len({len(line) for line in lines[:4]}) == 1 or len(lines[0]) >= len(lines[2].rstrip())
    assert "model_based" not in text or "tabular_model_based" in text
    s = tab.results[0].summary()
    assert s["functional_regret"]["ci_low"] <= s["functional_regret"]["mean"] <= s["functional_regret"]["ci_high"]
    df = tab.to_frame()
    assert list(df["model"]) == ["tabular_model_based", "predicts_well"]
    tab.to_json(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["cells"][0]["rounds"] == 30
    tab.plot(tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 5000


def test_checkpoint_resume_replays_recorded_rounds(tmp_path):
    full = probe(RPS, tit_for_tat(), ModelBased(), rounds=40, seeds=2)
    probe(RPS, tit_for_tat(), ModelBased(), rounds=40, seeds=2, checkpoint=tmp_path)
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) == 2
    for f in files:  # cut each seed to 15 rounds plus a torn line
        lines = f.read_text().splitlines()[:15]
        f.write_text("\n".join(lines) + '\n{"t": 15, "act')
    resumed = probe(RPS, tit_for_tat(), ModelBased(), rounds=40, seeds=2, checkpoint=tmp_path)
    assert np.array_equal(resumed.per_seed("functional_regret"), full.per_seed("functional_regret"))


@pytest.mark.parametrize("kwargs, err, match", [
    ({"rounds": 0}, ProbeError, "rounds must be >= 1"),
    ({"seeds": 0}, Exception, "seeds"),
    ({"seeds": "abc"}, ArgumentTypeError, "seeds"),
])
def test_bad_probe_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        probe(RPS, single_action(0), Oracle(), **kwargs)


def test_bad_partner_and_agent_types():
    with pytest.raises(ArgumentTypeError, match="partner"):
        probe(RPS, "rock", Oracle())
    with pytest.raises(ArgumentTypeError, match="agent"):
        probe(RPS, single_action(0), object())


def test_threads_over_seeds_and_cells_give_the_same_results():
    from activeq.tom.agents import LLMAgent
    from activeq.tom.backends import Scripted

    def answer(messages, seed):
        return ["rock", "paper", "blorp"][seed % 3]

    cells = [(RPS, tit_for_tat(), LLMAgent(Scripted(answer), "plain", cache=None)),
             (PD, tit_for_tat(), ModelBased())]
    one = sweep(cells, 30, 4, workers=1)
    many = sweep(cells, 30, 4, workers=4)
    key = lambda res: [[(r["action"], r["partner_action"], r["failed"], r["text"]) for r in t.records]  # noqa: E731
                       for t in res.trajectories]
    for a, b in zip(one.results, many.results):
        assert key(a) == key(b)
        assert np.array_equal(a.per_seed("functional_regret"), b.per_seed("functional_regret"))
    assert one.results[0].parse_failure_rate > 0  # the seeds that answer "blorp" fall back, counted
