"""Schedules on the virtual clock: claims R1 (action rates), R2 (N*) and R3 (jitter and max-time padding)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import RealtimeError
from activeq.realtime import n_star, simulate_schedule
from activeq.realtime.schedules import make_schedule

TAU_M = 1 / 59.7275  # a Game Boy frame


@pytest.mark.parametrize("d, workers, staggered, unstaggered", [
    (8, 4, 0.500, 0.125), (8, 8, 1.000, 0.125), (70, 35, 0.500, 1 / 70), (70, 70, 1.000, 1 / 70)])
def test_r1_staggered_rate_is_min_1_n_tau_m_over_tau_theta(d, workers, staggered, unstaggered):
    s = simulate_schedule(TAU_M, d * TAU_M, workers, "staggered", steps=20 * d)
    u = simulate_schedule(TAU_M, d * TAU_M, workers, "unstaggered", steps=20 * d)
    assert s.action_rate == pytest.approx(staggered, abs=1e-12)
    assert s.action_rate == pytest.approx(min(1.0, workers / d), abs=1e-12)
    assert u.action_rate == pytest.approx(unstaggered, abs=1e-12)
    assert s.mean_staleness == d and u.mean_staleness == d
    assert s.lost == 0 and u.lost > 0  # unstaggered actions overwrite each other in the slot


@pytest.mark.parametrize("ratio", [2.5, 3.0, 7.3, 12.0])
@pytest.mark.parametrize("workers", [1, 2, 3, 5, 9, 16])
def test_r1_rate_formula_for_non_integer_ratios(ratio, workers):
    s = simulate_schedule(1.0, ratio, workers, "staggered", steps=4000)
    assert s.action_rate == pytest.approx(min(1.0, workers / ratio), abs=2e-3)
    u = simulate_schedule(1.0, ratio, workers, "unstaggered", steps=4000)
    assert u.action_rate == pytest.approx(1 / ratio, abs=2e-3)


@pytest.mark.parametrize("d, expected", [(1, 1), (5, 5), (8, 8), (70, 70), (596, 596)])
def test_r2_n_star_of_the_reference_delays(d, expected):
    assert n_star(d * TAU_M, TAU_M) == expected
    # N* workers act on every step; one fewer does not
    assert simulate_schedule(TAU_M, d * TAU_M, expected, "staggered", steps=3 * d).action_rate == 1.0
    if expected > 1:
        assert simulate_schedule(TAU_M, d * TAU_M, expected - 1, "staggered", steps=3 * d).action_rate < 1.0


@pytest.mark.parametrize("d", [1, 5, 8, 70])
def test_r2_sequential_rate_is_one_over_d_in_our_convention(d):
    s = simulate_schedule(TAU_M, d * TAU_M, 1, "sequential", steps=50 * d)
    assert s.action_rate == pytest.approx(1 / d, abs=1e-12)
    assert s.mean_staleness == d  # the delay is charged once: stale by d, never 2d


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_r3_jitter_unpadded_loses_actions_padded_keeps_rate(seed):
    d, jitter = 8, 0.2
    n_mean = n_star(d * TAU_M, TAU_M)
    unpadded = simulate_schedule(TAU_M, d * TAU_M, n_mean, "staggered", steps=4000, jitter=jitter,
                                 padding="none", seed=seed)
    n_max = n_star(d * (1 + jitter) * TAU_M, TAU_M)
    padded = simulate_schedule(TAU_M, d * TAU_M, n_max, "staggered", steps=4000, jitter=jitter,
                               padding="max", seed=seed)
    assert n_max == 10
    assert unpadded.action_rate < 0.9 and unpadded.lost > 0
    assert padded.action_rate >= 0.99
    assert padded.mean_staleness > unpadded.mean_staleness  # the price of padding


def test_overrun_shifts_the_grid_and_is_counted():
    # a law whose padding bound (1.0 s) is below some draws: those inferences overrun and shift the workers
    from activeq.realtime.clocks import InferenceTime
    law = InferenceTime.empirical([0.5, 1.0, 1.5]).with_max(1.0)
    s = simulate_schedule(0.25, law, 4, "staggered", steps=2000, seed=0)
    assert s.overruns > 0
    assert 0.5 < s.action_rate <= 1.0


def test_fifo_slot_keeps_every_action():
    s = simulate_schedule(1.0, 8.0, 4, "unstaggered", steps=800, slot="fifo")
    assert s.lost == 0
    assert s.action_rate == pytest.approx(0.5, abs=0.01)  # 4 actions per 8 steps, queued
    assert s.mean_staleness > 8


def test_same_seed_same_result_and_seeds_differ():
    a = simulate_schedule(1.0, 8.0, 8, "staggered", steps=500, jitter=0.2, padding="none", seed=4)
    b = simulate_schedule(1.0, 8.0, 8, "staggered", steps=500, jitter=0.2, padding="none", seed=4)
    c = simulate_schedule(1.0, 8.0, 8, "staggered", steps=500, jitter=0.2, padding="none", seed=5)
    assert np.array_equal(a.staleness, b.staleness)
    assert not np.array_equal(a.staleness, c.staleness)


@pytest.mark.parametrize("kwargs, match", [
    (dict(tau_m=0.0), "tau_m"), (dict(tau_m=math.inf), "tau_m"), (dict(tau_theta=-1.0), "tau_theta"),
    (dict(workers=0), "workers"), (dict(workers=2.5), "workers"), (dict(schedule="round_robin"), "schedule"),
    (dict(padding="min"), "padding"), (dict(slot="stack"), "slot"),
    (dict(schedule="sequential", workers=3), "workers must be 1"),
    # limits that keep a call bounded: an inference time in [1e-3, 1e6] env steps, at most 100000 workers, a
    # staleness record under activeq.limits.MAX_BYTES; a huge int is refused, never converted (OverflowError)
    (dict(tau_theta=1e-12), r"tau_theta / tau_m must be in \[0.001, 1e\+06\]"),
    (dict(tau_m=10 ** 30), r"tau_theta / tau_m must be in"), (dict(tau_m=10 ** 400), "tau_m must be a finite"),
    (dict(workers=10 ** 30), r"workers must be an int in \[1, 100000\]"), (dict(steps=10 ** 12), "steps = "),
    (dict(schedule=["staggered"]), "schedule must be one of"), (dict(jitter=10 ** 400), "jitter")])
def test_bad_input_is_named(kwargs, match):
    args = dict(tau_m=1.0, tau_theta=8.0, workers=4, schedule="staggered", steps=10)
    args.update(kwargs)
    with pytest.raises(RealtimeError, match=match):
        simulate_schedule(**args)


@settings(max_examples=40, deadline=None)
@given(tau_m=st.floats(1e-4, 10.0), ratio=st.floats(0.5, 40.0), workers=st.integers(1, 20),
       schedule=st.sampled_from(["staggered", "unstaggered"]), padding=st.sampled_from(["max", "none"]),
       jitter=st.floats(0.0, 0.5))
def test_fuzz_schedule_constructors_and_invariants(tau_m, ratio, workers, schedule, padding, jitter):
    s = simulate_schedule(tau_m, ratio * tau_m, workers, schedule, steps=200, jitter=jitter, padding=padding)
    assert 0.0 <= s.action_rate <= 1.0
    acted = s.staleness[s.staleness >= 0]
    # an action can never act before its inference finished: staleness >= ceil(tau_min / tau_m)
    assert acted.size == 0 or acted.min() >= math.ceil(ratio * (1 - jitter) - 1e-6)
    assert s.published >= s.lost
    assert make_schedule(schedule, workers, padding).workers == workers
