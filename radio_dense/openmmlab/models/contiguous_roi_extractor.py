"""mmdet-only pieces for RADIO detectors (imported by the detection configs' ``custom_imports``).

``ContiguousRoIExtractor``: mmcv's compiled RoIAlign (CPU and CUDA kernels) indexes the raw
memory of its input as contiguous NCHW and ignores strides. Feature maps that went through a
permute are NCHW-shaped but channels-last in memory, and RoIAlign silently returns features from
the wrong channels and positions: RoI heads then cannot learn. LN2d and RADIOBackbone return
contiguous maps; this extractor guards any other neck (free when a map already is contiguous).
"""
from typing import Optional, Tuple

import torch
from mmdet.models.roi_heads.roi_extractors import SingleRoIExtractor
from mmdet.registry import MODELS


@MODELS.register_module()
class ContiguousRoIExtractor(SingleRoIExtractor):
    """:class:`mmdet.models.SingleRoIExtractor` that passes contiguous NCHW maps to RoIAlign."""

    def forward(self, feats: Tuple[torch.Tensor, ...], rois: torch.Tensor,
                roi_scale_factor: Optional[float] = None) -> torch.Tensor:
        return super().forward(tuple(f.contiguous() for f in feats), rois, roi_scale_factor)
