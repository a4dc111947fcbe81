"""Pipelined networks: delays measured by perturbation, fused tick = per-layer tick, unrolled forward = ticking."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from activeq.errors import ArgumentError, ArgumentTypeError
from activeq.realtime.pipelined import PipelinedCNN, PipelinedMLP


def _inputs(net, ticks: int, batch: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    obs = torch.randn(ticks, batch, *net.obs_shape, generator=g)
    acts = torch.randint(-1, net.n_actions, (ticks, batch), generator=g)
    return obs, acts


def _run(net, obs, acts, resets=None):
    """Tick the pipeline over (ticks, batch, ...) inputs; resets[t] is a (batch,) mask applied before tick t."""
    net.reset()
    outs = []
    for t in range(obs.shape[0]):
        if resets is not None and t > 0 and resets[t].any():
            net.reset(resets[t])
        outs.append(net.step(obs[t], acts[t]).clone())
    return torch.stack(outs)


def _measured_delay(net, seed: int = 0, what: str = "obs") -> int:
    """Perturb one tick's observation (or action) and return (first changed call - perturbed call) + 1."""
    s, ticks = 3, 3 + net.delay + 4
    obs, acts = _inputs(net, ticks, 2, seed)
    base = _run(net, obs, acts)
    if what == "obs":
        obs = obs.clone()
        obs[s] += 3.0
    else:
        acts = acts.clone()
        acts[s] = (acts[s] + 2) % net.n_actions
    pert = _run(net, obs, acts)
    changed = [t for t in range(ticks) if not torch.equal(base[t], pert[t])]
    assert changed, "the perturbation never reached the output"
    assert changed[0] >= s
    return changed[0] - s + 1


ARCHS = [((), "none", 1), ((8,), "none", 2), ((8, 8), "none", 3), ((8, 8, 8), "none", 4),
         ((8,), "output", 2), ((8, 8), "output", 2), ((8, 8, 8), "output", 2),
         ((8,), "all", 1), ((8, 8), "all", 1), ((8, 8, 8), "all", 1), ((), "all", 1), ((), "output", 1)]


@pytest.mark.parametrize("hidden,skip,expected", ARCHS)
@pytest.mark.parametrize("history", [0, 2])
def test_mlp_delay_is_measured_by_perturbation(hidden, skip, expected, history):
    torch.manual_seed(1)
    net = PipelinedMLP(5, hidden, out_features=3, skip=skip, history=history)
    assert net.delay == expected
    assert _measured_delay(net) == expected
    if history:
        assert _measured_delay(net, what="action") == expected  # the action history travels with the observation


@pytest.mark.parametrize("skip,expected", [("none", 5), ("output", 2), ("all", 1)])
def test_cnn_delay_is_measured_by_perturbation(skip, expected):
    torch.manual_seed(2)
    net = PipelinedCNN(3, 6, 6, channels=(4, 4, 4), hidden=(16,), out_features=4, skip=skip, history=1)
    assert net.n_layers == 5 and net.delay == expected
    assert _measured_delay(net) == expected
    assert _measured_delay(net, what="action") == expected


def test_no_layer_reads_the_same_ticks_output_of_the_layer_before():
    """The reference skip-network bug: with it, a 3-layer chain would answer within one call (delay 1)."""
    torch.manual_seed(3)
    net = PipelinedMLP(4, (6, 6), out_features=2, skip="none")
    obs, acts = _inputs(net, 6, 1, 0)
    outs = _run(net, obs, acts)
    # the output at call t is a function of obs[t - 2] alone: changing obs[t - 1] and obs[t] changes nothing
    obs2 = obs.clone()
    obs2[4:] = torch.randn_like(obs2[4:])
    assert torch.equal(_run(net, obs2, acts)[:6], outs)


def _windows(net, obs, acts, resets):
    """Per tick, the zero-padded window of inputs since the row's episode start, as forward() wants it."""
    ticks, batch = obs.shape[:2]
    W, k = net.window, net.history
    start = torch.zeros(batch, dtype=torch.long)
    res = []
    for t in range(ticks):
        if t > 0:
            start = torch.where(resets[t], torch.full_like(start, t), start)
        ow = torch.zeros(batch, W, *net.obs_shape)
        aw = torch.full((batch, W + k - 1), -1, dtype=torch.long)
        for b in range(batch):
            for p in range(W):
                s = t - W + 1 + p
                if s >= start[b]:
                    ow[b, p] = obs[s, b]
            for p in range(W + k - 1):
                s = t - (W + k - 1) + 1 + p
                if s >= start[b]:
                    aw[b, p] = acts[s, b]
        res.append(net(ow, aw if k else None))
    return torch.stack(res)


