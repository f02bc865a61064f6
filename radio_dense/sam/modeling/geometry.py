"""Where an image lands in the network input: resize to a long side, pad, and map prompts and masks.

segment-anything resizes every image so that its long side is 1024, pads it to a 1024 x 1024
square and reads a 64 x 64 embedding. :class:`SamGeometry` holds the same three sizes for any
resolution (the long side, a multiple of the patch size) and for inputs kept at their aspect
ratio (padded only up to the next multiple of the patch size).
"""
from dataclasses import dataclass
from typing import Tuple

import numpy as np
import torch
from torch.nn import functional as F
from segment_anything.utils.transforms import ResizeLongestSide

Size = Tuple[int, int]


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


@dataclass(frozen=True)
class SamGeometry:
    """Sizes of one image on its way through a SAM-style model, all ``(H, W)``.

    Attributes:
        original_size: the image as given.
        input_size: the image resized so that its long side is ``resolution`` (SAM's rounding).
        canvas_size: the padded network input (image at the top left, padding bottom/right).
    """

    original_size: Size
    input_size: Size
    canvas_size: Size

    @classmethod
    def for_image(cls, original_size: Size, resolution: int, pad_to_square: bool = True,
                  patch_size: int = 16) -> 'SamGeometry':
        """The geometry of an image of ``original_size`` at long side ``resolution``.

        Args:
            original_size: ``(H, W)`` of the image.
            resolution: the long side after resizing; a multiple of ``patch_size``.
            pad_to_square: pad to ``resolution x resolution`` (as SAM); otherwise pad only up
                to the next multiple of ``patch_size`` and keep the aspect ratio.
            patch_size: the encoder's patch size (the canvas is a whole number of patches).
        """
        check_resolution(resolution, patch_size)
        h, w = int(original_size[0]), int(original_size[1])
        if h <= 0 or w <= 0:
            raise ValueError(f'Image size must be positive, got {original_size}')
        input_size = ResizeLongestSide.get_preprocess_shape(h, w, resolution)
        if min(input_size) < 1:
            needed = _round_up(-(-max(h, w) // (2 * min(h, w))), patch_size)
            raise ValueError(f'At resolution {resolution} the {w}x{h} image\'s short side shrinks to 0 pixels; '
                             f'use resolution >= {needed} or crop the image to a less extreme aspect ratio.')
        if pad_to_square:
            canvas = (resolution, resolution)
        else:
            canvas = (_round_up(input_size[0], patch_size), _round_up(input_size[1], patch_size))
        return cls((h, w), tuple(input_size), canvas)

    # ----- prompts: original image pixels -> canvas pixels -----
    def _scale_xy(self) -> Tuple[float, float]:
        return self.input_size[1] / self.original_size[1], self.input_size[0] / self.original_size[0]

    def apply_coords(self, coords: np.ndarray) -> np.ndarray:
        """``(..., 2)`` ``(x, y)`` pixel coordinates of the original image -> canvas coordinates."""
        sx, sy = self._scale_xy()
        out = np.array(coords, dtype=float, copy=True)
        out[..., 0] *= sx
        out[..., 1] *= sy
        return out

    def apply_boxes(self, boxes: np.ndarray) -> np.ndarray:
        """``(..., 4)`` ``x0, y0, x1, y1`` boxes of the original image -> canvas coordinates."""
        boxes = np.asarray(boxes, dtype=float)
        return self.apply_coords(boxes.reshape(-1, 2, 2)).reshape(boxes.shape)

    def apply_coords_torch(self, coords: torch.Tensor) -> torch.Tensor:
        """Torch version of :meth:`apply_coords`."""
        sx, sy = self._scale_xy()
        scale = torch.tensor([sx, sy], dtype=torch.float32, device=coords.device)
        return coords.to(torch.float32) * scale

    def apply_boxes_torch(self, boxes: torch.Tensor) -> torch.Tensor:
        """Torch version of :meth:`apply_boxes`."""
        return self.apply_coords_torch(boxes.reshape(-1, 2, 2)).reshape(boxes.shape)

    # ----- images and masks -----
    def pad(self, image: torch.Tensor, value: float = 0.0) -> torch.Tensor:
        """Pad a ``(..., h, w)`` resized image (``input_size``) to the canvas, bottom and right."""
        h, w = image.shape[-2:]
        if (h, w) != tuple(self.input_size):
            raise ValueError(f'Expected an image resized to {self.input_size}, got {(h, w)}')
        return F.pad(image, (0, self.canvas_size[1] - w, 0, self.canvas_size[0] - h), value=value)

    def postprocess_masks(self, masks: torch.Tensor) -> torch.Tensor:
        """Low-res mask logits ``(B, C, h, w)`` covering the canvas -> logits at ``original_size``.

        Upsample to the canvas, cut the padding off, resize to the original image (as
        segment-anything's ``Sam.postprocess_masks``, for any canvas).
        """
        masks = resize_planes(masks, self.canvas_size)
        masks = masks[..., :self.input_size[0], :self.input_size[1]]
        if tuple(self.input_size) == tuple(self.original_size):
            return masks  # a same-size bilinear resize returns its input exactly: skip its cost
        return resize_planes(masks, self.original_size)


def resize_planes(masks: torch.Tensor, size: Size) -> torch.Tensor:
    """Bilinear resize (``align_corners=False``) of ``(B, C, h, w)`` logits, one plane at a time.

    Same arithmetic as ``F.interpolate(masks, size, mode='bilinear')``, run as ``(B * C, 1, h, w)``:
    on one thread torch's CPU kernel takes another path for several channels (2-3x slower here,
    and different in the last bit), while one channel takes the same path at any thread count,
    equal bit for bit to the several-channel call on two or more threads.
    """
    b, c, h, w = masks.shape
    return F.interpolate(masks.reshape(b * c, 1, h, w), size, mode='bilinear', align_corners=False).view(
        b, c, *size)


def check_resolution(resolution: int, patch_size: int = 16) -> None:
    """Raise a ValueError that says what to use when ``resolution`` is not a positive multiple of the patch."""
    if isinstance(resolution, (int, np.integer)) and resolution > 0 and resolution % patch_size == 0:
        return
    try:
        nearest = max(patch_size, int(round(float(resolution) / patch_size)) * patch_size)
    except (TypeError, ValueError):
        nearest = 1024
    raise ValueError(f'resolution must be a positive multiple of the patch size {patch_size} '
                     f'(e.g. 512, 768, 1024, 1536, 2048); got {resolution!r}, try {nearest}')
