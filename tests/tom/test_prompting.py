"""Templates are package data with recorded hashes; the answer parser (exact names always parse; fuzzed)."""

import pytest
from hypothesis import given, settings, strategies as st

from activeq import load_game
from activeq.errors import ProbeError
from activeq.tom.prompting import STYLES, parse_action, render, template_hash, template_text

RPS = load_game("rock_paper_scissors")
NAMES = RPS.action_names[0]


@pytest.mark.parametrize("style", STYLES)
def test_every_style_renders_with_history_and_has_a_hash(style):
    msgs = render(style, RPS, [(0, 1), (2, 2)], 100, partner=__import__("activeq.tom.partners", fromlist=["x"])
                  .single_action(0).bind(RPS))
    text = "\n".join(m["content"] for m in msgs)
    assert "Round 2: you played scissors, partner played scissors" in text and "$" not in text
    assert len(template_hash(style)) == 16
    if style == "oracle":
        assert "always plays rock" in text


def test_unknown_style():
    with pytest.raises(ProbeError, match="style must be one of"):
        template_text("shouty")


@pytest.mark.parametrize("answer", ["Paper", "paper", "  PAPER.\n", "**paper**", "'paper'"])
def test_an_answer_that_is_exactly_an_action_name_always_parses(answer):
    for labelled in (False, True):
        assert parse_action(answer, NAMES, labelled=labelled) == 1


def test_labelled_and_free_text_answers():
    assert parse_action("I think so.\nACTION: scissors", NAMES, labelled=True) == 2
    assert parse_action("PREDICTION: rock\nACTION: paper", NAMES, "PREDICTION", labelled=True) == 0
    assert parse_action("I will play rock this time", NAMES) == 0
    assert parse_action("rock or paper", NAMES) is None  # ambiguous
    assert parse_action("rock, then paper", NAMES, labelled=True) is None  # cot/social need the label
    assert parse_action("ACTION: lizard", NAMES) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_parser_never_raises_and_returns_a_legal_index_or_none(text):
    for labelled in (False, True):
        k = parse_action(text, NAMES, labelled=labelled)
        assert k is None or 0 <= k < 3


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(NAMES), st.text(alphabet=" \n\t*.'\"", max_size=4), st.text(alphabet=" \n\t*.'\"", max_size=4))
def test_exact_names_with_noise_around_them_parse(name, pre, post):
    assert parse_action(pre + name.upper() + post, NAMES) == NAMES.index(name)
