"""LayerNorm over the channels of NCHW maps, registered as ``LN2d`` for ``norm_cfg``."""
import torch
from torch import nn

from .registry import register_model


class LayerNorm2d(nn.Module):
    """LayerNorm over ``C`` of a ``(B, C, H, W)`` tensor (ViTDet / SAM style)."""

    def __init__(self, num_channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        x = nn.functional.layer_norm(x, x.shape[-1:], self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


def _register() -> None:
    from mmengine.registry import MODELS
    if MODELS.get('LN2d') is None:
        MODELS.register_module('LN2d', module=LayerNorm2d)
    register_model(LayerNorm2d)


_register()
