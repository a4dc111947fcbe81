"""Clocks and inference-time laws: no negative sleep, deterministic virtual time, measured torch forward times."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from activeq.errors import RealtimeError
from activeq.realtime.clocks import InferenceTime, VirtualClock, WallClock, as_inference_time


def test_wall_clock_never_sleeps_a_negative_time():
    # the reference code's first sleep was `offset - elapsed`, negative (ValueError) when setup ran long
    clock = WallClock()
    clock.start()
    time.sleep(0.01)
    t0 = time.perf_counter()
    late = clock.wait_until(0.0)  # a deadline in the past
    assert time.perf_counter() - t0 < 0.005
    assert late >= 0.009


def test_wall_clock_waits_until_the_deadline():
    clock = WallClock()
    clock.start()
    late = clock.wait_until(0.02)
    assert clock.now() >= 0.02  # never early
    assert late < 0.05  # and not much late (a loaded shared machine can delay any wake-up by some ms)


def test_virtual_clock_jumps_and_never_goes_back():
    c = VirtualClock()
    assert c.wait_until(5.0) == 0.0 and c.now() == 5.0
    assert c.wait_until(3.0) == 2.0 and c.now() == 5.0


def test_uniform_jitter_stays_in_bounds_and_is_seeded():
    law = InferenceTime.uniform(0.1, 0.2)
    a = [law.sample(np.random.default_rng(3)) for _ in range(3)]
    b = [law.sample(np.random.default_rng(3)) for _ in range(3)]
    assert a == b
    draws = np.array([law.sample(np.random.default_rng(s)) for s in range(500)])
    assert draws.min() >= 0.08 - 1e-12 and draws.max() <= 0.12 + 1e-12
    assert abs(draws.mean() - 0.1) < 0.003
    assert law.max == pytest.approx(0.12)


def test_measured_forward_time_of_a_torch_model():
    net = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 6))
    law = InferenceTime.from_model(net, torch.zeros(1, 64), repeats=10)
    assert law.kind == "empirical" and len(law.samples) == 10
    assert 0 < law.min <= law.mean <= law.max < 0.5


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, math.nan, "fast", True])
def test_bad_tau_is_rejected(bad):
    with pytest.raises(RealtimeError, match="tau_theta"):
        as_inference_time(bad)


@pytest.mark.parametrize("jitter", [-0.1, 1.0, 2, math.nan])
def test_bad_jitter_is_rejected(jitter):
    with pytest.raises(RealtimeError, match="jitter"):
        as_inference_time(0.1, jitter)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=50, deadline=None)
@given(mean=st.floats(1e-6, 1e3), jitter=st.floats(0.0, 0.99), seed=st.integers(0, 2 ** 31))
def test_fuzz_inference_time_laws(mean, jitter, seed):
    law = as_inference_time(mean, jitter)
    x = law.sample(np.random.default_rng(seed))
    assert law.min - 1e-9 * mean <= x <= law.max + 1e-9 * mean
    emp = InferenceTime.empirical([mean, mean * (1 + jitter) + 1e-9])
    assert emp.min <= emp.sample(np.random.default_rng(seed)) <= emp.max