@pytest.mark.parametrize("skip", ["none", "output", "all"])
@pytest.mark.parametrize("history", [0, 3])
@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_fused_tick_equals_per_layer_tick_and_unrolled_forward(kind, skip, history):
    torch.manual_seed(4)
    if kind == "mlp":
        net = PipelinedMLP(7, (9, 5), out_features=3, skip=skip, history=history)
    else:
        net = PipelinedCNN(2, 5, 4, channels=(3, 4, 2), hidden=(6,), out_features=3, skip=skip, history=history)
    obs, acts = _inputs(net, 14, 3, 5)
    resets = torch.zeros(14, 3, dtype=torch.bool)
    resets[6, 0] = resets[9, 2] = resets[10, 0] = True
    fused = _run(net, obs, acts, resets)
    net.parallel = False
    seq = _run(net, obs, acts, resets)
    torch.testing.assert_close(fused, seq, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(_windows(net, obs, acts, resets), seq, rtol=1e-5, atol=1e-5)


def test_reset_mask_touches_only_its_rows():
    torch.manual_seed(5)
    net = PipelinedMLP(3, (4, 4), out_features=2, skip="output", history=1)
    obs, acts = _inputs(net, 8, 2, 1)
    resets = torch.zeros(8, 2, dtype=torch.bool)
    resets[4, 1] = True
    a = _run(net, obs, acts, resets)
    b = _run(net, obs, acts)
    assert torch.equal(a[:, 0], b[:, 0])
    assert not torch.equal(a[4:, 1], b[4:, 1])
    # a reset row behaves like a fresh pipeline fed the same inputs from tick 4 on
    fresh = _run(net, obs[4:, 1:], acts[4:, 1:])
    torch.testing.assert_close(a[4:, 1:], fresh, rtol=1e-6, atol=1e-6)


def test_weights_changed_by_an_optimizer_reach_the_fused_tick():
    torch.manual_seed(6)
    net = PipelinedMLP(4, (8,), out_features=2, skip="all")
    obs, acts = _inputs(net, 3, 4, 2)
    before = _run(net, obs, acts)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    loss = net(obs[1:].transpose(0, 1)).pow(2).sum()
    loss.backward()
    opt.step()
    after = _run(net, obs, acts)
    net.parallel = False
    torch.testing.assert_close(after, _run(net, obs, acts), rtol=1e-6, atol=1e-6)
    assert not torch.allclose(before, after)


def test_step_does_not_build_a_graph_and_forward_does():
    net = PipelinedMLP(3, (4,), out_features=2)
    assert not net.step(torch.zeros(2, 3)).requires_grad
    assert net(torch.zeros(2, 2, 3)).requires_grad


@pytest.mark.parametrize("kwargs,err,match", [
    (dict(in_features=0), ArgumentError, "in_features"),
    (dict(in_features=2.5), ArgumentTypeError, "in_features"),
    (dict(hidden=(4, 0)), ArgumentError, r"hidden\[1\]"),
    (dict(hidden="64"), ArgumentTypeError, "hidden"),
    (dict(out_features=-1), ArgumentError, "out_features"),
    (dict(skip="first"), ArgumentError, "skip"),
    (dict(history=-1), ArgumentError, "history"),
    (dict(history=True), ArgumentTypeError, "history"),
    (dict(n_actions=0, history=1), ArgumentError, "n_actions"),
    (dict(hidden=(1 << 21,)), ArgumentError, "hidden"),
])
def test_mlp_constructor_errors(kwargs, err, match):
    args = dict(in_features=3, hidden=(4,), out_features=2) | kwargs
    with pytest.raises(err, match=match):
        PipelinedMLP(args.pop("in_features"), **args)


@pytest.mark.parametrize("kwargs,match", [
    (dict(kernel_size=2), "kernel_size"), (dict(channels=()), "channels"), (dict(height=0), "height"),
    (dict(in_channels=10_000), "too large"), (dict(skip=None), "skip"),
])
def test_cnn_constructor_errors(kwargs, match):
    args = dict(in_channels=2, out_features=3) | kwargs
    with pytest.raises(ArgumentError, match=match):
        PipelinedCNN(args.pop("in_channels"), **args)


def test_step_and_forward_input_errors():
    net = PipelinedMLP(3, (4,), out_features=2, history=2)
    with pytest.raises(ArgumentTypeError, match="obs"):
        net.step([[0.0, 0.0, 0.0]], torch.zeros(1, dtype=torch.long))
    with pytest.raises(ArgumentError, match="shape"):
        net.step(torch.zeros(2, 4), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ArgumentError, match="last_action is required"):
        net.step(torch.zeros(2, 3))
    with pytest.raises(ArgumentError, match=r"\[0, 2\)"):
        net.step(torch.zeros(2, 3), torch.tensor([0, 2]))
    with pytest.raises(ArgumentTypeError, match="integer"):
        net.step(torch.zeros(2, 3), torch.tensor([0.0, 1.0]))
    net.step(torch.zeros(2, 3), torch.tensor([0, 1]))
    with pytest.raises(ArgumentError, match="reset"):
        net.step(torch.zeros(3, 3), torch.tensor([0, 1, 1]))
    with pytest.raises(ArgumentError, match="mask"):
        net.reset(torch.zeros(3, dtype=torch.bool))
    with pytest.raises(ArgumentError, match="at least window"):
        net(torch.zeros(2, 1, 3), torch.zeros(2, 2, dtype=torch.long))
    with pytest.raises(ArgumentError, match="action_window"):
        net(torch.zeros(2, 2, 3), torch.zeros(2, 2, dtype=torch.long))


@settings(max_examples=25, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), max_size=3), skip=st.sampled_from(["none", "output", "all"]),
       history=st.integers(0, 2), out=st.integers(1, 3), seed=st.integers(0, 1000))
