"""Keypoint correspondence from RADIO features (Probe3D's recall protocol), at any input resolution.

A pair folder holds images and ``pairs.json``::

    {"pairs": [{"image1": "a.jpg", "image2": "b.jpg",
                "keypoints1": [[x, y], ...], "keypoints2": [[x, y], ...]}, ...]}

(pixel coordinates of each image's own file, ``keypoints1[i]`` and ``keypoints2[i]`` the same 3D point).
Each image is resized so its longer side is ``resolution`` (both sides multiples of the patch size), the
dense features are upsampled ``upsample`` times, and every keypoint of image 1 takes the feature at its
position (bilinear) and is matched to the most similar (cosine) location of image 2. Its error is the pixel
distance, in image 2's file, to the true keypoint; recall at ``t`` is the fraction of errors below ``t``
pixels (Probe3D reports recall at pixel thresholds; pick them for your images' size).
"""
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .features import dense_features, snap, to_input


@dataclass
class KeypointPair:
    image1: np.ndarray
    image2: np.ndarray
    keypoints1: np.ndarray  # (N, 2) x, y
    keypoints2: np.ndarray
    name: str = ''


@dataclass
class CorrespondenceResult:
    errors: np.ndarray  # (total keypoints,) pixel errors in image 2
    thresholds: Tuple[float, ...]
    per_pair: List[float] = field(default_factory=list)  # mean error per pair

    @property
    def recall(self) -> Dict[float, float]:
        return {t: float((self.errors < t).mean()) if self.errors.size else float('nan') for t in self.thresholds}


