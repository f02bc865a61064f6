"""Deterministic procedural scenes: textured shapes on textured backgrounds.

A scene is an RGB image, its semantic label map (0 = background, ``1..K`` = the classes of
:mod:`radio_dense.data.classes`) and one visible-pixel mask per object instance. Scenes are
built to be learnable by a tiny ViT from scratch: 1-4 large objects (each spanning 22-45 % of
the image side), little occlusion (every object keeps most of its pixels), and classes that differ
in shape, colour and texture at once. Colours are jittered per instance, backgrounds are
smooth low-saturation noise with grain.

Every scene is a pure function of ``(seed, split, index)``: the same arguments give the same
pixels on every run, independent of how many scenes are drawn or in which order.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Sequence, Tuple

import cv2
import numpy as np

from .classes import SHAPE_CLASSES

SPLITS = {'train': 0, 'val': 1, 'test': 2}
_SUBPIXEL_BITS = 4  # cv2 drawing precision: coordinates are given in 1/16 pixel


@dataclass(frozen=True)
class SceneConfig:
    """How scenes are drawn. Extents are fractions of the image side."""

    size: int = 256
    min_objects: int = 1
    max_objects: int = 4
    min_extent: float = 0.22  # diameter of an object's circumscribed circle, as a fraction of the side
    max_extent: float = 0.45
    min_visible: float = 0.65  # every object keeps at least this fraction of its pixels
    color_jitter: float = 0.12  # relative brightness / per-channel jitter of class colours
    max_tries: int = 60  # placement attempts per object before giving up on it

    def __post_init__(self):
        if self.size < 32:
            raise ValueError(f'SceneConfig.size must be at least 32 pixels, got {self.size}')
        if not 1 <= self.min_objects <= self.max_objects:
            raise ValueError(f'Need 1 <= min_objects <= max_objects, got {self.min_objects}, {self.max_objects}')
        if not 0 < self.min_extent <= self.max_extent <= 1:
            raise ValueError(f'Need 0 < min_extent <= max_extent <= 1, got {self.min_extent}, {self.max_extent}')


@dataclass
class Instance:
    """One object: its class label (1..K, also its COCO category id) and visible pixels."""

    category_id: int
    mask: np.ndarray  # bool (H, W)

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    @property
    def bbox(self) -> Tuple[int, int, int, int]:
        """``(x, y, w, h)`` of the visible pixels, COCO style (pixel-aligned, exclusive end)."""
        ys, xs = np.nonzero(self.mask)
        return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


@dataclass
class Scene:
    """An image (uint8 ``(H, W, 3)`` RGB), its label map (uint8 ``(H, W)``) and its instances."""

    image: np.ndarray
    label: np.ndarray
    instances: List[Instance] = field(default_factory=list)


def scene_rng(seed: int, index: int, split: str = 'train') -> np.random.Generator:
    """The random generator of scene ``index`` of ``split``: independent streams per scene."""
    if split not in SPLITS:
        raise ValueError(f'Unknown split {split!r}; use one of {sorted(SPLITS)}')
    return np.random.default_rng(np.random.SeedSequence([int(seed), SPLITS[split], int(index)]))


# ----- shapes: (size, centre, radius, angle) -> bool mask -----
def _to_fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * (1 << _SUBPIXEL_BITS)).astype(np.int32)


def _polygon_mask(size: int, centre: np.ndarray, local_points: np.ndarray, angle: float) -> np.ndarray:
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = local_points @ rot.T + centre
    mask = np.zeros((size, size), np.uint8)
    cv2.fillPoly(mask, [_to_fixed(pts)], 1, lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)
    return mask.astype(bool)


def _star_points(n: int, outer: float, inner: float) -> np.ndarray:
    radii = np.where(np.arange(2 * n) % 2 == 0, outer, inner)
    theta = np.arange(2 * n) * np.pi / n - np.pi / 2
    return np.stack([radii * np.cos(theta), radii * np.sin(theta)], axis=1)


def _regular_points(n: int, radius: float) -> np.ndarray:
    theta = np.arange(n) * 2 * np.pi / n - np.pi / 2
    return np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)


def _cross_points(radius: float, arm: float) -> np.ndarray:
    a, r = arm, radius
    return np.array([(a, r), (a, a), (r, a), (r, -a), (a, -a), (a, -r),
                     (-a, -r), (-a, -a), (-r, -a), (-r, a), (-a, a), (-a, r)], dtype=np.float64)


def _circle(size, centre, r, angle):
    mask = np.zeros((size, size), np.uint8)
    cv2.circle(mask, tuple(int(v) for v in _to_fixed(centre)), int(round(r * (1 << _SUBPIXEL_BITS))), 1, -1,
               lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)
    return mask.astype(bool)


def _ellipse(size, centre, r, angle):
    mask = np.zeros((size, size), np.uint8)
    axes = (int(round(r * (1 << _SUBPIXEL_BITS))), int(round(0.5 * r * (1 << _SUBPIXEL_BITS))))
    cv2.ellipse(mask, tuple(int(v) for v in _to_fixed(centre)), axes, float(np.degrees(angle)), 0, 360, 1, -1,
                lineType=cv2.LINE_8, shift=_SUBPIXEL_BITS)
    return mask.astype(bool)


SHAPES: Dict[str, Callable[[int, np.ndarray, float, float], np.ndarray]] = {
    'circle': _circle,
    'square': lambda size, c, r, a: _polygon_mask(size, c, _regular_points(4, r), a + np.pi / 4),
    'triangle': lambda size, c, r, a: _polygon_mask(size, c, _regular_points(3, r), a),
    'star': lambda size, c, r, a: _polygon_mask(size, c, _star_points(5, r, 0.45 * r), a),
    'ellipse': _ellipse,
    'cross': lambda size, c, r, a: _polygon_mask(size, c, _cross_points(r, 0.34 * r), a),
}


# ----- textures: local coordinates -> pattern in [0, 1] (0: base colour, 1: dark colour) -----
def _local_coords(size: int, centre: np.ndarray, angle: float) -> Tuple[np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    dx, dy = xx - centre[0], yy - centre[1]
    c, s = np.float32(np.cos(angle)), np.float32(np.sin(angle))
    return c * dx + s * dy, -s * dx + c * dy


def _tex_solid(u, v, r, rng):
    return np.zeros_like(u)


def _tex_stripes(u, v, r, rng):
    period = r * rng.uniform(0.35, 0.5)
    return (np.sin(2 * np.pi * v / period + rng.uniform(0, 2 * np.pi)) > 0).astype(np.float32)


def _tex_checker(u, v, r, rng):
    cell = r * rng.uniform(0.3, 0.45)
    return ((np.floor(u / cell) + np.floor(v / cell)) % 2).astype(np.float32)


def _tex_dots(u, v, r, rng):
    cell = r * rng.uniform(0.3, 0.4)
    du, dv = np.mod(u, cell) - cell / 2, np.mod(v, cell) - cell / 2
    return (du * du + dv * dv < (0.3 * cell) ** 2).astype(np.float32)


def _tex_rings(u, v, r, rng):
    period = r * rng.uniform(0.3, 0.45)
    return (np.sin(2 * np.pi * np.sqrt(u * u + v * v) / period) > 0).astype(np.float32)


def _tex_speckle(u, v, r, rng):
    cell = max(int(r * 0.12), 2)
    grid = rng.random(((u.shape[0] + cell - 1) // cell, (u.shape[1] + cell - 1) // cell)) < 0.4
    return np.kron(grid, np.ones((cell, cell)))[:u.shape[0], :u.shape[1]].astype(np.float32)


TEXTURES: Dict[str, Callable] = {
    'solid': _tex_solid, 'stripes': _tex_stripes, 'checker': _tex_checker,
    'dots': _tex_dots, 'rings': _tex_rings, 'speckle': _tex_speckle,
}


def _background(size: int, rng: np.random.Generator) -> np.ndarray:
    """Smooth low-saturation colour noise with fine grain, float32 ``(S, S, 3)`` in 0..255."""
    grey = rng.uniform(70, 175)
    tint = rng.uniform(-18, 18, size=3)
    coarse = rng.normal(0, 1, size=(5, 5, 3)).astype(np.float32)
    field_ = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    luminance = field_.mean(axis=2, keepdims=True)
    image = grey + tint + 28 * luminance + 8 * (field_ - luminance)
    return image + rng.normal(0, 6, size=(size, size, 1)).astype(np.float32)


def _class_colors(class_idx: int, jitter: float, rng: np.random.Generator) -> Tuple[np.ndarray, np.ndarray]:
    base = np.asarray(SHAPE_CLASSES[class_idx].color, np.float32)
    color = base * rng.uniform(1 - jitter, 1 + jitter) + rng.uniform(-1, 1, 3) * jitter * 128
    color = np.clip(color, 0, 255)
    return color, color * rng.uniform(0.45, 0.6)


def _place(config: SceneConfig, rng: np.random.Generator, full_masks: List[np.ndarray], class_idx: int):
    """Sample a pose for one object so every object (old and new) stays mostly visible."""
    size = config.size
    shape = SHAPES[SHAPE_CLASSES[class_idx].name]
    for _ in range(config.max_tries):
        r = rng.uniform(config.min_extent, config.max_extent) * size / 2
        centre = rng.uniform(0.85 * r, size - 0.85 * r, size=2)
        angle = rng.uniform(0, 2 * np.pi)
        mask = shape(size, centre, r, angle)
        area = mask.sum()
        if area < (config.min_extent * size / 2) ** 2:
            continue
        covered = np.zeros_like(mask)
        ok = True
        for older in reversed(full_masks):  # later objects are drawn on top of earlier ones
            visible = older & ~covered & ~mask
            if visible.sum() < config.min_visible * older.sum():
                ok = False
                break
            covered |= older
        if ok:
            return mask, centre, r, angle
    return None


def make_scene(rng: np.random.Generator, config: SceneConfig = SceneConfig()) -> Scene:
    """Draw one scene with ``rng`` (see :func:`scene_rng` for reproducible per-index generators)."""
    size = config.size
    image = _background(size, rng)
    label = np.zeros((size, size), np.uint8)
    num = int(rng.integers(config.min_objects, config.max_objects + 1))
    placed = []  # (class_idx, full mask)
    for _ in range(num):
        class_idx = int(rng.integers(len(SHAPE_CLASSES)))
        pose = _place(config, rng, [m for _, m in placed], class_idx)
        if pose is None:
            continue
        mask, centre, r, angle = pose
        u, v = _local_coords(size, centre, angle)
        pattern = TEXTURES[SHAPE_CLASSES[class_idx].texture](u, v, r, rng)[..., None]
        color, dark = _class_colors(class_idx, config.color_jitter, rng)
        image[mask] = (color * (1 - pattern) + dark * pattern)[mask]
        label[mask] = class_idx + 1
        placed.append((class_idx, mask))
    image += rng.normal(0, 4, size=(size, size, 1)).astype(np.float32)
    instances = []
    covered = np.zeros((size, size), bool)
    for class_idx, mask in reversed(placed):
        instances.append(Instance(class_idx + 1, mask & ~covered))
        covered |= mask
    return Scene(np.clip(np.round(image), 0, 255).astype(np.uint8), label, instances[::-1])


class SyntheticScenes(Sequence):
    """``num`` reproducible scenes of one split: ``scenes[i]`` is always the same :class:`Scene`."""

    def __init__(self, num: int, config: SceneConfig = SceneConfig(), seed: int = 0, split: str = 'train'):
        if num < 0:
            raise ValueError(f'num must be >= 0, got {num}')
        scene_rng(seed, 0, split)  # validates the split
        self.num, self.config, self.seed, self.split = num, config, seed, split

    def __len__(self) -> int:
        return self.num

    def __getitem__(self, index: int) -> Scene:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.num))]
        if not -self.num <= index < self.num:
            raise IndexError(f'scene index {index} out of range for {self.num} scenes')
        index %= self.num
        return make_scene(scene_rng(self.seed, index, self.split), self.config)
