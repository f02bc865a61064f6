"""ONNX export of a whole mmseg segmentor (RADIO backbone, neck, decode head): image in, logits out."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ...deploy.backbone import image_dynamic_shapes
from ...deploy.onnx_graph import DEFAULT_OPSET, OnnxCheck, export_onnx, validate_onnx
from ...deploy.pooling import with_exportable_pooling


class SegmentorForExport(nn.Module):
    """An mmseg ``EncoderDecoder`` as one function of the image, for graph export.

    Input ``images`` ``(B, 3, H, W)``: float RGB in 0..255 (what the config's data preprocessor
    sees after its BGR -> RGB conversion); ``H``, ``W`` multiples of the backbone's patch size.
    Output ``logits`` ``(B, num_classes, H, W)``: the decode head's logits resized to the input,
    as mmseg's ``encode_decode`` (whole-image inference) computes them. Auxiliary heads are not
    part of inference and are left out.

    ``exportable_pooling`` runs a copy of the segmentor whose adaptive average pooling (UPerNet's
    pyramid pooling) is computed from the input size inside the graph (see
    :mod:`radio_dense.deploy.pooling`); ``False`` runs the segmentor as it is.
    """

    def __init__(self, segmentor: nn.Module, exportable_pooling: bool = True):
        super().__init__()
        if exportable_pooling:
            segmentor = with_exportable_pooling(segmentor)
        preprocessor = segmentor.data_preprocessor
        if not getattr(preprocessor, '_enable_normalize', True):
            mean, std = torch.zeros(3, 1, 1), torch.ones(3, 1, 1)
        else:
            mean, std = preprocessor.mean.reshape(3, 1, 1), preprocessor.std.reshape(3, 1, 1)
        self.segmentor = segmentor
        self.register_buffer('mean', mean.float().clone(), persistent=False)
        self.register_buffer('std', std.float().clone(), persistent=False)
        self.align_corners = bool(segmentor.decode_head.align_corners)

    @property
    def patch_size(self) -> int:
        return int(self.segmentor.backbone.radio.patch_size)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = (images - self.mean) / self.std
        logits = self.segmentor.decode_head(self.segmentor.extract_feat(x))
        return F.interpolate(logits, size=images.shape[-2:], mode='bilinear', align_corners=self.align_corners)


def load_segmentor(config: str, checkpoint: Optional[str] = None, cfg_options: Optional[dict] = None) -> nn.Module:
    """An mmseg model from a config file and (optionally) a checkpoint, on CPU, in eval mode."""
    from ..config_model import build_model, load_config
    return build_model(load_config(config, cfg_options, scopes=('mmseg',)), checkpoint)


def export_mmseg_onnx(segmentor: nn.Module, path: str, example_size: Tuple[int, int] = (224, 320),
                      max_side: int = 4096, opset: int = DEFAULT_OPSET,
                      validate_sizes: Optional[Sequence[Tuple[int, int]]] = ((192, 192), (160, 256)),
                      atol: float = 1e-4) -> List[OnnxCheck]:
    """Export ``segmentor`` with dynamic batch/height/width; validate with onnxruntime at ``validate_sizes``.

    The validation compares with the segmentor itself (torch's own adaptive pooling).
    """
    wrapper = SegmentorForExport(segmentor).eval()
    patch = wrapper.patch_size
    for size in [example_size, *(validate_sizes or ())]:
        if size[0] % patch or size[1] % patch:
            raise ValueError(f'sizes must be multiples of the patch size {patch}, got {tuple(size)}')
    generator = torch.Generator().manual_seed(0)
    example = torch.rand(2, 3, *example_size, generator=generator) * 255
    export_onnx(wrapper, (example,), path, ['images'], ['logits'], image_dynamic_shapes(patch, max_side), opset)
    if not validate_sizes:
        return []
    inputs = [{'images': torch.rand(1 + i % 2, 3, *size, generator=generator) * 255}
              for i, size in enumerate(validate_sizes)]
    return validate_onnx(path, SegmentorForExport(segmentor, exportable_pooling=False).eval(), inputs, atol)
