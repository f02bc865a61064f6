"""Adaptive average pooling that an exported graph computes for any input size.

torch's ONNX exporter lowers ``adaptive_avg_pool2d`` to gathers whose indices are fixed at the
traced input size, so a graph exported at one size pools the wrong pixels (or fails) at
another. Here each output bin's average is a product with an averaging matrix built from the
input size inside the graph (same bins as torch: ``[floor(i L / k), ceil((i + 1) L / k))``).
"""
import copy

import torch
from torch import nn


def averaging_matrix(length: int, bins: int, like: torch.Tensor) -> torch.Tensor:
    """``(bins, length)`` matrix whose row ``i`` averages torch's adaptive-pooling bin ``i``."""
    i = torch.arange(bins, device=like.device)
    start = (i * length) // bins
    end = ((i + 1) * length + bins - 1) // bins
    j = torch.arange(length, device=like.device)
    inside = (j[None, :] >= start[:, None]) & (j[None, :] < end[:, None])
    return inside.to(like.dtype) / (end - start)[:, None].to(like.dtype)


class ExportableAdaptiveAvgPool2d(nn.Module):
    """``nn.AdaptiveAvgPool2d`` (integer output sizes) as two matrix products."""

    def __init__(self, output_size):
        super().__init__()
        size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        if any(s is None for s in size):
            raise ValueError(f'output sizes must be integers, got {output_size}')
        self.output_size = size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows = averaging_matrix(x.shape[-2], self.output_size[0], x)
        cols = averaging_matrix(x.shape[-1], self.output_size[1], x)
        return rows @ x @ cols.transpose(0, 1)


def with_exportable_pooling(module: nn.Module) -> nn.Module:
    """A deep copy of ``module`` with every ``nn.AdaptiveAvgPool2d`` replaced (the original is untouched)."""
    module = copy.deepcopy(module)
    for name, child in list(module.named_modules()):
        for attr, sub in list(child.named_children()):
            if isinstance(sub, nn.AdaptiveAvgPool2d):
                setattr(child, attr, ExportableAdaptiveAvgPool2d(sub.output_size))
    return module
