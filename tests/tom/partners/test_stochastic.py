import numpy as np
import pytest

from activeq import load_game
from activeq.errors import ProbeError
from activeq.tom.partners import mixed, noisy, tit_for_tat

PD = load_game("prisoners_dilemma")


def test_mixed_and_noisy_policies():
    assert np.allclose(mixed([0.25, 0.75]).bind(PD).policy(0), [0.25, 0.75])
    auto = noisy(tit_for_tat(), 0.2).bind(PD)
    assert np.allclose(auto.policy(auto.start), [0.9, 0.1])
    assert not auto.deterministic


def test_mixed_must_fit_the_game():
    with pytest.raises(ProbeError, match="3 probabilities"):
        mixed([0.2, 0.3, 0.5]).bind(PD)
    with pytest.raises(ProbeError, match="sum to 1"):
        mixed([0.2, 0.3])
