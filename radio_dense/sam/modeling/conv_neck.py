"""The ``conv`` neck: a trainable SAM-style projection of RADIO backbone features."""
from typing import Dict, Union

import torch
from torch import nn
from segment_anything.modeling.common import LayerNorm2d

from ...radio import RadioOutput
from .prompt_decoder import SAM_EMBED_DIM


class ConvNeck(nn.Module):
    """1x1 conv -> LayerNorm2d -> 3x3 conv -> LayerNorm2d, as the neck of SAM's ViT image encoder.

    Maps RADIO features (``in_channels``, e.g. 768 for ViT-B) to SAM's 256-channel embedding at the
    same stride. Use it for RADIO variants without a ``sam`` adaptor or to fine-tune.

    Args:
        in_channels: channels of the chosen RADIO output.
        out_channels: embedding channels (256 for SAM's decoder).
        source: which RADIO output to read: ``'backbone'`` (default) or an adaptor name.
    """

    def __init__(self, in_channels: int, out_channels: int = SAM_EMBED_DIM, source: str = 'backbone'):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.source = source
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            LayerNorm2d(out_channels),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(out_channels),
        )

    def forward(self, radio_output: Union[RadioOutput, Dict[str, RadioOutput]]) -> torch.Tensor:
        """``radio_output``: what ``RADIOModel(x, feature_fmt='NCHW')`` returns -> ``(B, out_channels, h, w)``."""
        if isinstance(radio_output, dict):
            if self.source not in radio_output:
                raise ValueError(f'ConvNeck reads RADIO output {self.source!r}, but the encoder returns '
                                 f'{sorted(radio_output)}; set source= to one of them.')
            radio_output = radio_output[self.source]
        elif self.source != 'backbone':
            raise ValueError(f'ConvNeck reads adaptor {self.source!r}; load RADIO with '
                             f'adaptor_names=[{self.source!r}] or use source="backbone".')
        features = radio_output.features
        if features.ndim != 4 or features.shape[1] != self.in_channels:
            raise ValueError(f'ConvNeck(in_channels={self.in_channels}) got features of shape '
                             f'{tuple(features.shape)}; set in_channels to the encoder width.')
        return self.layers(features)
