"""The ``adaptor`` neck: a RADIO teacher adaptor's features used as SAM's image embedding."""
from typing import Dict, Union

import torch
from torch import nn

from ...radio import RadioOutput
from .prompt_decoder import SAM_EMBED_DIM


class AdaptorNeck(nn.Module):
    """Take the spatial features of the RADIO adaptor ``adaptor_name`` (``'sam'`` by default).

    RADIOv2.5 distils SAM ViT-H's image encoder into its ``sam`` adaptor: 256 channels at stride
    16, which SAM's own prompt encoder and mask decoder read directly. The neck has no parameters.
    """

    def __init__(self, adaptor_name: str = 'sam', out_channels: int = SAM_EMBED_DIM):
        super().__init__()
        self.adaptor_name = adaptor_name
        self.out_channels = out_channels

    def forward(self, radio_output: Union[RadioOutput, Dict[str, RadioOutput]]) -> torch.Tensor:
        """``radio_output``: what ``RADIOModel(x, feature_fmt='NCHW')`` returns -> ``(B, C, h, w)``."""
        if not isinstance(radio_output, dict) or self.adaptor_name not in radio_output:
            have = sorted(radio_output) if isinstance(radio_output, dict) else ['backbone']
            raise ValueError(
                f"The 'adaptor' neck needs the RADIO adaptor {self.adaptor_name!r}, but the encoder "
                f"returns {have}. Load RADIO with adaptor_names=[{self.adaptor_name!r}] or use the "
                f"trainable 'conv' neck.")
        features = radio_output[self.adaptor_name].features
        if features.ndim != 4 or features.shape[1] != self.out_channels:
            raise ValueError(
                f'Adaptor {self.adaptor_name!r} gives features of shape {tuple(features.shape)}; SAM\'s '
                f'decoder needs (B, {self.out_channels}, h, w). Use the adaptor of a SAM teacher or the '
                f"'conv' neck.")
        return features

    def extra_repr(self) -> str:
        return f'adaptor_name={self.adaptor_name!r}, out_channels={self.out_channels}'
