"""``build_radio_sam3``: SAM3's image model with RADIO (its ``sam3`` adaptor) as the vision trunk."""
from typing import Any, Dict, Optional, Union

import torch
from torch import nn

from ..radio import RADIOModel, radio_from_config
from .builder import build_sam3_image
from .radio_trunk import DEFAULT_ADAPTOR, RadioSam3Trunk
from .sizes import SAM3_IMAGE, Sam3Size


def build_radio_sam3(encoder: Union[RADIOModel, Dict[str, Any]], sam3_checkpoint: Optional[str] = None,
                     size: Sam3Size = SAM3_IMAGE, adaptor_name: str = DEFAULT_ADAPTOR,
                     resolution: Optional[int] = None, bpe_path: Optional[str] = None, device='cpu',
                     seed: Optional[int] = None, autocast_dtype: Optional[torch.dtype] = None) -> nn.Module:
    """SAM3 (text encoder, fusion transformer, decoder, heads) on RADIO features.

    Args:
        encoder: a RADIO model with the ``sam3`` adaptor, or a config dict:
            ``dict(source='c-radio_v4-h' | path, vitdet_window_size=..., ...)`` (``load_radio``
            arguments; the adaptor is added) or ``dict(arch=...)`` (random, needs an adaptor).
        sam3_checkpoint: Meta's ``sam3.pt`` for everything but the trunk; ``None``: random.
        size: SAM3's widths and depths (the released ones unless testing).
        adaptor_name: the RADIO adaptor trained on SAM3's ViT features.
        resolution: the predictors' default input side (default ``size.radio_resolution``, 1152).
        bpe_path / device / seed: see :func:`~.builder.build_sam3_image`.
        autocast_dtype: run RADIO under CUDA autocast (e.g. ``torch.bfloat16``).
    """
    radio = radio_from_config(encoder, extra_adaptors=[adaptor_name])
    trunk = RadioSam3Trunk(radio, adaptor_name, autocast_dtype=autocast_dtype,
                           default_resolution=resolution or size.radio_resolution)
    return build_sam3_image(size, trunk=trunk, bpe_path=bpe_path, checkpoint=sam3_checkpoint, device=device,
                            seed=seed)