def _points(value, what: str, image: np.ndarray) -> np.ndarray:
    pts = np.asarray(value, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or not np.isfinite(pts).all():
        raise ValueError(f'{what} must be a list of [x, y] pixel coordinates, got shape {pts.shape}')
    h, w = image.shape[:2]
    if pts.size and (pts.min() < 0 or (pts[:, 0] > w - 1).any() or (pts[:, 1] > h - 1).any()):
        raise ValueError(f'{what} has points outside its {w}x{h} image')
    return pts


def load_pairs(folder: str) -> List[KeypointPair]:
    """The pairs of ``folder/pairs.json`` (see the module docstring), validated before any model runs."""
    from ..sam.utils.image_io import read_rgb
    root = Path(folder)
    index = root / 'pairs.json'
    if not index.is_file():
        raise FileNotFoundError(f'{index} does not exist: a pair folder needs pairs.json '
                                f'({{"pairs": [{{"image1", "image2", "keypoints1", "keypoints2"}}]}})')
    entries = json.loads(index.read_text()).get('pairs')
    if not isinstance(entries, list) or not entries:
        raise ValueError(f'{index} has no "pairs" list')
    pairs = []
    for i, e in enumerate(entries):
        missing = {'image1', 'image2', 'keypoints1', 'keypoints2'} - set(e)
        if missing:
            raise ValueError(f'{index}: pair {i} lacks {sorted(missing)}')
        images = []
        for key in ('image1', 'image2'):
            path = root / e[key]
            if not path.is_file():
                raise FileNotFoundError(f'{index}: pair {i} {key} {path} does not exist')
            images.append(read_rgb(str(path)))
        k1 = _points(e['keypoints1'], f'pair {i} keypoints1', images[0])
        k2 = _points(e['keypoints2'], f'pair {i} keypoints2', images[1])
        if len(k1) != len(k2):
            raise ValueError(f'{index}: pair {i} has {len(k1)} keypoints1 but {len(k2)} keypoints2')
        pairs.append(KeypointPair(images[0], images[1], k1, k2, f'{e["image1"]}|{e["image2"]}'))
    return pairs


def input_size(image: np.ndarray, resolution: int, step: int) -> Tuple[int, int]:
    """(h, w): longer side ``resolution``, aspect kept, both multiples of ``step``."""
    h, w = image.shape[:2]
    scale = resolution / max(h, w)
    return snap(h * scale, step), snap(w * scale, step)


def _features(model, image: np.ndarray, resolution: int, upsample: int, adaptor: Optional[str]) -> torch.Tensor:
    feats = dense_features(model, to_input(image, input_size(image, resolution, model.min_resolution_step)), adaptor)
    if upsample > 1:
        feats = F.interpolate(feats, scale_factor=upsample, mode='bilinear', align_corners=False)
    return F.normalize(feats[0], dim=0)


def match(feat1: torch.Tensor, feat2: torch.Tensor, keypoints1: np.ndarray, size1: Tuple[int, int],
          size2: Tuple[int, int]) -> np.ndarray:
    """Image-2 pixel positions ``(N, 2)`` of the best cosine matches of image 1's keypoints.

    ``feat*``: unit ``(C, h, w)`` maps covering the whole image (pixel centres map to map centres);
    ``size*``: the ``(H, W)`` of the image files the keypoints are given in.
    """
    (h1, w1), (h2, w2) = size1, size2
    grid = torch.from_numpy(keypoints1).float()
    grid = torch.stack([(grid[:, 0] + 0.5) / w1 * 2 - 1, (grid[:, 1] + 0.5) / h1 * 2 - 1], dim=1)
    query = F.grid_sample(feat1[None], grid[None, :, None], mode='bilinear', align_corners=False)[0, :, :, 0]
    query = F.normalize(query, dim=0)  # (C, N)
    sim = torch.einsum('cn,chw->nhw', query, feat2).flatten(1)
    best = sim.argmax(dim=1)
    fh, fw = feat2.shape[-2:]
    ys, xs = (best // fw).double(), (best % fw).double()
    return np.stack([((xs + 0.5) * w2 / fw - 0.5).numpy(), ((ys + 0.5) * h2 / fh - 0.5).numpy()], axis=1)


def score_pairs(model, pairs: Sequence[KeypointPair], resolution: int, thresholds: Sequence[float] = (5, 10, 20),
                upsample: int = 4, adaptor: Optional[str] = None, progress: bool = False) -> CorrespondenceResult:
    """Probe3D-style keypoint recall of ``model``'s features over ``pairs`` at input side ``resolution``."""
    from tqdm import tqdm
    errors, per_pair = [], []
    for pair in tqdm(pairs, desc=f'pairs @ {resolution}px', unit='pair', disable=not progress):
        f1 = _features(model, pair.image1, resolution, upsample, adaptor)
        f2 = _features(model, pair.image2, resolution, upsample, adaptor)
        pred = match(f1, f2, pair.keypoints1, pair.image1.shape[:2], pair.image2.shape[:2])
        err = np.linalg.norm(pred - pair.keypoints2, axis=1)
        errors.append(err)
        per_pair.append(float(err.mean()) if err.size else float('nan'))
    return CorrespondenceResult(np.concatenate(errors), tuple(thresholds), per_pair)


def write_shifted_pairs(folder: str, num_pairs: int = 4, size: int = 128, crop: int = 96, keypoints: int = 32,
                        seed: int = 0) -> List[Tuple[int, int]]:
    """A synthetic pair folder: two crops of one demo scene, shifted by a known (dx, dy); returns the shifts."""
    import cv2
    from ..data import SceneConfig, SyntheticScenes
    if not 0 < crop < size:
        raise ValueError(f'Need 0 < crop < size, got crop={crop}, size={size}')
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    scenes = SyntheticScenes(num_pairs, SceneConfig(size=size), seed=seed, split='test')
    entries, shifts = [], []
    for i, scene in enumerate(scenes):
        dx, dy = (int(v) for v in rng.integers(1, size - crop + 1, size=2))
        a, b = scene.image[:crop, :crop], scene.image[dy:dy + crop, dx:dx + crop]
        # keypoints inside the overlap, away from its border
        k1 = rng.uniform([dx + 2, dy + 2], [crop - 3, crop - 3], size=(keypoints, 2)).round(1)
        k2 = k1 - [dx, dy]
        for name, img in ((f'{i:03d}_a.png', a), (f'{i:03d}_b.png', b)):
            cv2.imwrite(str(root / name), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        entries.append(dict(image1=f'{i:03d}_a.png', image2=f'{i:03d}_b.png', keypoints1=k1.tolist(),
                            keypoints2=k2.tolist()))
        shifts.append((dx, dy))
    (root / 'pairs.json').write_text(json.dumps({'pairs': entries}))
    return shifts
