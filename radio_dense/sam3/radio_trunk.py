"""RADIO as the vision trunk of SAM3: the checkpoint's ``sam3`` adaptor speaks SAM3's ViT features.

C-RADIOv4 was distilled with SAM3's vision encoder as a teacher; its ``sam3`` adaptor maps RADIO
tokens into the output space of SAM3's ViT trunk (1024 channels, one token per 14 px patch of a
1008 px input). SAM3's neck, text encoder, fusion transformer and heads then run unchanged on
RADIO's 16 px grid: at 1152 px the grids match (72 x 72), and any other multiple of 16, square or
not, and ViTDet attention work too. The wiring follows the anchor demo
(github.com/mranzinger/sam3-radio, ``demo_sam3_radio.py``).
"""
from typing import List, Optional

import torch
from torch import nn

from ..radio import RADIOModel
from ..radio.precision import autocast

DEFAULT_ADAPTOR = 'sam3'


def _output_width(head: nn.Module) -> int:
    """Output channels of an adaptor feature head (MLP v1 / v2, or the attention head's MLP)."""
    head = getattr(head, 'mlp', head)  # AttnHead wraps an MLP v2
    last = head.fc2 if hasattr(head, 'fc2') else head.final[-1]
    return int(last.out_features)


class RadioSam3Trunk(nn.Module):
    """Replaces ``Sam3DualViTDetNeck.trunk``: SAM3-normalised image -> ``[(B, C, h, w)]`` adaptor features.

    Args:
        radio: a RADIO model with ``adaptor_name`` attached and its own input conditioner (it
            takes images in ``[0, 1]``; SAM3 hands ``[-1, 1]``, converted here).
        adaptor_name: the adaptor whose features feed SAM3 (``'sam3'``).
        autocast_dtype: run RADIO under autocast (CUDA or CPU) with this dtype (e.g. ``torch.bfloat16``,
            as the anchor demo does); ``None``: the model's own precision.
        default_resolution: the input side predictors use unless told otherwise (1152: SAM3's
            72 x 72 token grid at 16 px per token).
    """

    def __init__(self, radio: RADIOModel, adaptor_name: str = DEFAULT_ADAPTOR,
                 autocast_dtype: Optional[torch.dtype] = None, default_resolution: int = 1152):
        super().__init__()
        if adaptor_name not in radio.adaptors:
            raise ValueError(f'The RADIO model has no {adaptor_name!r} adaptor (it has {sorted(radio.adaptors)}). '
                             f'Load a SAM3-distilled RADIO (C-RADIOv4) with adaptor_names=[{adaptor_name!r}].')
        if isinstance(radio.input_conditioner, nn.Identity):
            raise ValueError('RadioSam3Trunk feeds RADIO images in [0, 1]; keep its input conditioner attached '
                             '(do not call make_preprocessor_external()).')
        self.radio = radio
        self.adaptor_name = adaptor_name
        self.autocast_dtype = autocast_dtype
        self.default_resolution = int(default_resolution)
        feat_head = radio.adaptors[adaptor_name].feat_mlp
        self.upsample = int(getattr(feat_head, 'upsample_factor', 1))
        #: SAM3's neck reads the trunk width from here (as from SAM3's ViT).
        self.channel_list = [_output_width(feat_head) // (self.upsample ** 2)]

    @property
    def patch_size(self) -> int:
        """Input pixels per feature cell (RADIO's patch size over the adaptor's upsampling, if any)."""
        return self.radio.patch_size // self.upsample

    @property
    def min_resolution_step(self) -> int:
        """Input sides must be a multiple of this (RADIO's patch size)."""
        return self.radio.min_resolution_step

    def forward(self, images: torch.Tensor) -> List[torch.Tensor]:
        """``(B, 3, H, W)`` in SAM3's normalisation (mean 0.5, std 0.5) -> ``[(B, C, H/16, W/16)]``."""
        unit = (images + 1) / 2
        with autocast(unit.device, self.autocast_dtype):
            output = self.radio(unit, feature_fmt='NCHW')
        return [output[self.adaptor_name].features.float()]
