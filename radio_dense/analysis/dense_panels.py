"""Pictures of depth and surface-normal predictions: input | ground truth | prediction (| error), with a colour bar."""
from typing import Tuple

import numpy as np
from PIL import Image, ImageDraw

from .grid import label_font
from .panels import compose_panels


def colorize(values: np.ndarray, vmin: float, vmax: float, valid: np.ndarray = None, cmap: str = 'viridis') -> np.ndarray:
    """``(H, W)`` floats -> uint8 RGB through a matplotlib colour map; invalid pixels black."""
    from matplotlib import colormaps
    t = np.clip((values - vmin) / max(vmax - vmin, 1e-9), 0, 1)
    rgb = (colormaps[cmap](t)[..., :3] * 255).round().astype(np.uint8)
    if valid is not None:
        rgb[~valid] = 0
    return rgb


def colour_bar(height: int, vmin: float, vmax: float, unit: str, cmap: str = 'viridis', width: int = 64) -> np.ndarray:
    """A ``(height, width)`` vertical colour bar panel (``vmax`` on top) with its end and middle values beside it.

    Drawn at the panel's own size (text is never stretched): the ramp takes a quarter of the width."""
    ramp_w, size = max(width // 4, 8), max(10, min(height // 14, width // 6))
    ramp = np.linspace(vmax, vmin, height)[:, None].repeat(ramp_w, axis=1)
    canvas = Image.new('RGB', (width, height), (255, 255, 255))
    canvas.paste(Image.fromarray(colorize(ramp, vmin, vmax, cmap=cmap)), (0, 0))
    draw, font = ImageDraw.Draw(canvas), label_font(size)
    for frac in (0.0, 0.5, 1.0):
        y = min(max(int(frac * (height - 1)) - size // 2, 0), height - size - 1)
        draw.text((ramp_w + 3, y), f'{vmax - frac * (vmax - vmin):.3g}{unit}', fill=(0, 0, 0), font=font)
    return np.asarray(canvas)


def _normals_rgb(n: np.ndarray, valid: np.ndarray) -> np.ndarray:
    rgb = ((n + 1) / 2 * 255).round().clip(0, 255).astype(np.uint8)
    rgb[~valid] = 0
    return rgb


def depth_panel(image: np.ndarray, gt: np.ndarray, pred: np.ndarray, title: str, scale: int = 1) -> Image.Image:
    """``input | ground truth | prediction | colour bar`` for depth in metres (one colour scale, from the GT)."""
    valid = gt > 0
    vmin, vmax = (float(gt[valid].min()), float(gt[valid].max())) if valid.any() else (0.0, 10.0)
    bar = colour_bar(image.shape[0], vmin, vmax, ' m', width=image.shape[1])
    panels = [image, colorize(gt, vmin, vmax, valid), colorize(pred, vmin, vmax), bar]
    return compose_panels(panels, ['input', 'ground truth', 'prediction', 'depth (m)'], title, scale=scale)


def normals_panel(image: np.ndarray, gt: np.ndarray, pred: np.ndarray, title: str, max_error: float = 45.0,
                  scale: int = 1) -> Tuple[Image.Image, float]:
    """``input | ground truth | prediction | angle error | colour bar`` for ``(H, W, 3)`` normals; returns the
    picture and the mean angle error (degrees) over labelled pixels."""
    valid = np.linalg.norm(gt, axis=2) > 0.5
    unit = pred / np.maximum(np.linalg.norm(pred, axis=2, keepdims=True), 1e-6)
    err = np.degrees(np.arccos(np.clip((unit * gt).sum(axis=2), -1, 1)))
    bar = colour_bar(image.shape[0], 0.0, max_error, ' deg', cmap='magma', width=image.shape[1])
    panels = [image, _normals_rgb(gt, valid), _normals_rgb(unit, np.ones_like(valid)),
              colorize(err, 0.0, max_error, valid, cmap='magma'), bar]
    mean = float(err[valid].mean()) if valid.any() else float('nan')
    return compose_panels(panels, ['input', 'ground truth', 'prediction', f'error (mean {mean:.1f} deg)', 'error scale'],
                          title, scale=scale), mean
