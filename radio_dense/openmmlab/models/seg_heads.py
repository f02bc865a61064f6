"""Segmentation heads used by RADIO's protocols."""
from typing import List

import torch
from mmcv.cnn import build_norm_layer
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS


@MODELS.register_module()
class LinearBNHead(BaseDecodeHead):
    """Linear probe head: BatchNorm + 1x1 conv on the (resized, concatenated) backbone features.

    This is the protocol RADIO reports ADE20K/VOC probe results with. ``channels`` must equal the
    (concatenated) input channels.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.in_channels != self.channels:
            raise ValueError(f'LinearBNHead needs channels == (summed) in_channels, got channels={self.channels} '
                             f'and in_channels={self.in_channels}')
        self.bn = build_norm_layer(self.norm_cfg or dict(type='BN'), self.channels)[1]

    def forward(self, inputs: List[torch.Tensor]) -> torch.Tensor:
        x = self._transform_inputs(inputs)
        return self.cls_seg(self.bn(x))
