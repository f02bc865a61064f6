"""ONNX export of the RADIO backbone: images of any size in, summary and spatial features out."""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import nn

from ..radio import RADIOModel
from .onnx_graph import DEFAULT_OPSET, OnnxCheck, export_onnx, validate_onnx


class RadioForExport(nn.Module):
    """RADIO with a flat tuple output, as a graph needs.

    Input ``images`` ``(B, 3, H, W)`` (in ``[0, 1]``, or normalised if the model's conditioner is
    external); ``H`` and ``W`` multiples of the patch size. Outputs, in order: ``summary``
    ``(B, S)``, ``features`` ``(B, C, h, w)``; then ``<name>_summary`` / ``<name>_features`` per
    adaptor in ``adaptor_names`` (all equal to ``model(images)``'s); then ``block<i>``
    ``(B, C, h, w)`` per index in ``intermediate_indices`` (as ``forward_intermediates`` with its
    default ``norm=False``). One trunk pass computes both.
    """

    def __init__(self, model: RADIOModel, adaptor_names: Sequence[str] = (),
                 intermediate_indices: Sequence[int] = ()):
        super().__init__()
        missing = [n for n in adaptor_names if n not in model.adaptors]
        if missing:
            raise ValueError(f'adaptors {missing} are not in the model (it has {list(model.adaptors)}); '
                             f'load it with adaptor_names={list(adaptor_names)}')
        self.model = model
        self.adaptor_names = list(adaptor_names)
        depth = len(model.blocks)
        self.intermediate_indices = sorted({depth + i if i < 0 else int(i) for i in intermediate_indices})
        bad = [i for i in self.intermediate_indices if not 0 <= i < depth]
        if bad:
            raise ValueError(f'intermediate indices {bad} out of range for a model with {depth} blocks')

    @property
    def output_names(self) -> List[str]:
        names = ['summary', 'features']
        names += [f'{n}_{part}' for n in self.adaptor_names for part in ('summary', 'features')]
        return names + [f'block{i}' for i in self.intermediate_indices]

    def forward(self, images: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.intermediate_indices:
            # final outputs as model(x) (final norm), blocks as forward_intermediates (norm=False)
            final, maps = self.model.forward_intermediates(images, indices=self.intermediate_indices,
                                                           output_fmt='NCHW', final_norm=True)
        else:
            final, maps = self.model(images, feature_fmt='NCHW'), []
        backbone = final['backbone'] if isinstance(final, dict) else final
        outputs = [backbone.summary, backbone.features]
        for name in self.adaptor_names:
            outputs += [final[name].summary, final[name].features]
        return tuple(outputs) + tuple(maps)


def image_dynamic_shapes(patch_size: int, max_side: int, name: str = 'images') -> dict:
    """Dynamic batch, height and width (multiples of the patch) for ``torch.export``.

    The batch dimension is traced at 2 (``torch.export`` treats size 1 as a broadcasting special
    case); the exported graph runs batch 1 as well.
    """
    Dim = torch.export.Dim
    rows = Dim('rows', min=1, max=max(max_side // patch_size, 2))
    cols = Dim('cols', min=1, max=max(max_side // patch_size, 2))
    return {name: {0: Dim('batch', min=2, max=1024), 2: patch_size * rows, 3: patch_size * cols}}


def export_radio_onnx(model: RADIOModel, path: str, example_size: Tuple[int, int] = (224, 320),
                      adaptor_names: Sequence[str] = (), intermediate_indices: Sequence[int] = (),
                      max_side: int = 4096, opset: int = DEFAULT_OPSET,
                      validate_sizes: Optional[Sequence[Tuple[int, int]]] = ((224, 320), (256, 256)),
                      atol: float = 1e-4) -> List[OnnxCheck]:
    """Export ``model`` (global or ViTDet, as configured) with dynamic batch/height/width.

    The graph computes the CPE interpolation and, in ViTDet mode, the window padding and its
    attention mask for whatever size it is given (up to ``max_side`` px). With
    ``validate_sizes`` the file is run with onnxruntime at each ``(H, W)`` and compared with
    PyTorch (raises above ``atol``); returns the checks.
    """
    wrapper = RadioForExport(model, adaptor_names, intermediate_indices).eval()
    patch = model.patch_size
    for size in [example_size, *(validate_sizes or ())]:
        if size[0] % patch or size[1] % patch:
            raise ValueError(f'sizes must be multiples of the patch size {patch}, got {tuple(size)}')
    generator = torch.Generator().manual_seed(0)
    example = torch.rand(2, 3, *example_size, generator=generator)
    export_onnx(wrapper, (example,), path, ['images'], wrapper.output_names,
                image_dynamic_shapes(patch, max_side), opset)
    if not validate_sizes:
        return []
    inputs = [{'images': torch.rand(1 + i % 2, 3, *size, generator=generator)}
              for i, size in enumerate(validate_sizes)]
    return validate_onnx(path, wrapper, inputs, atol)
