"""LayerNorm over the channels of NCHW maps, registered as ``LN2d`` for ``norm_cfg``."""
import torch
from mmengine.registry import MODELS
from torch import nn


@MODELS.register_module('LN2d')
class LayerNorm2d(nn.Module):
    """LayerNorm over ``C`` of a ``(B, C, H, W)`` tensor (ViTDet / SAM style).

    Normalises along dim 1 directly, so the output is a contiguous NCHW tensor: mmcv's compiled
    ops (RoIAlign) read raw NCHW memory and silently misread permuted, channels-last views.
    """

    def __init__(self, num_channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) * torch.rsqrt(var + self.eps)
        return x * self.weight[:, None, None] + self.bias[:, None, None]
