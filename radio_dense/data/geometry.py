"""Depth and surface normals for the synthetic scenes: every shape is a tilted plane at a known depth.

The scene's layout (shapes, classes, textures) is the one :func:`make_scene` draws; a separate random
stream (so the segmentation / detection images stay byte-identical) gives each object a plane
``z = d + a * u + b * v`` (``u, v`` in metres across a 4 m wide view, ``d`` 1.5-5 m, tilted up to
40 degrees; later-drawn objects are nearer, so occlusions agree with depth) and the background a floor-like
plane 6-9 m away, always behind every object. The RGB image is the scene's texture, Lambert-shaded by the normals and hazed by depth
(fog), so depth and orientation are visible in the pixels. Normals: ``normalize(a, b, -1)`` (x right,
y down, z away from the camera), encoded as in :mod:`radio_dense.openmmlab.datasets.surface_normals`.
"""
from dataclasses import dataclass

import numpy as np

from .synthetic import SPLITS, Scene

VIEW_WIDTH_M = 4.0
OBJECT_DEPTH_M = (1.5, 5.0)
BACKGROUND_DEPTH_M = (7.0, 8.5)
MAX_TILT_DEG = 40.0
LIGHT = np.array([-0.35, -0.45, -1.0]) / np.linalg.norm([-0.35, -0.45, -1.0])  # towards the light
HAZE_RGB, FOG_DISTANCE_M = 190.0, 7.0


@dataclass
class SceneGeometry:
    """Per-pixel depth (float32 metres ``(H, W)``), unit normals (float32 ``(H, W, 3)``) and the shaded image."""

    depth: np.ndarray
    normals: np.ndarray
    image: np.ndarray  # uint8 (H, W, 3) RGB


def geometry_rng(seed: int, index: int, split: str = 'train') -> np.random.Generator:
    """The geometry's own random stream for scene ``index`` (independent of the scene's drawing stream)."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), SPLITS[split], int(index), 0x6E0]))


def _plane(rng: np.random.Generator, max_tilt_deg: float):
    tilt, azimuth = np.radians(rng.uniform(0, max_tilt_deg)), rng.uniform(0, 2 * np.pi)
    return np.tan(tilt) * np.cos(azimuth), np.tan(tilt) * np.sin(azimuth)


def scene_geometry(scene: Scene, rng: np.random.Generator) -> SceneGeometry:
    """Depth, normals and the shaded / hazed image of ``scene`` (planes drawn with ``rng``)."""
    size = scene.label.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    u, v = (xx - size / 2) / size * VIEW_WIDTH_M, (yy - size / 2) / size * VIEW_WIDTH_M
    slope_a, slope_b = np.zeros((size, size)), np.zeros((size, size))
    # background: a floor-like plane, nearer towards the bottom of the view
    a, b = rng.uniform(-0.1, 0.1), -rng.uniform(0.1, 0.3)
    depth = rng.uniform(*BACKGROUND_DEPTH_M) + a * u + b * v
    slope_a[:], slope_b[:] = a, b
    near_to_far = np.sort(rng.uniform(*OBJECT_DEPTH_M, size=len(scene.instances)))[::-1]
    for inst, d in zip(scene.instances, near_to_far):  # later instances are drawn on top: nearer
        if not inst.mask.any():
            continue
        a, b = _plane(rng, MAX_TILT_DEG)
        cu, cv = u[inst.mask].mean(), v[inst.mask].mean()
        depth[inst.mask] = (d + a * (u - cu) + b * (v - cv))[inst.mask]
        slope_a[inst.mask], slope_b[inst.mask] = a, b
    depth = np.maximum(depth, 0.5)
    normals = np.stack([slope_a, slope_b, -np.ones_like(slope_a)], axis=2)
    normals /= np.linalg.norm(normals, axis=2, keepdims=True)
    shade = 0.3 + 0.7 * np.clip(normals @ LIGHT, 0, 1)
    fog = 1.0 - np.exp(-depth / FOG_DISTANCE_M)
    image = scene.image.astype(np.float64) * shade[..., None] * (1 - fog[..., None]) + HAZE_RGB * fog[..., None]
    return SceneGeometry(depth.astype(np.float32), normals.astype(np.float32),
                         np.clip(np.round(image), 0, 255).astype(np.uint8))


def encode_normals(normals: np.ndarray, valid: np.ndarray = None) -> np.ndarray:
    """float ``(H, W, 3)`` unit normals -> uint8 RGB ``(n + 1) / 2 * 255``; ``valid=False`` pixels become (0, 0, 0)."""
    rgb = np.clip(np.round((normals + 1.0) / 2.0 * 255.0), 1, 255).astype(np.uint8)
    if valid is not None:
        rgb[~valid] = 0
    return rgb


def decode_normals(rgb: np.ndarray) -> np.ndarray:
    """uint8 ``(H, W, 3)`` RGB -> float32 unit normals, zero where unlabelled (RGB 0, 0, 0)."""
    n = rgb.astype(np.float32) / 255.0 * 2.0 - 1.0
    norm = np.linalg.norm(n, axis=2, keepdims=True)
    labelled = rgb.any(axis=2, keepdims=True)
    return np.where(labelled, n / np.maximum(norm, 1e-6), 0.0).astype(np.float32)


def depth_to_png16(depth_m: np.ndarray) -> np.ndarray:
    """Metres -> uint16 millimetres (NYUv2's PNG convention; mmseg reads it with ``depth_rescale_factor=1e-3``)."""
    return np.clip(np.round(depth_m * 1000.0), 0, 65535).astype(np.uint16)
