"""Necks for plain-ViT backbones: ViTDet's simple feature pyramid."""
from typing import List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule, build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import nn

from .layer_norm_2d import LayerNorm2d  # noqa: F401  (registers LN2d, the default norm_cfg)


def _resample(channels: int, scale: float, norm_cfg: dict) -> Tuple[nn.Module, int]:
    """Layers taking a stride-s map to stride s/scale; returns them and their output channels."""
    if scale == 4.0:
        return nn.Sequential(
            nn.ConvTranspose2d(channels, channels // 2, 2, stride=2),
            build_norm_layer(norm_cfg, channels // 2)[1], nn.GELU(),
            nn.ConvTranspose2d(channels // 2, channels // 4, 2, stride=2)), channels // 4
    if scale == 2.0:
        return nn.ConvTranspose2d(channels, channels // 2, 2, stride=2), channels // 2
    if scale == 1.0:
        return nn.Identity(), channels
    if scale == 0.5:
        return nn.MaxPool2d(2, 2), channels
    raise ValueError(f'SimpleFPN scale factors must be among 4.0, 2.0, 1.0, 0.5; got {scale}')


@MODELS.register_module()
class SimpleFPN(BaseModule):
    """ViTDet's simple feature pyramid: one stride-16 map -> strides 4/8/16/32 (+ extra pooled levels).

    Args:
        in_channels: channels of the backbone map used.
        out_channels: channels of every output level.
        scale_factors: resampling of each level relative to the input map.
        num_outs: number of outputs; levels beyond ``scale_factors`` are max-pooled (stride 2) from
            the last one (e.g. 5 for an RPN with a stride-64 level).
        in_index: which backbone output to use.
        norm_cfg: normalisation after the convs (default LayerNorm over channels, as ViTDet).
    """

    def __init__(self, in_channels: int, out_channels: int = 256,
                 scale_factors: Sequence[float] = (4.0, 2.0, 1.0, 0.5), num_outs: Optional[int] = None,
                 in_index: int = -1, norm_cfg: Optional[dict] = None, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        norm_cfg = norm_cfg or dict(type='LN2d', requires_grad=True)
        self.in_index = in_index
        self.num_outs = num_outs or len(scale_factors)
        if self.num_outs < len(scale_factors):
            raise ValueError(f'num_outs={num_outs} is smaller than the {len(scale_factors)} scale factors')
        self.levels = nn.ModuleList()
        for scale in scale_factors:
            resample, channels = _resample(in_channels, float(scale), norm_cfg)
            self.levels.append(nn.Sequential(
                resample,
                ConvModule(channels, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None),
                ConvModule(out_channels, out_channels, 3, padding=1, norm_cfg=norm_cfg, act_cfg=None)))

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        x = inputs[self.in_index]
        outs: List[torch.Tensor] = [level(x) for level in self.levels]
        while len(outs) < self.num_outs:
            outs.append(nn.functional.max_pool2d(outs[-1], 1, stride=2))
        return tuple(outs)
