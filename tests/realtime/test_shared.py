"""The shared-memory parts of the runtime, under real concurrent processes: each test would catch one bug of the
reference code (non-atomic counters, reading the slot about to be written, the check-then-reset race, gradients
never zeroed)."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest
import torch

from activeq.errors import RealtimeError
from activeq.realtime.runtime import dqn_loss, learner_step
from activeq.realtime.shared import ActionSlot, AtomicCounter, ObservationRing, ReplayBuffer, SharedWeights

CTX = mp.get_context("fork")


def _bump(counter, n):
    for _ in range(n):
        counter.add(1)


def test_atomic_counter_loses_no_increment():
    c = AtomicCounter(CTX)
    procs = [CTX.Process(target=_bump, args=(c, 3000)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert c.value == 12000


def _writer(ring, n):
    for k in range(n):
        ring.publish(k, np.full(ring.shape, float(k), dtype=np.float32))


def _reader(ring, n, out, i):
    last, bad = -1, 0
    for _ in range(n):
        k, obs = ring.latest()
        if k < 0:
            continue
        # a torn or about-to-be-written slot shows as mixed values, or values that do not match the index
        if not np.all(obs == k) or k < last:
            bad += 1
        last = k
    out[i] = bad


def test_observation_ring_never_returns_a_torn_or_unwritten_slot():
    ring = ObservationRing((16, 16), capacity=3, ctx=CTX)
    out = CTX.Array("q", 2)
    w = CTX.Process(target=_writer, args=(ring, 20000))
    rs = [CTX.Process(target=_reader, args=(ring, 20000, out, i)) for i in range(2)]
    for p in [w, *rs]:
        p.start()
    for p in [w, *rs]:
        p.join(60)
    assert list(out) == [0, 0]
    assert ring.latest()[0] == 19999


def _publisher(slot, worker, n):
    for s in range(n):
        slot.publish(worker * 100000 + s, s, worker)


def _taker(slot, stop, taken, count):
    n = 0
    while True:
        x = slot.take()
        if x is None:
            if stop.is_set() and slot.take() is None:
                break
            continue
        taken[n] = x[0]
        n += 1
    count.value = n


@pytest.mark.parametrize("kind", ["latest", "fifo"])
def test_action_slot_take_is_atomic_and_no_action_vanishes(kind):
    slot = ActionSlot(kind, capacity=100000, ctx=CTX)
    taken = CTX.RawArray("q", 6000)
    count = CTX.RawValue("q", 0)
    stop = CTX.Event()
    pubs = [CTX.Process(target=_publisher, args=(slot, w, 2000)) for w in range(3)]
    t = CTX.Process(target=_taker, args=(slot, stop, taken, count))
    t.start()
    for p in pubs:
        p.start()
    for p in pubs:
        p.join(60)
    stop.set()
    t.join(60)
    got = list(taken[:count.value])
    assert slot.published == 6000
    assert len(set(got)) == len(got)  # nothing taken twice (the check-then-reset race can hand one action out twice)
    assert len(got) + slot.lost == 6000  # every action was either used or counted as overwritten
    if kind == "fifo":
        assert slot.lost == 0
        for w in range(3):  # each worker's actions come out in publish order
            mine = [g for g in got if g // 100000 == w]
            assert mine == sorted(mine)


def test_replay_buffer_samples_whole_transitions():
    rb = ReplayBuffer((3,), 50, CTX)
    for i in range(80):
        rb.add(np.full(3, i), i, float(i), np.full(3, i + 1), i % 7 == 0)
    assert len(rb) == 50
    b = rb.sample(40, np.random.default_rng(0))
    assert np.all(b["obs"][:, 0] == b["action"]) and np.all(b["next_obs"][:, 0] == b["action"] + 1)
    assert b["action"].min() >= 30
    assert rb.sample(51, np.random.default_rng(0)) is None  # not enough transitions yet


def test_learner_step_zeroes_gradients_before_backward():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    batch = {"obs": torch.randn(8, 4), "action": torch.randint(0, 3, (8,)), "reward": torch.randn(8),
             "next_obs": torch.randn(8, 4), "done": torch.zeros(8)}
    learner_step(model, dqn_loss(0.9), batch)
    once = model.weight.grad.clone()
    learner_step(model, dqn_loss(0.9), batch)
    assert torch.allclose(model.weight.grad, once)  # not 2x: gradients did not accumulate across updates


def test_shared_weights_apply_zeroes_shared_grads_and_bumps_version():
    shared = SharedWeights(torch.nn.Linear(2, 2), CTX)
    local = torch.nn.Linear(2, 2)
    assert shared.pull(local, -1) == 0 and torch.equal(local.weight, shared.model.weight)
    opt = torch.optim.SGD(shared.model.parameters(), lr=0.1)
    local.weight.grad = torch.ones(2, 2)
    local.bias.grad = torch.ones(2)
    before = shared.model.weight.detach().clone()
    assert shared.apply(local, opt) == 1
    assert torch.allclose(shared.model.weight, before - 0.1)
    assert all(p.grad is None for p in shared.model.parameters())


def test_bad_slot_and_capacity():
    with pytest.raises(RealtimeError, match="slot"):
        ActionSlot("stack", ctx=CTX)
    with pytest.raises(RealtimeError, match="capacity"):
        ObservationRing((2,), 1, CTX)


def test_action_slot_deadline_keeps_late_publishes_for_the_next_step():
    slot = ActionSlot("latest", ctx=CTX)
    slot.publish(3, 10, 0, t=5.0)
    assert slot.take(deadline=4.9) is None  # published after this step's nominal time: not yet
    assert slot.take(deadline=5.0) == (3, 10, 0)
    assert slot.take(deadline=6.0) is None
