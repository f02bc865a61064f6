"""Probe3D-style dense regression heads for mmseg's ``DepthEstimator``: depth and surface normals.

Two heads, one output contract (``target='depth'`` or ``'normal'``):

- :class:`MultiLayerLinearHead` (Probe3D's multi-layer linear probe): the maps of several backbone
  blocks, resized to the first one and concatenated, BatchNorm, one 1x1 conv.
- :class:`DPTRegressionHead` (DPT-style; mmseg's own ``DPTHead`` is a segmentation head): each block's map is projected and resampled to strides 4/8/16/32 of the
  patch grid, fused top-down with residual conv units, then upsampled.

Depth is predicted as a softmax over ``num_bins`` uniform bins between ``min_depth`` and ``max_depth``
whose expectation is the depth (AdaBins-style uniform bins as in Probe3D; ``num_bins=0``: a sigmoid
scaled to ``max_depth``). Normals are 3 channels normalised to unit length. The ground truth is the data
sample's ``gt_depth_map`` (``(1, H, W)`` depth in metres, or ``(3, H, W)`` unit normals, zero = invalid),
so mmseg's ``DepthEstimator``, its test-time resize / flip and ``tools/test.py`` work unchanged.
"""
from typing import List, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS
from mmseg.utils import SampleList

TARGET_CHANNELS = {'depth': 1, 'normal': 3}


