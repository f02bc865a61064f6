"""Pictures of prompts and masks: an overlay for people, a binary PNG for programs."""
import io
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

MASK_COLOR = (30, 144, 255)
POSITIVE_COLOR = (40, 220, 40)
NEGATIVE_COLOR = (230, 40, 40)
BOX_COLOR = (255, 200, 0)


def overlay(image: np.ndarray, mask: Optional[np.ndarray] = None, points: Optional[np.ndarray] = None,
            labels: Optional[Sequence[int]] = None, box: Optional[np.ndarray] = None,
            color: Tuple[int, int, int] = MASK_COLOR, alpha: float = 0.5) -> np.ndarray:
    """``image`` (HxWx3 uint8 RGB) with the mask tinted and outlined, points as discs, the box as a frame."""
    out = image.copy()
    size = max(2, round(max(image.shape[:2]) / 150))
    if mask is not None and mask.any():
        mask = mask.astype(bool)
        out[mask] = (out[mask] * (1 - alpha) + np.array(color) * alpha).astype(np.uint8)
        contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(out, contours, -1, color, max(1, size // 2))
    if box is not None:
        x0, y0, x1, y1 = [int(round(v)) for v in np.asarray(box).reshape(4)]
        cv2.rectangle(out, (x0, y0), (x1, y1), BOX_COLOR, max(1, size // 2))
    if points is not None:
        for (x, y), label in zip(np.asarray(points).reshape(-1, 2), labels if labels is not None else []):
            c = POSITIVE_COLOR if int(label) == 1 else NEGATIVE_COLOR
            cv2.circle(out, (int(round(x)), int(round(y))), size * 2, (255, 255, 255), -1)
            cv2.circle(out, (int(round(x)), int(round(y))), int(size * 1.5), c, -1)
    return out


def mask_png_bytes(mask: np.ndarray) -> bytes:
    """A boolean ``HxW`` mask as an 8-bit PNG (0 / 255)."""
    buf = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255, mode='L').save(buf, format='PNG')
    return buf.getvalue()


def rgba_mask_png_bytes(mask: np.ndarray, color: Tuple[int, int, int] = MASK_COLOR, alpha: int = 128) -> bytes:
    """A boolean ``HxW`` mask as a transparent RGBA PNG tinted ``color`` (for drawing over the image)."""
    rgba = np.zeros(mask.shape + (4,), np.uint8)
    rgba[mask.astype(bool)] = (*color, alpha)
    buf = io.BytesIO()
    Image.fromarray(rgba, mode='RGBA').save(buf, format='PNG')
    return buf.getvalue()
