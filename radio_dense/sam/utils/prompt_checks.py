"""Refuse prompts that cannot be right (NaN, reversed boxes, points off the image, bad labels).

SAM itself accepts all of these and returns a mask anyway (empty, NaN-scored or of the wrong
object); these checks turn them into ``PromptError`` messages that name the prompt and the fix.
"""
from typing import Optional, Tuple

import numpy as np
import torch

from ...radio.input_checks import finite_checks_on

#: Point labels a caller may pass: 1 object, 0 background, -1 padding (ignored by SAM).
POINT_LABELS = (1, 0, -1)


class PromptError(ValueError):
    """A prompt (points, labels, box, mask input) that cannot give a meaningful mask."""


def _require_finite(values: np.ndarray, what: str) -> None:
    if not np.isfinite(values).all():
        raise PromptError(f'{what} contain NaN or infinity: {values.tolist()}; pass finite pixel coordinates.')


def check_points(coords: np.ndarray, labels: np.ndarray, image_size: Tuple[int, int]) -> None:
    """``coords`` ``Nx2`` ``(x, y)`` in original-image pixels, ``labels`` ``N``; ``image_size`` ``(H, W)``."""
    _require_finite(coords, 'point_coords')
    labels = np.asarray(labels)
    if labels.dtype.kind == 'f' and not np.isfinite(labels).all():
        raise PromptError(f'point_labels contain NaN or infinity: {labels.tolist()}')
    bad = [v for v in labels.tolist() if v not in POINT_LABELS]
    if bad:
        raise PromptError(f'point_labels must be 1 (object), 0 (background) or -1 (padding), got {bad}')
    height, width = image_size
    real = labels != -1
    x, y = coords[real, 0], coords[real, 1]
    outside = (x < 0) | (x > width) | (y < 0) | (y > height)
    if outside.any():
        raise PromptError(f'point(s) {coords[real][outside].tolist()} lie outside the {width}x{height} image; '
                          f'point_coords are (x, y) pixels of the original image, 0 <= x <= {width}, '
                          f'0 <= y <= {height}.')


def check_box(box: np.ndarray) -> None:
    """``box`` ``1x4`` ``x0, y0, x1, y1``: finite with ``x1 > x0`` and ``y1 > y0``."""
    _require_finite(box, 'box')
    x0, y0, x1, y1 = box.reshape(-1)[:4].tolist()
    if x1 <= x0 or y1 <= y0:
        raise PromptError(f'box {[x0, y0, x1, y1]} has zero or negative area: a box is x0, y0, x1, y1 with '
                          f'x1 > x0 and y1 > y0 (top-left corner first).')


def check_mask_input(mask_input: torch.Tensor, expected_hw: Tuple[int, int]) -> None:
    """``mask_input`` ``(B, 1, h, w)`` low-res logits of one previous mask per prompt, finite."""
    if mask_input.ndim != 4 or mask_input.shape[1] != 1 or tuple(mask_input.shape[-2:]) != tuple(expected_hw):
        raise PromptError(
            f'mask_input must be one low-res mask per prompt, (B, 1, {expected_hw[0]}, {expected_hw[1]}) here '
            f'(predict(): 1x{expected_hw[0]}x{expected_hw[1]}), got {tuple(mask_input.shape)}. From a multimask '
            f'prediction pass a single mask: low_res_logits[best][None].')
    if finite_checks_on(mask_input) and not bool(torch.isfinite(mask_input).all()):
        raise PromptError('mask_input contains NaN or infinity; pass the low_res_logits of a previous prediction.')


def check_finite_tensor(value: Optional[torch.Tensor], what: str) -> None:
    """``PromptError`` when a prompt tensor (points, boxes) holds NaN or infinity."""
    if value is None or not value.is_floating_point() or not finite_checks_on(value):  # no GPU sync unless asked
        return
    if not bool(torch.isfinite(value).all()):
        raise PromptError(f'{what} contain NaN or infinity; prompts must be finite pixel coordinates.')
