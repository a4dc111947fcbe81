"""LLMAgent with a scripted backend: parsing, the one corrective retry, counted fallbacks, template hashes."""

import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ArgumentTypeError, ProbeError
from activeq.tom import probe
from activeq.tom.agents import LLMAgent
from activeq.tom.backends import Scripted
from activeq.tom.partners import single_action

RPS = load_game("rock_paper_scissors")


def test_exact_action_names_play_and_are_scored():
    res = probe(RPS, single_action(0), LLMAgent(Scripted(["Paper"]), "plain", cache=None), rounds=20, seeds=2)
    assert res.functional_regret == 0.0 and res.parse_failure_rate == 0.0 and res.mean("retry_rate") == 0.0
    assert np.isnan(res.accuracy)  # plain does not predict
    assert res.trajectories[0].records[0]["text"] == "Paper"


def test_social_style_scores_predictions():
    agent = LLMAgent(Scripted(["PREDICTION: rock\nACTION: paper"]), "social", cache=None)
    res = probe(RPS, single_action(0), agent, rounds=10, seeds=1)
    assert res.accuracy == 1.0 and res.consistency == 1.0 and res.tom_regret == 0.0
    assert res.summary()["template_hash"] == agent.template_hash


def test_one_corrective_retry_then_success_is_a_retry_not_a_failure():
    backend = Scripted(["I like turtles", "scissors"])
    res = probe(RPS, single_action(1), LLMAgent(backend, "plain", cache=None), rounds=5, seeds=1)
    assert res.mean("retry_rate") == 1.0 and res.parse_failure_rate == 0.0 and res.functional_regret == 0.0
    assert backend.calls == 10


def test_unreadable_twice_applies_the_declared_fallback_and_counts_it():
    seen = []

    def answer(messages, seed):
        seen.append(messages)
        return "blorp"

    res = probe(RPS, single_action(0), LLMAgent(Scripted(answer), "plain", fallback=2, cache=None), rounds=6,
                seeds=1)
    assert res.parse_failure_rate == 1.0
    assert all(r["action"] == 2 and r["failed"] for r in res.trajectories[0].records)
    assert len(seen) == 12 and "could not be read" in seen[1][-1]["content"]
    assert seen[1][-2] == {"role": "assistant", "content": "blorp"}
    uni = probe(RPS, single_action(0), LLMAgent(Scripted(["blorp"]), "plain", cache=None), rounds=300, seeds=1)
    counts = np.bincount([r["action"] for r in uni.trajectories[0].records], minlength=3)
    assert counts.min() > 70  # uniform fallback, seeded per round
    assert uni.parse_failure_rate == 1.0


def test_unreadable_prediction_is_counted_and_scored_wrong():
    res = probe(RPS, single_action(0), LLMAgent(Scripted(["ACTION: paper"]), "social", cache=None), rounds=4,
                seeds=1)
    assert res.mean("prediction_failure_rate") == 1.0 and res.accuracy == 0.0 and res.parse_failure_rate == 0.0


def test_bad_agent_arguments():
    with pytest.raises(ProbeError, match="style must be one of"):
        LLMAgent(Scripted(["rock"]), "telepathic")
    with pytest.raises(ArgumentTypeError, match="backend"):
        LLMAgent("http://x", "plain")
    with pytest.raises(ProbeError, match="fallback"):
        LLMAgent(Scripted(["rock"]), "plain", fallback="random")
