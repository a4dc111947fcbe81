"""Pipelined (delay-aware) networks: every layer updates once per tick from the previous tick's activations.

Implements the pipelined networks of Anokhin et al., "Handling Delay in Real-Time Reinforcement Learning"
(ICLR 2025), Sec. 3: an N-layer network whose layers each take one *tick* (the neuron execution time) and run
concurrently, so a new output comes out every tick but an observation needs N ticks to reach the output. Two
remedies from the same paper: **temporal skip connections** (the freshest input also feeds deeper layers, so the
shortest observation-to-output path is one layer) and **history augmentation** (the last ``k`` actions join the
input, so a delayed observation plus the actions still in flight is a Markov state again, cf. the delay-augmented
state of Katsikopoulos & Engelbrecht, 2003).

Timing (one call of :meth:`~_Pipeline.step` is one tick ``t``)::

    registers h_1..h_N hold the layers' outputs computed during tick t-1
    step(x_t, a_t):  u_t = [x_t, onehot(a_t, a_{t-1}, ..., a_{t-k+1})]     latched at the start of tick t
                     h_k <- act_k(W_k [sources of layer k] + b_k)    for every k at once, where a source is
                                                                      u_t or an *old* register h_j
                     return h_N                                       this output drives the env in tick t+1

so the output returned by ``step`` at tick ``t`` first depends on ``x_s`` at ``t = s + delay - 1`` and acts at
``s + delay``: ``delay`` counts the tick the last layer needs. ``a_t`` is the action in effect during tick ``t``
(sampled from the output returned at tick ``t - 1``). With ``skip``:

* ``"none"``: layer k reads h_{k-1}: ``delay = N``.
* ``"output"``: every hidden layer also feeds the output layer (DenseNet-style head): ``delay = min(N, 2)``.
* ``"all"``: the current input ``u_t`` also feeds every layer: ``delay = 1``.

The layers of a tick are independent, so :meth:`~_Pipeline.step` computes them together (``parallel=True``):
one block-structured matmul for all fully connected layers and one block-structured convolution for all
convolutions, instead of one call per layer (``parallel=False``, the sequential per-layer computation; both give
the same numbers up to float32 round-off). Training does not replay the pipeline: :meth:`~_Pipeline.forward`
unrolls it over a window of the last ``window = N`` latched inputs (zero-padded before an episode starts) and
returns exactly what ``step`` returned at the window's last tick when the weights were the same. ``reset()``
empties the pipeline: every register takes the value it has after an all-zero input history (the zero padding
of ``forward``), which is what makes the two agree from the first tick of an episode.

The reference implementation's "skip" network lets a layer read the *same tick's* output of the layer before it
(a one-tick network in disguise); here every layer reads only registers of the previous tick, and
``tests/realtime/test_pipelined.py`` measures each architecture's delay by perturbing one observation.

Raises :class:`~activeq.errors.ArgumentError` / :class:`~activeq.errors.ArgumentTypeError` for bad constructor
arguments and for inputs of the wrong shape, type or batch size.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_choice, check_positive_int
from ..errors import ArgumentError, ArgumentTypeError

SKIPS = ("none", "output", "all")
MAX_UNITS = 1 << 20  # per layer; a larger network is a typo here, and is refused before anything is allocated

Source = Union[str, int]  # "u" (this tick's latched input) or j (layer j's register from the previous tick)


@dataclass(frozen=True)
class _Layer:
    kind: str  # "conv" or "fc"
    sources: tuple[Source, ...]
    out: int  # channels (conv) or features (fc)
    relu: bool


def _check_sizes(x: object, name: str, allow_empty: bool) -> tuple[int, ...]:
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        x = (x,)
    if not isinstance(x, (tuple, list)):
        raise ArgumentTypeError(f"{name} must be a tuple of positive ints, got {type(x).__name__}")
    if not x and not allow_empty:
        raise ArgumentError(f"{name} must not be empty")
    sizes = tuple(check_positive_int(v, f"{name}[{i}]") for i, v in enumerate(x))
    for i, v in enumerate(sizes):
        if v > MAX_UNITS:
            raise ArgumentError(f"{name}[{i}] must be <= {MAX_UNITS}, got {v}")
    return sizes


def _skip_sources(k: int, n: int, skip: str, last_is_head: bool) -> tuple[Source, ...]:
    """Sources of layer k (1-based) of an n-layer chain under ``skip``."""
    if k == 1:
        return ("u",)
    if skip == "all":
        return (k - 1, "u")
    if skip == "output" and k == n and last_is_head:
        return tuple(range(n - 1, 0, -1))
    return (k - 1,)


class _Pipeline(nn.Module):
    """Shared engine: layer specs -> per-layer modules, the ticking registers, the fused tick, the unrolled forward."""

    def __init__(self, obs_shape: tuple[int, ...], layers: list[_Layer], skip: str, history: int, n_actions: int,
                 kernel_size: int, parallel: bool, pipeline: bool):
        super().__init__()
        self.pipeline = bool(pipeline)
        self.obs_shape = obs_shape
        self.skip = skip
        self.history = history
        self.n_actions = n_actions
        self.parallel = bool(parallel)
        self.kernel_size = kernel_size
        self._specs = layers
        self.n_layers = len(layers)
        self.window = self.n_layers if self.pipeline else 1
        self.out_features = layers[-1].out
        self._hist_features = history * n_actions
        self._spatial = obs_shape[1:] if len(obs_shape) == 3 else None
        self._shapes: dict[Source, tuple[int, ...]] = {}
        if self._spatial is not None:
            self._shapes["u"] = (obs_shape[0] + self._hist_features, *self._spatial)
        else:
            self._shapes["u"] = (math.prod(obs_shape) + self._hist_features,)
        self._u_flat = math.prod(obs_shape) + self._hist_features
        mods = []
        for k, spec in enumerate(layers, start=1):
            if spec.kind == "conv":
                cin = sum(self._shapes[s][0] for s in spec.sources)
                mods.append(nn.Conv2d(cin, spec.out, kernel_size, padding=kernel_size // 2))
                self._shapes[k] = (spec.out, *self._spatial)
            else:
                fin = sum(self._flat(s) for s in spec.sources)
                mods.append(nn.Linear(fin, spec.out))
                self._shapes[k] = (spec.out,)
        self.layers = nn.ModuleList(mods)
        self.delay = self._delay()
        self._need = self._needed_positions()
        # per layer and source: the window positions (for "u") or the indices into the source's computed positions
        # that forward() reads; None when it reads all of them in order
        self._source_index: dict[int, list] = {}
        for k, spec in enumerate(self._specs, start=1):
            idx = []
            for s in spec.sources:
                if s == "u":
                    idx.append(torch.tensor(self._need[k]))
                else:
                    where = {q: i for i, q in enumerate(self._need[s])}
                    sel = [where[q - self.pipeline] for q in self._need[k]]
                    idx.append(None if sel == list(range(len(self._need[s]))) else torch.tensor(sel))
            self._source_index[k] = idx
        self._state: dict[str, object] = {"regs": None, "hist": None}
        self._fused_key: tuple | None = None
        self._primed_key: tuple | None = None
        self._fused: dict[str, tuple] = {}
        self._primed: dict[int, torch.Tensor] = {}

    # ----------------------------------------------------------------------------------------------- structure
    def _flat(self, s: Source) -> int:
        return self._u_flat if s == "u" else math.prod(self._shapes[s])

    def _delay(self) -> int:
        if not self.pipeline:
            return 1
        lag: dict[int, int] = {}
        for k, spec in enumerate(self._specs, start=1):
            lag[k] = min(0 if s == "u" else lag[s] + 1 for s in spec.sources)
        return lag[self.n_layers] + 1

    def _needed_positions(self) -> dict[int, list[int]]:
        """Window positions (0..window-1) at which each layer's value feeds the output at the last position."""
        need: dict[int, set[int]] = {k: set() for k in range(1, self.n_layers + 1)}
        need[self.n_layers].add(self.window - 1)
        for k in range(self.n_layers, 0, -1):
            for s in self._specs[k - 1].sources:
                if s != "u":
                    need[s].update(q - self.pipeline for q in need[k])
        return {k: sorted(v) for k, v in need.items()}

    # ----------------------------------------------------------------------------------------------- inputs
    def _check_obs(self, obs: object, name: str, lead: int) -> torch.Tensor:
        if not isinstance(obs, torch.Tensor):
            raise ArgumentTypeError(f"{name} must be a torch.Tensor, got {type(obs).__name__}")
        if obs.dim() != lead + len(self.obs_shape) or tuple(obs.shape[lead:]) != self.obs_shape:
            want = ("batch", "window")[:lead] + self.obs_shape
            raise ArgumentError(f"{name} must have shape {want}, got {tuple(obs.shape)}")
        if not obs.is_floating_point():
            obs = obs.float()
        return obs

    def _check_actions(self, a: object, name: str, shape: tuple[int, ...]) -> torch.Tensor:
        if not isinstance(a, torch.Tensor):
            raise ArgumentTypeError(f"{name} must be a torch.Tensor of action indices, got {type(a).__name__}")
        if a.is_floating_point() or a.dtype == torch.bool:
            raise ArgumentTypeError(f"{name} must hold integer action indices, got dtype {a.dtype}")
        if tuple(a.shape) != shape:
            raise ArgumentError(f"{name} must have shape {shape}, got {tuple(a.shape)}")
        if a.numel() and (int(a.min()) < -1 or int(a.max()) >= self.n_actions):
            raise ArgumentError(f"{name} must hold actions in [0, {self.n_actions}) or -1 (none), "
                                f"got range [{int(a.min())}, {int(a.max())}]")
        return a.long()

    def _one_hot(self, hist: torch.Tensor) -> torch.Tensor:
        """(..., k) action indices (-1 = none) -> (..., k * n_actions) one-hot, zeros for none."""
        oh = F.one_hot(hist.clamp(min=0), self.n_actions).to(torch.float32)
        oh = oh * (hist >= 0).unsqueeze(-1)
        return oh.flatten(-2)

    def _u_views(self, obs: torch.Tensor, hot: torch.Tensor | None) -> tuple[torch.Tensor | None, torch.Tensor]:
        """The latched input as planes (conv layers; None for an MLP) and as a flat vector (fc layers)."""
        lead = obs.shape[: obs.dim() - len(self.obs_shape)]
        flat = obs.reshape(*lead, -1)
        if hot is not None:
            flat = torch.cat([flat, hot], dim=-1)
        planes = None
        if self._spatial is not None:
            planes = obs
            if hot is not None:
                planes = torch.cat([obs, hot[..., None, None].expand(*hot.shape, *self._spatial)], dim=-3)
        return planes, flat

    # ----------------------------------------------------------------------------------------------- one tick
    def _gather(self, spec: _Layer, regs: dict[int, torch.Tensor], planes, flat) -> torch.Tensor:
        if spec.kind == "conv":
            parts = [planes if s == "u" else regs[s] for s in spec.sources]
            return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        parts = [flat if s == "u" else regs[s].flatten(1) for s in spec.sources]
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    def _tick_sequential(self, regs, planes, flat) -> dict[int, torch.Tensor]:
        new: dict[int, torch.Tensor] = {}
        src = regs if self.pipeline else new  # unpipelined: a layer reads this tick's output of the layers before
        pad = self.kernel_size // 2
        for k, (spec, mod) in enumerate(zip(self._specs, self.layers), start=1):
            x = self._gather(spec, src, planes, flat)
            y = F.conv2d(x, mod.weight, mod.bias, padding=pad) if spec.kind == "conv" else \
                torch.addmm(mod.bias, x, mod.weight.T)
            new[k] = torch.relu_(y) if spec.relu else y
        return new

    def _version(self) -> tuple:
        params = self.__dict__.get("_param_list")
        if params is None:
            params = self.__dict__["_param_list"] = list(self.parameters())
        return tuple((p.data_ptr(), p._version) for p in params)

    def _fused_blocks(self) -> dict[str, tuple]:
        """The block weights of the fused tick, rebuilt only when a parameter changed."""
        key = self._version()
        if key != self._fused_key:
            with torch.no_grad():
                self._fused = {kind: self._build_block(kind) for kind in ("conv", "fc")
                               if any(s.kind == kind for s in self._specs)}
            self._fused_key = key
        return self._fused

    def _primed_regs(self) -> dict[int, torch.Tensor]:
        """The registers after an all-zero input history (what ``reset`` leaves), rebuilt when a parameter changed."""
        key = self._version()
        if key != self._primed_key:
            with torch.no_grad():
                regs = {k: torch.zeros(1, *self._shapes[k]) for k in range(1, self.n_layers + 1)}
                zero_hot = torch.zeros(1, self._hist_features) if self.history else None
                planes, flat = self._u_views(torch.zeros(1, *self.obs_shape), zero_hot)
                for _ in range(self.n_layers):
                    regs = self._tick_sequential(regs, planes, flat)
            self._primed, self._primed_key = regs, key
        return self._primed

    def _build_block(self, kind: str) -> tuple:
        """One block-structured weight for all layers of ``kind``: rows = their outputs, columns = their sources."""
        ks = [k for k, s in enumerate(self._specs, start=1) if s.kind == kind]
        cols: list[Source] = []
        for k in ks:
            cols += [s for s in self._specs[k - 1].sources if s not in cols]
        width = (lambda s: self._shapes[s][0]) if kind == "conv" else self._flat
        col_off, off = {}, 0
        for s in cols:
            col_off[s], off = off, off + width(s)
        rows = sum(self._specs[k - 1].out for k in ks)
        first = self.layers[ks[0] - 1].weight
        w = first.new_zeros((rows, off, *first.shape[2:]))
        b = first.new_zeros(rows)
        r = 0
        for k in ks:
            spec, mod = self._specs[k - 1], self.layers[k - 1]
            c = 0
            for s in spec.sources:
                n = width(s)
                w[r:r + spec.out, col_off[s]:col_off[s] + n] = mod.weight[:, c:c + n]
                c += n
            b[r:r + spec.out] = mod.bias
            r += spec.out
        relus = [self._specs[k - 1].relu for k in ks]
        n_relu = sum(self._specs[k - 1].out for k in ks if self._specs[k - 1].relu)
        if relus != sorted(relus, reverse=True):  # pragma: no cover - every architecture here puts the head last
            raise AssertionError("fused tick expects the layers with a ReLU before the others")
        bounds = [(k, r0, r0 + self._specs[k - 1].out) for k, r0 in
                  zip(ks, [sum(self._specs[j - 1].out for j in ks[:i]) for i in range(len(ks))])]
        return ks, cols, w, b, n_relu, bounds

    def _tick_parallel(self, regs, planes, flat) -> dict[int, torch.Tensor]:
        new = {}
        for kind, (ks, cols, w, b, n_relu, bounds) in self._fused_blocks().items():
            if kind == "conv":
                x = torch.cat([planes if s == "u" else regs[s] for s in cols], dim=1)
                y = F.conv2d(x, w, b, padding=self.kernel_size // 2)
            else:
                x = torch.cat([flat if s == "u" else regs[s].flatten(1) for s in cols], dim=1)
                y = torch.addmm(b, x, w.T)
            if n_relu:
                y[:, :n_relu].relu_()
            for k, r0, r1 in bounds:
                new[k] = y[:, r0:r1]
        return new

    # ----------------------------------------------------------------------------------------------- public
    def reset(self, mask: torch.Tensor | None = None) -> None:
        """Empty the pipeline: every row (or the rows where ``mask`` is True) forgets its inputs and actions.

        Parameters
        ----------
        mask : torch.Tensor, optional
            ``(batch,)`` booleans: the rows to reset (e.g. the environments whose episode ended). ``None`` resets
            everything and lets the next :meth:`step` choose the batch size.
        """
        st = self._state
        if mask is None or st["regs"] is None:
            st["regs"], st["hist"] = None, None
            return
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise ArgumentTypeError(f"mask must be a bool torch.Tensor, got {getattr(mask, 'dtype', type(mask))}")
        batch = next(iter(st["regs"].values())).shape[0]
        if tuple(mask.shape) != (batch,):
            raise ArgumentError(f"mask must have shape ({batch},) (the pipeline's batch), got {tuple(mask.shape)}")
        primed = self._primed_regs()
        for k, reg in st["regs"].items():
            reg[mask] = primed[k].to(reg.dtype)
        if st["hist"] is not None:
            st["hist"][mask] = -1

    @torch.no_grad()
    def step(self, obs: torch.Tensor, last_action: torch.Tensor | None = None) -> torch.Tensor:
        """Advance one tick: latch ``obs`` (and the action in effect now), update every layer, return the output.

        Parameters
        ----------
        obs : torch.Tensor
            ``(batch, *obs_shape)``: the observation at the start of this tick.
        last_action : torch.Tensor, optional
            ``(batch,)`` integer actions in effect during this tick (the action chosen from the previous call's
            output; -1 for none). Required when ``history > 0``, ignored otherwise.

        Returns
        -------
        torch.Tensor
            ``(batch, out_features)``: the output computed during this tick, which drives the next one. It depends on
            the observation latched ``delay - 1`` calls ago at the earliest (never on a fresher one).
        """
        obs = self._check_obs(obs, "obs", 1)
        batch = obs.shape[0]
        st = self._state
        if st["regs"] is not None and next(iter(st["regs"].values())).shape[0] != batch:
            have = next(iter(st["regs"].values())).shape[0]
            raise ArgumentError(f"obs has batch {batch} but the pipeline holds {have} rows; "
                                f"call reset() to change the batch size")
        if st["regs"] is None:
            st["regs"] = {k: v.expand(batch, *v.shape[1:]).clone() for k, v in self._primed_regs().items()}
            st["hist"] = torch.full((batch, self.history), -1, dtype=torch.long) if self.history else None
        hot = None
        if self.history:
            if last_action is None:
                raise ArgumentError(f"last_action is required when history={self.history} > 0")
            a = self._check_actions(last_action, "last_action", (batch,))
            st["hist"] = torch.cat([a[:, None], st["hist"][:, :-1]], dim=1)
            hot = self._one_hot(st["hist"])
        planes, flat = self._u_views(obs, hot)
        tick = self._tick_parallel if self.parallel and self.pipeline else self._tick_sequential
        st["regs"] = tick(st["regs"], planes, flat)
        return st["regs"][self.n_layers]

    def forward(self, obs_window: torch.Tensor, action_window: torch.Tensor | None = None) -> torch.Tensor:
        """The pipeline unrolled over a window of inputs: what :meth:`step` returns at the window's last tick.

        Differentiable (used for training); equal to the ticking pipeline's output when the weights did not change
        over the window.

        Parameters
        ----------
        obs_window : torch.Tensor
            ``(batch, W, *obs_shape)`` with ``W >= window``, oldest first; zeros before an episode's first tick.
        action_window : torch.Tensor, optional
            ``(batch, W + history - 1)`` integer actions in effect at those ticks, oldest first, -1 before the
            episode's first tick (position ``p`` of the observations pairs with ``action_window[:, p + history - 1]``).
            Required when ``history > 0``.

        Returns
        -------
        torch.Tensor
            ``(batch, out_features)``.
        """
        obs_window = self._check_obs(obs_window, "obs_window", 2)
        batch, W = obs_window.shape[:2]
        n = self.window
        if W < n:
            raise ArgumentError(f"obs_window must hold at least window={n} ticks, got {W}")
        obs_window = obs_window[:, W - n:]
        hot = None
        if self.history:
            if action_window is None:
                raise ArgumentError(f"action_window is required when history={self.history} > 0")
            k = self.history
            a = self._check_actions(action_window, "action_window", (batch, W + k - 1))[:, W - n:]
            # position p's history: a[p + k - 1], a[p + k - 2], ..., a[p] (most recent first)
            idx = torch.arange(n)[:, None] + torch.arange(k - 1, -1, -1)[None, :]
            hot = self._one_hot(a[:, idx])  # (batch, n, k * n_actions)
        planes, flat = self._u_views(obs_window, hot)
        vals: dict[int, torch.Tensor] = {}
        for k, (spec, mod) in enumerate(zip(self._specs, self.layers), start=1):
            npos = len(self._need[k])
            parts = []
            for s, idx in zip(spec.sources, self._source_index[k]):
                if s == "u":
                    src = planes if spec.kind == "conv" else flat
                    parts.append(src[:, idx])
                else:
                    prev = vals[s] if idx is None else vals[s][:, idx]
                    parts.append(prev if spec.kind == "conv" else prev.flatten(2))
            x = parts[0] if len(parts) == 1 else torch.cat(parts, dim=2)
            y = mod(x.reshape(batch * npos, *x.shape[2:]))
            y = F.relu(y) if spec.relu else y
            vals[k] = y.reshape(batch, npos, *y.shape[1:])
        return vals[self.n_layers][:, -1]

    def extra_repr(self) -> str:
        return (f"obs_shape={self.obs_shape}, skip={self.skip!r}, history={self.history}, "
                f"delay={self.delay}, pipeline={self.pipeline}, parallel={self.parallel}")


def _check_common(skip: object, history: object, out_features: object, n_actions: object) -> tuple:
    check_choice(skip, "skip", SKIPS)
    if isinstance(history, bool) or not isinstance(history, numbers.Integral):
        raise ArgumentTypeError(f"history must be an int (number of past actions), got {type(history).__name__}")
    if history < 0:
        raise ArgumentError(f"history must be >= 0, got {history}")
    out = check_positive_int(out_features, "out_features")
    if out > MAX_UNITS:
        raise ArgumentError(f"out_features must be <= {MAX_UNITS}, got {out}")
    na = out if n_actions is None else check_positive_int(n_actions, "n_actions")
    if history and na > 4096:
        raise ArgumentError(f"n_actions must be <= 4096 for a one-hot action history, got {na}")
    if history > 64:
        raise ArgumentError(f"history must be <= 64, got {history}")
    return skip, int(history), out, na


class PipelinedMLP(_Pipeline):
    """A pipelined fully connected network: ``len(hidden) + 1`` layers, one tick each.

    Parameters
    ----------
    in_features : int
        Size of one observation.
    hidden : tuple of int
        Hidden layer widths (``()`` gives a single linear layer, delay 1).
    out_features : int
        Output size (keyword-only).
    skip : {"none", "output", "all"}
        Temporal skip connections (module docstring): delay ``N``, ``min(N, 2)`` and ``1``.
    history : int
        Number of past actions (one-hot) appended to every latched input; 0 for none.
    n_actions : int, optional
        Size of the action one-hot (default ``out_features``).
    parallel : bool
        Compute all layers of a tick in one fused matmul (True) or one layer after the other (False).
    pipeline : bool
        False gives the unpipelined baseline: the whole network runs within one tick (each layer reads this tick's
        output of the layer before it, a standard forward pass), so ``delay = 1`` and ``window = 1``.

    Examples
    --------
    >>> import torch
    >>> from activeq.realtime.pipelined import PipelinedMLP
    >>> net = PipelinedMLP(4, hidden=(8, 8), out_features=2)
    >>> net.delay, PipelinedMLP(4, hidden=(8, 8), out_features=2, skip="all").delay
    (3, 1)
    >>> net.step(torch.zeros(5, 4)).shape
    torch.Size([5, 2])
    """

    def __init__(self, in_features: int, hidden: Sequence[int] = (64, 64), *, out_features: int,
                 skip: str = "none", history: int = 0, n_actions: int | None = None, parallel: bool = True,
                 pipeline: bool = True):
        inf = check_positive_int(in_features, "in_features")
        if inf > MAX_UNITS:
            raise ArgumentError(f"in_features must be <= {MAX_UNITS}, got {inf}")
        hid = _check_sizes(hidden, "hidden", allow_empty=True)
        skip, history, out, na = _check_common(skip, history, out_features, n_actions)
        sizes = hid + (out,)
        n = len(sizes)
        layers = [_Layer("fc", _skip_sources(k, n, skip, True), sizes[k - 1], k < n) for k in range(1, n + 1)]
        super().__init__((inf,), layers, skip, history, na, 1, parallel, pipeline)
        self.in_features = inf
        self.hidden = hid


class PipelinedCNN(_Pipeline):
    """A pipelined convolutional network for image observations: the MinAtar actor, 3 conv + 2 FC by default.

    Convolutions are ``kernel_size`` x ``kernel_size``, stride 1, "same" padding (so every register keeps the
    input's height and width and a skip connection can concatenate the input planes); the action history enters
    convolutions as constant planes and fully connected layers as a one-hot vector.

    Parameters
    ----------
    in_channels, height, width : int
        Observation shape ``(in_channels, height, width)`` (MinAtar: ``(C, 10, 10)``, channels first).
    channels : tuple of int
        Output channels of the convolutions, one per layer (default ``(16, 16, 16)``).
    hidden : tuple of int
        Widths of the fully connected hidden layers after them (default ``(128,)``).
    out_features : int
        Output size (keyword-only).
    skip : {"none", "output", "all"}
        As for :class:`PipelinedMLP`; under ``"all"`` the input planes also feed every convolution and the
        flattened input every fully connected layer; under ``"output"`` every layer feeds the output layer.
    history : int
        Number of past actions in the input (0 for none).
    n_actions : int, optional
        Size of the action one-hot (default ``out_features``).
    kernel_size : int
        Odd convolution kernel size (default 3).
    parallel : bool
        Fused tick (one convolution for all conv layers, one matmul for all fc layers) or per layer.
    pipeline : bool
        False: the whole network within one tick (the unpipelined baseline, delay 1), as for :class:`PipelinedMLP`.
    """

    def __init__(self, in_channels: int, height: int = 10, width: int = 10, *, channels: Sequence[int] = (16, 16, 16),
                 hidden: Sequence[int] = (128,), out_features: int, skip: str = "none", history: int = 0,
                 n_actions: int | None = None, kernel_size: int = 3, parallel: bool = True, pipeline: bool = True):
        cin = check_positive_int(in_channels, "in_channels")
        h = check_positive_int(height, "height")
        w = check_positive_int(width, "width")
        if cin > 4096 or h * w > 1 << 16:
            raise ArgumentError(f"observation shape ({cin}, {h}, {w}) is too large (in_channels <= 4096, "
                                f"height * width <= 65536)")
        chans = _check_sizes(channels, "channels", allow_empty=False)
        hid = _check_sizes(hidden, "hidden", allow_empty=True)
        ks = check_positive_int(kernel_size, "kernel_size")
        if ks % 2 == 0:
            raise ArgumentError(f"kernel_size must be odd (same padding), got {ks}")
        skip, history, out, na = _check_common(skip, history, out_features, n_actions)
        n = len(chans) + len(hid) + 1
        layers = [_Layer("conv", _skip_sources(k, n, skip, True), c, True) for k, c in enumerate(chans, start=1)]
        for k, size in enumerate(hid + (out,), start=len(chans) + 1):
            layers.append(_Layer("fc", _skip_sources(k, n, skip, True), size, k < n))
        super().__init__((cin, h, w), layers, skip, history, na, ks, parallel, pipeline)
        self.channels = chans
        self.hidden = hid
