"""Shared plumbing of the analysis tools: models, images, dense feature extraction, resampling."""
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ..radio import RADIOModel, radio_from_config


def build_model(checkpoint: Optional[str] = None, arch: Optional[str] = None, adaptor: Optional[str] = None,
                vitdet_window_size: Optional[int] = None, device: str = 'cpu', seed: int = 0) -> RADIOModel:
    """A RADIO model in eval mode: ``arch`` gives a random one (seeded), else ``checkpoint`` is loaded.

    ``checkpoint`` takes anything :func:`radio_dense.load_radio` accepts. ``adaptor`` attaches that
    teacher adaptor (checkpoints only).
    """
    cfg = dict(arch=arch, seed=seed) if arch is not None else dict(source=checkpoint)
    model = radio_from_config(dict(cfg, vitdet_window_size=vitdet_window_size),
                              extra_adaptors=[adaptor] if adaptor else ())
    return model.to(device).eval()


def load_images(paths: Sequence[str] = (), num_synthetic: int = 3, size: int = 512, seed: int = 0) -> List[np.ndarray]:
    """RGB uint8 images: the files in ``paths``, or ``num_synthetic`` demo scenes when none are given."""
    if paths:
        from ..sam.utils.image_io import read_rgb
        images = []
        for p in paths:
            if not Path(p).is_file():
                raise FileNotFoundError(f'Image {p} does not exist')
            images.append(read_rgb(str(p)))
        return images
    from ..data import SceneConfig, SyntheticScenes
    return [s.image for s in SyntheticScenes(num_synthetic, SceneConfig(size=size), seed=seed, split='val')]


def center_square(image: np.ndarray) -> np.ndarray:
    """Central square crop of an ``(H, W, 3)`` image."""
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top:top + side, left:left + side]


def to_input(image: np.ndarray, resolution: Tuple[int, int]) -> torch.Tensor:
    """``(H, W, 3)`` uint8 -> ``(1, 3, h, w)`` float in [0, 1] resized (bilinear, antialiased) to ``resolution``."""
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255
    if tuple(x.shape[-2:]) != tuple(resolution):
        x = F.interpolate(x, size=tuple(resolution), mode='bilinear', align_corners=False, antialias=True)
    return x.clamp(0, 1)


def snap(resolution: int, step: int) -> int:
    """Nearest positive multiple of ``step``."""
    return max(int(round(resolution / step)) * step, step)


@torch.no_grad()
def dense_features(model: RADIOModel, x: torch.Tensor, adaptor: Optional[str] = None) -> torch.Tensor:
    """``(B, C, h, w)`` float32 features of the backbone, or of adaptor ``adaptor`` (attached to ``model``)."""
    device = next(model.parameters()).device
    out = model(x.to(device), feature_fmt='NCHW')
    if isinstance(out, dict):
        key = adaptor or 'backbone'
        if key not in out:
            raise KeyError(f'The model has no {key!r} output; it has {sorted(out)}. Load it with adaptor_names=[{key!r}]')
        out = out[key]
    elif adaptor is not None:
        raise KeyError(f'Adaptor {adaptor!r} requested but the model was built without adaptors')
    return out.features.float().cpu()


def resample(features: torch.Tensor, grid: Tuple[int, int]) -> torch.Tensor:
    """Bilinear resampling of ``(B, C, h, w)`` maps to ``grid`` (antialiased when shrinking)."""
    if tuple(features.shape[-2:]) == tuple(grid):
        return features
    shrink = features.shape[-2] > grid[0] or features.shape[-1] > grid[1]
    return F.interpolate(features, size=tuple(grid), mode='bilinear', align_corners=False, antialias=shrink)
