"""RADIO + neck: the image encoder of :class:`~radio_dense.sam.RadioSam`."""
import torch
from torch import nn

from ...radio import RADIOModel


class RadioSamImageEncoder(nn.Module):
    """RADIO (input conditioner detached) followed by a neck giving SAM's ``(B, 256, h, w)`` embedding.

    Takes the normalised, padded canvas ``(B, 3, H, W)`` (see ``RadioSam.preprocess``), as
    segment-anything's ``ImageEncoderViT`` does. ``H`` and ``W`` can be any multiple of the patch
    size; the embedding grid is ``(H / patch, W / patch)`` (times the adaptor's upsampling, if any).

    Args:
        radio: the RADIO model; its input conditioner must already be external
            (``radio.make_preprocessor_external()``; ``build_radio_sam`` does it).
        neck: ``AdaptorNeck`` or ``ConvNeck`` (any module taking RADIO's NCHW output).
        img_size: default long side (segment-anything's ``image_encoder.img_size``).
        freeze_radio: keep RADIO fixed: no gradients, always in eval mode (the neck still trains).
    """

    def __init__(self, radio: RADIOModel, neck: nn.Module, img_size: int = 1024, freeze_radio: bool = True):
        super().__init__()
        if not isinstance(radio.input_conditioner, nn.Identity):
            raise ValueError('RadioSamImageEncoder expects normalised inputs: call '
                             'radio.make_preprocessor_external() first and normalise in RadioSam.preprocess '
                             '(build_radio_sam does both).')
        self.radio = radio
        self.neck = neck
        self.img_size = img_size
        self.freeze_radio = freeze_radio
        if freeze_radio:
            self.radio.requires_grad_(False)
            self.radio.eval()

    @property
    def patch_size(self) -> int:
        return self.radio.patch_size

    def train(self, mode: bool = True) -> 'RadioSamImageEncoder':
        super().train(mode)
        if self.freeze_radio:
            self.radio.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised canvas ``(B, 3, H, W)`` -> embedding ``(B, C, h, w)``."""
        if self.freeze_radio:
            with torch.no_grad():
                radio_output = self.radio(x, feature_fmt='NCHW')
        else:
            radio_output = self.radio(x, feature_fmt='NCHW')
        return self.neck(radio_output)
