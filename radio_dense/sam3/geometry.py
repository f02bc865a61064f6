"""Where an image lands in SAM3's input and how prompts and outputs map between the two.

SAM3 (``Sam3Processor``) stretches every image to ``resolution x resolution`` and describes boxes
and points in coordinates normalised to the image. RADIO reads any multiple of its patch size,
so besides ``'stretch'`` an image can keep its aspect ratio: its long side goes to
``resolution`` and it is padded at the bottom/right, either to a square (``'pad'``) or only to
the next multiple of the patch size (``'fit'``, a non-square canvas). SAM3's heads work in
coordinates normalised to the canvas; :class:`Sam3Geometry` converts.
"""
from dataclasses import dataclass
from typing import Tuple

import torch
from torch.nn import functional as F
from torchvision.transforms.v2 import functional as TF

MODES = ('stretch', 'pad', 'fit')
Size = Tuple[int, int]


def _round_up(value: int, step: int) -> int:
    return -(-value // step) * step


@dataclass(frozen=True)
class Sam3Geometry:
    """Sizes ``(H, W)`` of one image: as given, resized (``input_size``), and the padded canvas."""

    original_size: Size
    input_size: Size
    canvas_size: Size

    @classmethod
    def for_image(cls, original_size: Size, resolution: int, mode: str = 'stretch', step: int = 16) -> 'Sam3Geometry':
        """The geometry of an image of ``original_size`` at ``resolution`` (a multiple of ``step``)."""
        if mode not in MODES:
            raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
        if not isinstance(resolution, int) or resolution <= 0 or resolution % step:
            numeric = isinstance(resolution, (int, float))
            nearest = max(step, round(float(resolution) / step) * step) if numeric else 1152
            raise ValueError(f'resolution must be a positive multiple of the trunk\'s patch size {step}; '
                             f'got {resolution!r}, try {nearest}')
        h, w = int(original_size[0]), int(original_size[1])
        if h <= 0 or w <= 0:
            raise ValueError(f'Image size must be positive, got {original_size}')
        if mode == 'stretch':
            return cls((h, w), (resolution, resolution), (resolution, resolution))
        scale = resolution / max(h, w)
        input_size = (max(1, int(h * scale + 0.5)), max(1, int(w * scale + 0.5)))
        canvas = (resolution, resolution) if mode == 'pad' else (_round_up(input_size[0], step),
                                                                   _round_up(input_size[1], step))
        return cls((h, w), input_size, canvas)

    # ----- image -----
    def prepare_image(self, image: torch.Tensor) -> torch.Tensor:
        """``(3, H, W)`` uint8 RGB (original size) -> ``(1, 3, *canvas_size)`` in SAM3's normalisation.

        Resizing is ``Sam3Processor``'s (antialiased bilinear on uint8), values go to
        ``[-1, 1]`` (mean 0.5, std 0.5) and the padding is 0 (the mean colour).
        """
        if image.dtype != torch.uint8 or image.ndim != 3 or image.shape[0] != 3:
            raise ValueError(f'Expected a (3, H, W) uint8 tensor, got {tuple(image.shape)} {image.dtype}')
        resized = TF.resize(image, list(self.input_size), antialias=True)
        unit = resized.to(torch.float32) / 255.0
        normalised = (unit - 0.5) / 0.5
        pad_h, pad_w = self.canvas_size[0] - self.input_size[0], self.canvas_size[1] - self.input_size[1]
        return F.pad(normalised, (0, pad_w, 0, pad_h))[None]

    # ----- prompts: original pixels -> canvas-normalised -----
    def _pixel_scale(self) -> torch.Tensor:
        """Original pixels -> canvas fraction, per axis ``(x, y)``."""
        sx = self.input_size[1] / self.original_size[1] / self.canvas_size[1]
        sy = self.input_size[0] / self.original_size[0] / self.canvas_size[0]
        return torch.tensor([sx, sy], dtype=torch.float32)

    def boxes_to_canvas(self, boxes_xyxy: torch.Tensor) -> torch.Tensor:
        """``(N, 4)`` ``x0, y0, x1, y1`` original pixels -> ``(N, 4)`` ``cx, cy, w, h`` canvas fractions."""
        xyxy = boxes_xyxy.to(torch.float32).reshape(-1, 2, 2) * self._pixel_scale().to(boxes_xyxy.device)
        (x0, y0), (x1, y1) = xyxy[:, 0].unbind(-1), xyxy[:, 1].unbind(-1)
        return torch.stack([(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0], dim=-1)

    def points_to_canvas(self, points_xy: torch.Tensor) -> torch.Tensor:
        """``(N, 2)`` ``x, y`` original pixels -> canvas fractions."""
        return points_xy.to(torch.float32).reshape(-1, 2) * self._pixel_scale().to(points_xy.device)

    # ----- outputs: canvas -> original pixels -----
    def boxes_to_original(self, boxes_cxcywh: torch.Tensor) -> torch.Tensor:
        """``(N, 4)`` canvas-fraction ``cx, cy, w, h`` -> ``x0, y0, x1, y1`` original pixels."""
        cx, cy, w, h = boxes_cxcywh.unbind(-1)
        xyxy = torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)
        to_x = self.original_size[1] * self.canvas_size[1] / self.input_size[1]
        to_y = self.original_size[0] * self.canvas_size[0] / self.input_size[0]
        return xyxy * torch.tensor([to_x, to_y, to_x, to_y], dtype=xyxy.dtype, device=xyxy.device)

    def masks_to_original(self, logits: torch.Tensor) -> torch.Tensor:
        """``(N, h, w)`` mask logits over the canvas -> ``(N, H, W)`` logits over the original image.

        ``'stretch'`` resizes straight to the image (as ``Sam3Processor``); otherwise the logits are
        upsampled to the canvas, the padding is cut off and the rest resized to the image.
        """
        masks = logits[:, None]
        if self.input_size != self.canvas_size:
            masks = F.interpolate(masks, self.canvas_size, mode='bilinear', align_corners=False)
            masks = masks[..., :self.input_size[0], :self.input_size[1]]
        if masks.shape[0] == 0:
            return masks.new_zeros((0, *self.original_size))
        return F.interpolate(masks, self.original_size, mode='bilinear', align_corners=False)[:, 0]