def test_random_architectures_agree_with_their_delay_formula(hidden, skip, history, out, seed):
    torch.manual_seed(seed)
    net = PipelinedMLP(3, tuple(hidden), out_features=out, skip=skip, history=history, n_actions=3)
    n = len(hidden) + 1
    assert net.delay == {"none": n, "output": min(n, 2), "all": 1}[skip]
    obs, acts = _inputs(net, 2 * n + 2, 2, seed)
    fused = _run(net, obs, acts)
    net.parallel = False
    torch.testing.assert_close(fused, _run(net, obs, acts), rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["in_features", "hidden", "out_features", "skip", "history", "n_actions"]),
                       st.one_of(st.integers(-3, 5), st.floats(allow_nan=True), st.text(max_size=3), st.none(),
                                 st.lists(st.integers(-2, 4), max_size=3), st.booleans())))
def test_constructor_fuzz_raises_only_activeq_errors(kwargs):
    args = dict(in_features=3, out_features=2) | kwargs
    try:
        net = PipelinedMLP(args.pop("in_features"), **args)
    except (ArgumentError, ArgumentTypeError):
        return
    assert net.delay >= 1 and net.window == net.n_layers


@pytest.mark.parametrize("skip", ["none", "output", "all"])
def test_unpipelined_baseline_is_a_standard_forward_pass_with_delay_one(skip):
    torch.manual_seed(7)
    net = PipelinedCNN(2, 4, 4, channels=(3, 3), hidden=(5,), out_features=2, skip=skip, history=1, pipeline=False)
    assert net.delay == 1 and net.window == 1
    assert _measured_delay(net) == 1
    obs, acts = _inputs(net, 6, 3, 3)
    resets = torch.zeros(6, 3, dtype=torch.bool)
    outs = _run(net, obs, acts)
    torch.testing.assert_close(_windows(net, obs, acts, resets), outs, rtol=1e-5, atol=1e-5)
    # the same layers applied one after the other on the current input, by hand
    h = obs[5]
    planes = torch.cat([h, torch.nn.functional.one_hot(acts[5].clamp(min=0), 2).float()[..., None, None]
                        .mul((acts[5] >= 0).float()[:, None, None, None]).expand(3, 2, 4, 4)], dim=1)
    x1 = torch.relu(net.layers[0](planes))
    srcs2 = [x1] + ([planes] if skip == "all" else [])
    x2 = torch.relu(net.layers[1](torch.cat(srcs2, 1)))
    flat_u = planes[:, :2].flatten(1)
    flat_u = torch.cat([flat_u, planes[:, 2:, 0, 0]], 1)
    srcs3 = [x2.flatten(1)] + ([flat_u] if skip == "all" else [])
    x3 = torch.relu(net.layers[2](torch.cat(srcs3, 1)))
    if skip == "output":
        srcs4 = [x3, x2.flatten(1), x1.flatten(1)]
    else:
        srcs4 = [x3] + ([flat_u] if skip == "all" else [])
    torch.testing.assert_close(net.layers[3](torch.cat(srcs4, 1)), outs[5], rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["in_channels", "height", "width", "channels", "hidden", "out_features",
                                        "skip", "history", "kernel_size", "n_actions"]),
                       st.one_of(st.integers(-2, 5), st.floats(allow_nan=True), st.text(max_size=3), st.none(),
                                 st.lists(st.integers(-1, 4), max_size=3), st.booleans())))
def test_cnn_constructor_fuzz_raises_only_activeq_errors(kwargs):
    args = dict(in_channels=2, height=4, width=4, channels=(2,), hidden=(), out_features=2) | kwargs
    try:
        net = PipelinedCNN(args.pop("in_channels"), **args)
    except (ArgumentError, ArgumentTypeError):
        return
    assert net.delay >= 1 and net.n_layers == len(net.channels) + len(net.hidden) + 1
    assert net.step(torch.zeros(1, *net.obs_shape), torch.zeros(1, dtype=torch.long)).shape == (1, net.out_features)