class DenseRegressionHead(BaseDecodeHead):
    """Base: the output transform (bins -> depth, unit normals) and the loss against ``gt_depth_map``."""

    def __init__(self, target: str = 'depth', num_bins: int = 256, min_depth: float = 1e-3,
                 max_depth: float = 10.0, **kwargs):
        if target not in TARGET_CHANNELS:
            raise ValueError(f"target must be one of {sorted(TARGET_CHANNELS)}, got {target!r}")
        if target == 'depth' and not 0 <= min_depth < max_depth:
            raise ValueError(f'Need 0 <= min_depth < max_depth, got {min_depth}, {max_depth}')
        raw = num_bins if target == 'depth' and num_bins else TARGET_CHANNELS[target]
        kwargs.setdefault('loss_decode', dict(type='SiLogLoss') if target == 'depth'
                          else dict(type='AngularLoss'))
        super().__init__(num_classes=raw, out_channels=raw, **kwargs)
        self.target, self.num_bins, self.min_depth, self.max_depth = target, num_bins, min_depth, max_depth
        if target == 'depth' and num_bins:
            self.register_buffer('bin_centres', torch.linspace(min_depth, max_depth, num_bins).view(1, -1, 1, 1),
                                 persistent=False)

    def to_prediction(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw head output -> depth ``(N, 1, h, w)`` in metres or unit normals ``(N, 3, h, w)``."""
        if self.target == 'normal':
            return F.normalize(raw, dim=1, eps=1e-6)
        if self.num_bins:
            return (raw.softmax(dim=1) * self.bin_centres).sum(dim=1, keepdim=True)
        return torch.sigmoid(raw) * self.max_depth

    def _stack_batch_gt(self, batch_data_samples: SampleList) -> torch.Tensor:
        return torch.stack([s.gt_depth_map.data for s in batch_data_samples], dim=0)

    def loss_by_feat(self, pred: torch.Tensor, batch_data_samples: SampleList) -> dict:
        gt = self._stack_batch_gt(batch_data_samples).to(pred)
        if gt.shape[1] != pred.shape[1]:
            raise ValueError(f'{self.target} head predicts {pred.shape[1]} channel(s) but the ground truth has '
                             f'{gt.shape[1]}: a {self.target} config needs the matching annotation loader')
        pred = F.interpolate(pred, size=gt.shape[2:], mode='bilinear', align_corners=self.align_corners)
        if self.target == 'normal':
            pred = F.normalize(pred, dim=1, eps=1e-6)
        losses = {}
        for loss in (self.loss_decode if isinstance(self.loss_decode, nn.ModuleList) else [self.loss_decode]):
            losses[loss.loss_name] = losses.get(loss.loss_name, 0) + loss(pred, gt)
        return losses


@MODELS.register_module()
class MultiLayerLinearHead(DenseRegressionHead):
    """Probe3D's multi-layer linear probe: concatenated block maps -> BatchNorm -> 1x1 conv.

    ``in_channels`` / ``in_index`` list the blocks (``input_transform='resize_concat'`` is implied for
    several); ``channels`` must equal the summed ``in_channels`` (there is no hidden layer).
    """

    def __init__(self, **kwargs):
        if isinstance(kwargs.get('in_channels'), (list, tuple)):
            kwargs.setdefault('input_transform', 'resize_concat')
        super().__init__(**kwargs)
        if self.in_channels != self.channels:
            raise ValueError(f'MultiLayerLinearHead needs channels == summed in_channels ({self.in_channels}), '
                             f'got channels={self.channels}')
        self.bn = build_norm_layer(self.norm_cfg or dict(type='BN'), self.channels)[1]

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        return self.to_prediction(self.cls_seg(self.bn(self._transform_inputs(inputs))))


class _ResidualConvUnit(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class _FusionBlock(nn.Module):
    """Adds the coarser path (upsampled to this level) to this level's map, refines, projects."""

    def __init__(self, channels: int):
        super().__init__()
        self.skip = _ResidualConvUnit(channels)
        self.refine = _ResidualConvUnit(channels)
        self.project = nn.Conv2d(channels, channels, 1)

    def forward(self, x, coarser=None):
        if coarser is not None:
            x = self.skip(x) + F.interpolate(coarser, size=x.shape[2:], mode='bilinear', align_corners=False)
        return self.project(self.refine(x))


def _resample(channels: int, factor: float) -> nn.Module:
    """Resample a stride-1 patch map by ``factor`` (4, 2: transposed conv; 1: identity; 0.5: strided conv)."""
    if factor >= 2:
        k = int(factor)
        return nn.ConvTranspose2d(channels, channels, k, stride=k)
    if factor == 1:
        return nn.Identity()
    return nn.Conv2d(channels, channels, 3, stride=int(round(1 / factor)), padding=1)


@MODELS.register_module()
class DPTRegressionHead(DenseRegressionHead):
    """DPT-style head on several same-resolution ViT block maps (reassemble, fuse, upsample).

    Args:
        in_channels: channels of each selected block (a list, one per ``in_index``).
        channels: width of the fusion path.
        scales: resampling factor of each block's map before fusion (DPT: 4, 2, 1, 0.5).
    """

    def __init__(self, scales: Sequence[float] = (4, 2, 1, 0.5), **kwargs):
        kwargs.setdefault('input_transform', 'multiple_select')
        super().__init__(**kwargs)
        in_channels = self.in_channels if isinstance(self.in_channels, (list, tuple)) else [self.in_channels]
        if len(scales) != len(in_channels):
            raise ValueError(f'DPTRegressionHead needs one scale per input, got scales={list(scales)} for '
                             f'{len(in_channels)} inputs')
        self.reassemble = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c, self.channels, 1), _resample(self.channels, s))
            for c, s in zip(in_channels, scales))
        self.fusion = nn.ModuleList(_FusionBlock(self.channels) for _ in in_channels)
        self.neck = ConvModule(self.channels, self.channels, 3, padding=1, norm_cfg=self.norm_cfg,
                               act_cfg=self.act_cfg)

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        maps: List[torch.Tensor] = [r(x) for r, x in zip(self.reassemble, self._transform_inputs(inputs))]
        path = None
        for level in reversed(range(len(maps))):
            path = self.fusion[level](maps[level], path)
        path = F.interpolate(path, scale_factor=2, mode='bilinear', align_corners=False)
        return self.to_prediction(self.cls_seg(self.neck(path)))
