"""ONNX export of segment-anything's prompt encoder + mask decoder on RADIO embeddings.

Like segment-anything's own ``scripts/export_onnx_model.py``, the graph takes one image
embedding and one prompt (a variable number of points, a box as two corner points, an optional
low-res mask) and returns the low-res mask logits and their predicted IoU, but for any embedding
grid and canvas (RADIO's geometry), not only 64 x 64 / 1024 x 1024.
"""
from typing import List, Optional, Sequence, Tuple

import torch
from torch import nn
from torch.nn import functional as F
from segment_anything.modeling import MaskDecoder, PromptEncoder

from ..sam.modeling.prompt_decoder import prompt_encoder_at
from .onnx_graph import DEFAULT_OPSET, OnnxCheck, export_onnx, export_onnx_traced, validate_onnx

INPUT_NAMES = ('image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input')
OUTPUT_NAMES = ('low_res_masks', 'iou_predictions')
#: segment-anything's ``scripts/export_onnx_model.py`` graph: the names its web demo feeds and reads.
SAM_INTERFACE_INPUTS = INPUT_NAMES + ('orig_im_size',)
SAM_INTERFACE_OUTPUTS = ('masks', 'iou_predictions', 'low_res_masks')


class SamPromptDecoderForExport(nn.Module):
    """Prompt encoder + mask decoder for one embedding grid, written without data-dependent indexing.

    Inputs:
        image_embeddings: ``(1, 256, h, w)`` at the grid given here.
        point_coords: ``(1, N, 2)`` canvas pixels ``(x, y)``; a box is two points (corners).
        point_labels: ``(1, N)``: 1 foreground, 0 background, 2 / 3 box top-left / bottom-right,
            -1 padding. Without a box, append one padding point ``(0, 0)`` with label -1 (as
            segment-anything's predictor does), to get the same masks as in PyTorch.
        mask_input: ``(1, 1, 4h, 4w)`` low-res logits of an earlier prediction (zeros if none).
        has_mask_input: ``(1,)``: 1 to use ``mask_input``, 0 to ignore it.

    Outputs: ``low_res_masks`` ``(1, M, 4h, 4w)`` logits and ``iou_predictions`` ``(1, M)``, with
    M = 3 (``multimask_output``) or 1.
    """

    def __init__(self, prompt_encoder: PromptEncoder, mask_decoder: MaskDecoder, grid: Tuple[int, int],
                 canvas_size: Tuple[int, int], multimask_output: bool = True):
        super().__init__()
        self.prompt_encoder = prompt_encoder_at(prompt_encoder, grid, canvas_size)
        self.mask_decoder = mask_decoder
        self.grid = (int(grid[0]), int(grid[1]))
        self.canvas_size = (int(canvas_size[0]), int(canvas_size[1]))
        self.multimask_output = multimask_output
        with torch.no_grad():
            self.register_buffer('dense_pe', self.prompt_encoder.get_dense_pe().clone(), persistent=False)

    def embed_points(self, point_coords: torch.Tensor, point_labels: torch.Tensor) -> torch.Tensor:
        """Sparse prompt embeddings ``(1, N, 256)``: positional encoding plus the label's embedding."""
        encoder = self.prompt_encoder
        embedding = encoder.pe_layer.forward_with_coords(point_coords + 0.5, self.canvas_size)
        labels = point_labels[..., None].to(embedding.dtype)
        embedding = embedding * (labels != -1) + encoder.not_a_point_embed.weight * (labels == -1)
        for label, table in enumerate(encoder.point_embeddings):
            embedding = embedding + table.weight * (labels == label)
        return embedding

    def embed_mask(self, mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> torch.Tensor:
        """Dense prompt embedding: the downscaled mask, or the learned no-mask embedding."""
        encoder = self.prompt_encoder
        has_mask = has_mask_input.reshape(-1, 1, 1, 1).to(mask_input.dtype)
        no_mask = encoder.no_mask_embed.weight.reshape(1, -1, 1, 1)
        return has_mask * encoder.mask_downscaling(mask_input) + (1 - has_mask) * no_mask

    def decode_all(self, image_embeddings: torch.Tensor, point_coords: torch.Tensor, point_labels: torch.Tensor,
                   mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Low-res logits ``(1, 4, 4h, 4w)`` and IoU ``(1, 4)`` of all mask tokens (single-mask token first)."""
        sparse = self.embed_points(point_coords, point_labels)
        dense = self.embed_mask(mask_input, has_mask_input)
        return self.mask_decoder.predict_masks(image_embeddings, self.dense_pe, sparse, dense)

    def forward(self, image_embeddings: torch.Tensor, point_coords: torch.Tensor, point_labels: torch.Tensor,
                mask_input: torch.Tensor, has_mask_input: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        masks, iou = self.decode_all(image_embeddings, point_coords, point_labels, mask_input, has_mask_input)
        picked = slice(1, None) if self.multimask_output else slice(0, 1)
        return masks[:, picked], iou[:, picked]


class SamInterfaceForExport(SamPromptDecoderForExport):
    """The graph interface of segment-anything's ``scripts/export_onnx_model.py`` (its web demo loads it).

    Inputs are those of :class:`SamPromptDecoderForExport` plus ``orig_im_size`` ``(2,)`` float
    ``(H, W)`` of the original image. Outputs:

    * ``masks``: logits at ``orig_im_size``: upsampled to the canvas, the padding cut off (the
      image covers the top-left ``orig * resolution / max(orig)``, rounded), resized to the original.
    * ``iou_predictions`` and ``low_res_masks`` ``(1, M, 4h, 4w)``: M = 4 (every mask token, the
      single-mask one first, as segment-anything's export) or, with ``return_single_mask``, 1: the
      single-mask token for more than two points (with the padding point), else the best of the
      three multimask tokens by predicted IoU.
    """

    def __init__(self, prompt_encoder: PromptEncoder, mask_decoder: MaskDecoder, grid: Tuple[int, int] = (64, 64),
                 canvas_size: Tuple[int, int] = (1024, 1024), return_single_mask: bool = False,
                 resolution: Optional[int] = None):
        super().__init__(prompt_encoder, mask_decoder, grid, canvas_size)
        self.return_single_mask = return_single_mask
        self.resolution = int(resolution or max(self.canvas_size))

    def pick_one_mask(self, masks: torch.Tensor, iou: torch.Tensor, num_points) -> Tuple[torch.Tensor, torch.Tensor]:
        """The mask segment-anything's predictor would show: one token per prompt, chosen without branching."""
        best_multimask = iou[:, 1:].argmax(dim=1, keepdim=True) + 1
        many_points = torch.as_tensor(num_points, device=iou.device) > 2
        index = torch.where(many_points, torch.zeros_like(best_multimask), best_multimask)
        iou = torch.gather(iou, 1, index)
        index = index[:, :, None, None].expand(-1, -1, masks.shape[-2], masks.shape[-1])
        return torch.gather(masks, 1, index), iou

    def masks_at_original_size(self, low_res_masks: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
        """Low-res logits -> logits at ``orig_im_size`` (the size is an input: data-dependent shapes)."""
        masks = F.interpolate(low_res_masks, size=self.canvas_size, mode='bilinear', align_corners=False)
        original = orig_im_size.to(torch.float32)
        resized = torch.floor(original * (self.resolution / original.max()) + 0.5).to(torch.int64)
        masks = masks[..., :resized[0], :resized[1]]
        original = original.to(torch.int64)
        return F.interpolate(masks, size=(original[0], original[1]), mode='bilinear', align_corners=False)

    def forward(self, image_embeddings: torch.Tensor, point_coords: torch.Tensor, point_labels: torch.Tensor,
                mask_input: torch.Tensor, has_mask_input: torch.Tensor, orig_im_size: torch.Tensor
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        low_res, iou = self.decode_all(image_embeddings, point_coords, point_labels, mask_input, has_mask_input)
        if self.return_single_mask:
            low_res, iou = self.pick_one_mask(low_res, iou, point_coords.shape[1])
        return self.masks_at_original_size(low_res, orig_im_size), iou, low_res


def example_prompt(grid: Tuple[int, int], canvas_size: Tuple[int, int], num_points: int = 2,
                   with_box: bool = False, with_mask: bool = False, seed: int = 0, channels: int = 256) -> dict:
    """Random inputs of :class:`SamPromptDecoderForExport` (points, an optional box and mask)."""
    g = torch.Generator().manual_seed(seed)
    h, w = canvas_size
    scale = torch.tensor([w, h], dtype=torch.float32)
    coords = [torch.rand(num_points, 2, generator=g) * scale]
    labels = [torch.randint(0, 2, (num_points,), generator=g).float()]
    if with_box:
        corners = torch.sort(torch.rand(2, 2, generator=g), dim=0).values * scale
        coords.append(corners)
        labels.append(torch.tensor([2.0, 3.0]))
    else:
        coords.append(torch.zeros(1, 2))
        labels.append(torch.tensor([-1.0]))
    return {'image_embeddings': torch.randn(1, channels, *grid, generator=g),
            'point_coords': torch.cat(coords)[None], 'point_labels': torch.cat(labels)[None],
            'mask_input': torch.randn(1, 1, 4 * grid[0], 4 * grid[1], generator=g) if with_mask
            else torch.zeros(1, 1, 4 * grid[0], 4 * grid[1]),
            'has_mask_input': torch.tensor([1.0 if with_mask else 0.0])}


def export_sam_decoder_onnx(prompt_encoder: PromptEncoder, mask_decoder: MaskDecoder, path: str,
                            grid: Tuple[int, int], canvas_size: Tuple[int, int], multimask_output: bool = True,
                            opset: int = DEFAULT_OPSET,
                            validate_prompts: Optional[Sequence[dict]] = None, atol: float = 1e-4
                            ) -> List[OnnxCheck]:
    """Export the prompt decoder for ``grid`` (embedding ``h, w``) and ``canvas_size`` (padded input ``H, W``).

    The number of points is dynamic. Validation (default: three points; a point with a box and a
    mask) compares onnxruntime with the module in PyTorch; raises above ``atol``.
    """
    wrapper = SamPromptDecoderForExport(prompt_encoder, mask_decoder, grid, canvas_size, multimask_output).eval()
    example = example_prompt(grid, canvas_size, num_points=3)
    points = torch.export.Dim('num_points', min=2, max=256)
    dynamic = {'image_embeddings': None, 'point_coords': {1: points}, 'point_labels': {1: points},
               'mask_input': None, 'has_mask_input': None}
    export_onnx(wrapper, tuple(example[n] for n in INPUT_NAMES), path, INPUT_NAMES, OUTPUT_NAMES, dynamic, opset)
    if validate_prompts is None:
        validate_prompts = [example_prompt(grid, canvas_size, 3, seed=1),
                            example_prompt(grid, canvas_size, 1, with_box=True, with_mask=True, seed=2)]
    return validate_onnx(path, wrapper, validate_prompts, atol) if validate_prompts else []


def export_sam_interface_onnx(prompt_encoder: PromptEncoder, mask_decoder: MaskDecoder, path: str,
                              grid: Tuple[int, int] = (64, 64), canvas_size: Tuple[int, int] = (1024, 1024),
                              return_single_mask: bool = False, opset: int = DEFAULT_OPSET,
                              validate_prompts: Optional[Sequence[dict]] = None, atol: float = 1e-4
                              ) -> List[OnnxCheck]:
    """Export :class:`SamInterfaceForExport`: segment-anything's ONNX interface (inputs and outputs, names,
    dynamic ``num_points`` axis and masks at ``orig_im_size``), for any grid / canvas.

    Validation (default: three points at one original size; a point, a box and a mask at another)
    compares onnxruntime with the module in PyTorch; raises above ``atol``.
    """
    wrapper = SamInterfaceForExport(prompt_encoder, mask_decoder, grid, canvas_size, return_single_mask).eval()
    h, w = canvas_size

    def with_size(prompt: dict, size: Tuple[float, float]) -> dict:
        return {**prompt, 'orig_im_size': torch.tensor(size, dtype=torch.float32)}

    c = mask_decoder.transformer_dim
    example = with_size(example_prompt(grid, canvas_size, num_points=3, channels=c), (h * 0.75, w * 0.5))
    axes = {'point_coords': {1: 'num_points'}, 'point_labels': {1: 'num_points'}}
    export_onnx_traced(wrapper, tuple(example[n] for n in SAM_INTERFACE_INPUTS), path, SAM_INTERFACE_INPUTS,
                       SAM_INTERFACE_OUTPUTS, axes, opset)
    if validate_prompts is None:
        validate_prompts = [with_size(example_prompt(grid, canvas_size, 3, seed=1, channels=c), (h * 0.5, w * 0.625)),
                            with_size(example_prompt(grid, canvas_size, 1, True, True, seed=2, channels=c),
                                      (h * 1.5, w * 0.75))]
    return validate_onnx(path, wrapper, validate_prompts, atol) if validate_prompts else []
