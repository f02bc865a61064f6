"""Prompts made from ground-truth masks: boxes, interior points, random points and correction clicks.

Used by the SAM-COCO evaluation (deterministic: a box and the mask's most interior point) and by
training (random: jittered boxes, random foreground points, clicks in the error region).
"""
from typing import Optional, Tuple

import cv2
import numpy as np
import torch


def mask_to_box(mask: np.ndarray) -> np.ndarray:
    """Tight ``x0, y0, x1, y1`` box of a boolean ``HxW`` mask (exclusive end, as COCO's ``x+w``)."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        raise ValueError('mask_to_box needs a non-empty mask')
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=float)


def interior_point(mask: np.ndarray) -> np.ndarray:
    """The ``(x, y)`` pixel of ``mask`` farthest from its border (the image edge counts as border).

    The maximum of the Euclidean distance transform: for convex shapes the centre, for others a
    point well inside, never outside the mask (unlike the centroid). Ties: first in raster order.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise ValueError('interior_point needs a non-empty mask')
    padded = np.pad(mask, 1).astype(np.uint8)
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(distance)), distance.shape)
    return np.array([x, y], dtype=float)


def boxes_from_masks(masks: torch.Tensor) -> torch.Tensor:
    """Tight ``(N, 4)`` ``x0, y0, x1, y1`` boxes (exclusive end) of ``(N, H, W)`` boolean masks; empty -> zeros."""
    n, h, w = masks.shape
    rows, cols = masks.any(dim=2), masks.any(dim=1)
    ar_h = torch.arange(h, device=masks.device)
    ar_w = torch.arange(w, device=masks.device)
    y0 = torch.where(rows, ar_h, h).min(dim=1).values
    y1 = torch.where(rows, ar_h, -1).max(dim=1).values + 1
    x0 = torch.where(cols, ar_w, w).min(dim=1).values
    x1 = torch.where(cols, ar_w, -1).max(dim=1).values + 1
    boxes = torch.stack([x0, y0, x1, y1], dim=1).float()
    return torch.where(masks.flatten(1).any(dim=1, keepdim=True), boxes, torch.zeros_like(boxes))


def jitter_boxes(boxes: torch.Tensor, ratio: float = 0.1, max_pixels: float = 20.0,
                 generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """SAM's box noise: each coordinate moves by N(0, ratio * side), clipped to ``max_pixels``."""
    if ratio <= 0:
        return boxes
    side = torch.stack([boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]] * 2, dim=1)
    noise = torch.randn(boxes.shape, generator=generator, device='cpu').to(boxes.device) * ratio * side
    out = boxes + noise.clamp(-max_pixels, max_pixels)
    x0, y0, x1, y1 = out.unbind(1)
    return torch.stack([torch.minimum(x0, x1), torch.minimum(y0, y1), torch.maximum(x0, x1),
                        torch.maximum(y0, y1)], dim=1)


def sample_points(regions: torch.Tensor, generator: Optional[torch.Generator] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """One uniformly random pixel of each ``(N, H, W)`` boolean region.

    Returns ``(coords (N, 2) (x, y) at pixel centres, found (N,) bool)``; empty regions give
    ``found=False`` and coordinate 0.
    """
    n, h, w = regions.shape
    weights = regions.flatten(1).float()
    found = weights.sum(dim=1) > 0
    weights[~found] = 1.0
    index = torch.multinomial(weights.cpu(), 1, generator=generator).squeeze(1).to(regions.device)
    coords = torch.stack([index % w, index // w], dim=1).float()
    return torch.where(found[:, None], coords, torch.zeros_like(coords)), found


def correction_points(pred: torch.Tensor, target: torch.Tensor,
                      generator: Optional[torch.Generator] = None) -> Tuple[torch.Tensor, torch.Tensor]:
    """SAM's interactive training click: a random pixel of the error region of each mask.

    Args:
        pred, target: ``(N, H, W)`` boolean predicted / ground-truth masks.

    Returns:
        ``coords (N, 2)`` and ``labels (N,)``: 1 where the pixel is a missed foreground pixel,
        0 where it is a false positive, -1 (a padding point, ignored by SAM) where there is no error.
    """
    error = pred != target
    coords, found = sample_points(error, generator)
    xs, ys = coords[:, 0].long(), coords[:, 1].long()
    positive = target[torch.arange(len(target), device=target.device), ys, xs]
    labels = torch.where(positive, 1, 0)
    return coords, torch.where(found, labels, -1)
