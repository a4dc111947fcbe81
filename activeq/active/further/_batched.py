"""Batched building blocks: MLPs whose parameters carry a leading *seed* dimension.

Every independent seed owns its own weights; a forward pass for all seeds is one ``torch.baddbmm`` per layer
(``x @ W + b`` with ``x: (B, N, in)``, ``W: (B, in, out)``), so B seeds cost about as many Python-level torch
calls as one. Adam is elementwise, hence a single optimizer over the batched tensors updates every seed exactly as
a per-seed Adam would. Gradient-norm clipping is done per seed (the norm is taken over each seed's slice).
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import torch


class BatchedMLP(torch.nn.Module):
    """``copies`` independent ReLU MLPs ``in -> hidden -> hidden -> out`` evaluated with batched matmuls.

    All weights live in one 1-D leaf Parameter ``self.flat`` whose ``.grad`` is preallocated, laid out layer by layer
    and, inside a layer, copy by copy: ``[W_1 of every copy, b_1 of every copy, W_2 ..., b_3 ...]``. Each per-layer
    weight ``(copies, in, out)`` and bias ``(copies, 1, out)`` is then a *contiguous* view into ``flat`` and its
    gradient the matching contiguous view into ``flat.grad``, so autograd accumulates into them in place (the layout
    contract holds; no copies, no warning) and the optimizer, zeroing and Polyak averaging each touch one tensor per
    network instead of one per layer. :attr:`grad_blocks` gives the per-copy gradient of each layer as ``(copies, n)``
    views for per-seed clipping.
    Weights use Xavier-normal initialisation and zero biases (as in the original FURTHER networks).
    ``forward(x)`` takes ``x`` of shape ``(copies, N, in)`` and returns ``(copies, N, out)``.
    """

    def __init__(self, copies: int, sizes: Sequence[int], generator: torch.Generator | None = None,
                 init: bool = True):
        super().__init__()
        self.copies = c = int(copies)
        self.sizes = tuple(int(s) for s in sizes)
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        total = c * sum(i * o + o for i, o in pairs)
        flat = torch.zeros(total)
        grad = torch.zeros(total)
        self.flat = torch.nn.Parameter(flat)
        self.flat.grad = grad
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        self.grad_blocks: list[torch.Tensor] = []
        off = 0
        for fan_in, fan_out in pairs:
            std = math.sqrt(2.0 / (fan_in + fan_out))
            n = fan_in * fan_out
            if init:
                with torch.no_grad():
                    flat[off:off + c * n].view(c, n).copy_(torch.randn(c, n, generator=generator) * std)
            w = torch.nn.Parameter(flat[off:off + c * n].view(c, fan_in, fan_out))
            w.grad = grad[off:off + c * n].view(c, fan_in, fan_out)
            self.grad_blocks.append(grad[off:off + c * n].view(c, n))
            off += c * n
            b = torch.nn.Parameter(flat[off:off + c * fan_out].view(c, 1, fan_out))
            b.grad = grad[off:off + c * fan_out].view(c, 1, fan_out)
            self.grad_blocks.append(grad[off:off + c * fan_out].view(c, fan_out))
            off += c * fan_out
            self.weights.append(w)
            self.biases.append(b)
        self._layers = [(w, b) for w, b in zip(self.weights, self.biases)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self._layers) - 1
        for k, (w, b) in enumerate(self._layers):
            x = torch.baddbmm(b, x, w)
            if k < last:
                x = torch.relu(x)
        return x


def per_seed_clip_(groups: Iterable[tuple[Sequence[torch.Tensor], int]], max_norm: float, seeds: int) -> None:
    """Scale each seed's gradient so its L2 norm over a group of gradient blocks is at most ``max_norm``.

    ``groups`` holds ``(blocks, copies_per_seed)``: gradient views of shape ``(copies * seeds, n)`` (see
    :attr:`BatchedMLP.grad_blocks`) with the copies of one seed ``seeds`` apart (twin critics stack critic 1's seeds,
    then critic 2's), clipped jointly as the original clips each optimizer group.
    """
    if not math.isfinite(max_norm):
        return
    for blocks, copies in groups:
        grads = [g.view(copies, seeds, -1) for g in blocks]
        sq = grads[0].square().sum(dim=(0, 2))
        for g in grads[1:]:
            sq = sq + g.square().sum(dim=(0, 2))
        scale = (max_norm / (sq.sqrt() + 1e-6)).clamp_(max=1.0).view(1, seeds, 1)
        for g in grads:
            g.mul_(scale)


def polyak_(target: "BatchedMLP", source: "BatchedMLP", polyak: float) -> None:
    """target <- polyak * target + (1 - polyak) * source, in place (no autograd)."""
    with torch.no_grad():
        target.flat.lerp_(source.flat, 1.0 - polyak)


def make_adam(groups: list[dict]) -> torch.optim.Optimizer:
    """Adam over batched parameters (fused kernel when this torch build supports it on CPU)."""
    try:
        return torch.optim.Adam(groups, fused=True)
    except (RuntimeError, TypeError):  # pragma: no cover - older builds
        return torch.optim.Adam(groups, foreach=True)
