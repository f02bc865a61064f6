"""RadioSam: an image encoder (RADIO + neck) with segment-anything's prompt encoder and mask decoder."""
import functools
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import nn
from segment_anything.modeling import MaskDecoder, PromptEncoder

from ...radio.conditioner import CLIP_MEAN, CLIP_STD
from ..decoder_checkpoint import load_sam_decoder_weights
from .geometry import SamGeometry, check_resolution
from ..utils.prompt_checks import check_finite_tensor, check_mask_input
from .prompt_decoder import build_mask_decoder, build_prompt_encoder, dense_positional_encoding, prompt_encoder_at
from .reprompt_decoder import RepromptDecoder, supports_reprompt

#: RADIO's input statistics in 0..255 pixel units (segment-anything's ``pixel_mean`` convention).
RADIO_PIXEL_MEAN = tuple(255.0 * m for m in CLIP_MEAN)
RADIO_PIXEL_STD = tuple(255.0 * s for s in CLIP_STD)


class RadioSam(nn.Module):
    """SAM with a RADIO image encoder, at any resolution.

    Mirrors segment-anything's ``Sam`` (``image_encoder``, ``prompt_encoder``, ``mask_decoder``,
    ``preprocess``, ``postprocess_masks``, ``forward(batched_input, multimask_output)``,
    ``mask_threshold``, ``image_format``), with the geometry (long side, padding, embedding grid)
    chosen per image instead of fixed at 1024 / 64 x 64. Build one with
    :func:`~radio_dense.sam.build_radio_sam`.

    Args:
        image_encoder: normalised padded canvas ``(B, 3, H, W)`` -> embedding ``(B, 256, h, w)``
            (``RadioSamImageEncoder``; segment-anything's ``ImageEncoderViT`` works too).
        prompt_encoder / mask_decoder: segment-anything modules (random SAM-sized ones if ``None``).
        pixel_mean / pixel_std: input statistics in 0..255 units (RADIO's CLIP statistics by default).
        resolution: default long side (a multiple of the encoder's patch size).
        pad_to_square: default padding: to ``resolution x resolution`` (SAM) or to the next multiple
            of the patch size, keeping the aspect ratio.
    """

    mask_threshold: float = 0.0
    image_format: str = 'RGB'

    def __init__(self, image_encoder: nn.Module, prompt_encoder: Optional[PromptEncoder] = None,
                 mask_decoder: Optional[MaskDecoder] = None,
                 pixel_mean: Sequence[float] = RADIO_PIXEL_MEAN, pixel_std: Sequence[float] = RADIO_PIXEL_STD,
                 resolution: int = 1024, pad_to_square: bool = True):
        super().__init__()
        self.image_encoder = image_encoder
        self.prompt_encoder = prompt_encoder if prompt_encoder is not None else build_prompt_encoder()
        self.mask_decoder = mask_decoder if mask_decoder is not None else build_mask_decoder()
        self.register_buffer('pixel_mean', torch.as_tensor(pixel_mean, dtype=torch.float32).view(-1, 1, 1), False)
        self.register_buffer('pixel_std', torch.as_tensor(pixel_std, dtype=torch.float32).view(-1, 1, 1), False)
        check_resolution(resolution, self.patch_size)
        self.resolution = int(resolution)
        self.pad_to_square = bool(pad_to_square)

    # ----- properties -----
    @property
    def device(self) -> torch.device:
        return self.pixel_mean.device

    @property
    def patch_size(self) -> int:
        """Stride of the image encoder (the canvas is a whole number of patches)."""
        size = getattr(self.image_encoder, 'patch_size', None)
        if size is None and hasattr(self.image_encoder, 'patch_embed'):  # segment-anything's ImageEncoderViT
            size = self.image_encoder.patch_embed.proj.kernel_size[0]
        return int(size or 16)

    # ----- weights -----
    def load_decoder_weights(self, path: str) -> None:
        """Load ``prompt_encoder.*`` / ``mask_decoder.*`` from an official SAM checkpoint or an extract."""
        load_sam_decoder_weights(self.prompt_encoder, self.mask_decoder, path)

    # ----- geometry -----
    def geometry(self, original_size: Tuple[int, int], resolution: Optional[int] = None,
                 pad_to_square: Optional[bool] = None) -> SamGeometry:
        """The :class:`SamGeometry` of an image (defaults: the model's resolution and padding)."""
        return SamGeometry.for_image(original_size, self.resolution if resolution is None else resolution,
                                     self.pad_to_square if pad_to_square is None else pad_to_square,
                                     self.patch_size)

    def preprocess(self, x: torch.Tensor, geometry: Optional[SamGeometry] = None) -> torch.Tensor:
        """Normalise resized images ``(B, 3, h, w)`` (0..255) and pad them to the canvas.

        Without ``geometry`` pads as segment-anything does: to the model's resolution squared
        (``pad_to_square``) or to the next multiple of the patch size.
        """
        x = (x - self.pixel_mean) / self.pixel_std
        h, w = x.shape[-2:]
        if geometry is None:
            if self.pad_to_square:
                size = (max(self.resolution, h, w),) * 2
            else:
                size = (-(-h // self.patch_size) * self.patch_size, -(-w // self.patch_size) * self.patch_size)
            geometry = SamGeometry((h, w), (h, w), size)
        return geometry.pad(x)

    def postprocess_masks(self, masks: torch.Tensor, geometry: SamGeometry) -> torch.Tensor:
        """Low-res logits over the canvas -> logits at the original image size."""
        return geometry.postprocess_masks(masks)

    # ----- prompting -----
    def decode(self, image_embedding: torch.Tensor, canvas_size: Tuple[int, int],
               point_coords: Optional[torch.Tensor] = None, point_labels: Optional[torch.Tensor] = None,
               boxes: Optional[torch.Tensor] = None, mask_input: Optional[torch.Tensor] = None,
               multimask_output: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
        """Prompt one image's embedding with a batch of B prompts.

        Args:
            image_embedding: ``(1, 256, h, w)`` embedding of one image.
            canvas_size: ``(H, W)`` of the padded network input the embedding came from.
            point_coords / point_labels: ``(B, N, 2)`` canvas pixels ``(x, y)`` / ``(B, N)`` labels
                (1 foreground, 0 background, -1 padding).
            boxes: ``(B, 4)`` canvas pixels ``x0, y0, x1, y1``.
            mask_input: ``(B, 1, 4h, 4w)`` low-res logits (e.g. from a previous prediction).
            multimask_output: three masks per prompt (else the single-mask token).

        Returns:
            ``(low_res_logits (B, C, 4h, 4w), iou_predictions (B, C))``.
        """
        _check_embedding(image_embedding)
        encoder = prompt_encoder_at(self.prompt_encoder, tuple(image_embedding.shape[-2:]), canvas_size)
        _check_prompts(encoder, point_coords, boxes, mask_input)
        points = None if point_coords is None else (point_coords, point_labels)
        sparse, dense = encoder(points=points, boxes=boxes, masks=mask_input)
        return self.mask_decoder(image_embeddings=image_embedding, image_pe=dense_positional_encoding(encoder),
                                 sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                 multimask_output=multimask_output)

    def image_decoder(self, image_embedding: torch.Tensor, canvas_size: Tuple[int, int],
                      fast: bool = True) -> Callable[..., Tuple[torch.Tensor, torch.Tensor]]:
        """:meth:`decode` bound to one image embedding, for prompting it many times (inference).

        With ``fast`` and segment-anything's own ``MaskDecoder`` layout, the per-image work is done
        here once and every prompt runs :class:`RepromptDecoder` (the same function up to float
        rounding, about 2x faster per click on CPU). Otherwise each call is :meth:`decode`. Build a
        new one after changing the decoder's weights.

        Returns:
            ``fn(point_coords=None, point_labels=None, boxes=None, mask_input=None,
            multimask_output=True) -> (low_res_logits, iou_predictions)``, arguments as :meth:`decode`.
        """
        _check_embedding(image_embedding)
        if not (fast and supports_reprompt(self.mask_decoder)):
            return functools.partial(self.decode, image_embedding, canvas_size)
        encoder = prompt_encoder_at(self.prompt_encoder, tuple(image_embedding.shape[-2:]), canvas_size)
        with torch.no_grad():
            reprompt = RepromptDecoder(encoder, self.mask_decoder, image_embedding, dense_positional_encoding(encoder))

        @torch.no_grad()
        def decode(point_coords: Optional[torch.Tensor] = None, point_labels: Optional[torch.Tensor] = None,
                   boxes: Optional[torch.Tensor] = None, mask_input: Optional[torch.Tensor] = None,
                   multimask_output: bool = True) -> Tuple[torch.Tensor, torch.Tensor]:
            _check_prompts(encoder, point_coords, boxes, mask_input)
            return reprompt(point_coords, point_labels, boxes, mask_input, multimask_output)
        return decode

    @torch.no_grad()
    def forward(self, batched_input: List[Dict[str, Any]], multimask_output: bool) -> List[Dict[str, torch.Tensor]]:
        """segment-anything's ``Sam.forward``: images resized to the model's long side, prompts in that frame.

        Each record: ``'image'`` ``(3, h, w)`` resized so that its long side is ``self.resolution``,
        ``'original_size'`` ``(H, W)``, optional ``'point_coords'`` ``(B, N, 2)``, ``'point_labels'``,
        ``'boxes'`` ``(B, 4)``, ``'mask_inputs'``. Returns per image ``'masks'`` (original size,
        boolean), ``'iou_predictions'`` and ``'low_res_logits'``.
        """
        outputs = []
        for record in batched_input:
            image = record['image']
            geometry = self.geometry(record['original_size'], max(image.shape[-2:]))
            if tuple(image.shape[-2:]) != geometry.input_size:
                raise ValueError(f"record['image'] of size {tuple(image.shape[-2:])} is not the original "
                                 f"{tuple(record['original_size'])} resized to long side {max(image.shape[-2:])}")
            embedding = self.image_encoder(self.preprocess(image[None].to(self.device).float(), geometry))
            low_res, iou = self.decode(embedding, geometry.canvas_size, record.get('point_coords'),
                                       record.get('point_labels'), record.get('boxes'), record.get('mask_inputs'),
                                       multimask_output)
            masks = self.postprocess_masks(low_res, geometry) > self.mask_threshold
            outputs.append({'masks': masks, 'iou_predictions': iou, 'low_res_logits': low_res})
        return outputs


def _check_embedding(image_embedding: torch.Tensor) -> None:
    if image_embedding.ndim != 4 or image_embedding.shape[0] != 1:
        raise ValueError(f'decode() takes one image embedding of shape (1, C, h, w), got '
                         f'{tuple(image_embedding.shape)}; loop over images for a batch.')


def _check_prompts(encoder: PromptEncoder, point_coords: Optional[torch.Tensor], boxes: Optional[torch.Tensor],
                   mask_input: Optional[torch.Tensor]) -> None:
    check_finite_tensor(point_coords, 'point_coords')
    check_finite_tensor(boxes, 'boxes')
    if mask_input is not None:
        check_mask_input(mask_input, encoder.mask_input_size)
