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

    Weights use Xavier-normal initialisation and zero biases (as in the original FURTHER networks).
    ``forward(x)`` takes ``x`` of shape ``(copies, N, in)`` and returns ``(copies, N, out)``.
    """

    def __init__(self, copies: int, sizes: Sequence[int], generator: torch.Generator | None = None):
        super().__init__()
        self.copies = int(copies)
        self.sizes = tuple(int(s) for s in sizes)
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            std = math.sqrt(2.0 / (fan_in + fan_out))
            w = torch.randn(self.copies, fan_in, fan_out, generator=generator) * std
            self.weights.append(torch.nn.Parameter(w))
            self.biases.append(torch.nn.Parameter(torch.zeros(self.copies, 1, fan_out)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w)
            if k < last:
                x = torch.relu(x)
        return x


def per_seed_clip_(groups: Iterable[tuple[Sequence[torch.Tensor], int]], max_norm: float, seeds: int) -> None:
    """Scale each seed's gradient so its L2 norm over a group of parameters is at most ``max_norm``.

    ``groups`` holds ``(params, copies_per_seed)``: parameters whose leading dimension is ``copies * seeds`` with
    the copies of one seed ``seeds`` apart (twin critics stack critic 1's seeds, then critic 2's), clipped jointly.
    """
    if not math.isfinite(max_norm):
        return
    for params, copies in groups:
        grads = [p.grad.view(copies, seeds, -1) for p in params if p.grad is not None]
        if not grads:
            continue
        sq = torch.stack([g.square().sum(dim=(0, 2)) for g in grads]).sum(0)  # (seeds,)
        scale = (max_norm / (sq.sqrt() + 1e-6)).clamp(max=1.0).view(1, seeds, 1)
        for g in grads:
            g.mul_(scale)


def polyak_(target: torch.nn.Module, source: torch.nn.Module, polyak: float) -> None:
    """target <- polyak * target + (1 - polyak) * source, in place (no autograd)."""
    with torch.no_grad():
        t = list(target.parameters())
        s = list(source.parameters())
        torch._foreach_lerp_(t, s, 1.0 - polyak)


def make_adam(groups: list[dict]) -> torch.optim.Optimizer:
    """Adam over batched parameters (fused kernel when this torch build supports it on CPU)."""
    try:
        return torch.optim.Adam(groups, fused=True)
    except (RuntimeError, TypeError):  # pragma: no cover - older builds
        return torch.optim.Adam(groups, foreach=True)
