"""COCO-panoptic annotations for synthetic scenes: one segment per shape (things) plus background (stuff).

Each image gets a PNG whose pixels encode segment ids as ``R + 256 G + 256^2 B`` (the COCO-panoptic
convention) and an entry in ``panoptic_<split>.json`` listing its segments. Things keep their COCO
ids ``1..K``; the visible background is one stuff segment of category ``BACKGROUND_PANOPTIC_ID``.
"""
from typing import Dict, List, Tuple

import numpy as np

from .classes import BACKGROUND, BACKGROUND_PANOPTIC_ID, DEMO_THING_CLASSES
from .synthetic import Scene


def panoptic_categories() -> List[Dict]:
    """``categories`` of the panoptic json: the shapes (``isthing=1``) then ``background`` (``isthing=0``)."""
    things = [{'id': i + 1, 'name': name, 'supercategory': 'shape', 'isthing': 1}
              for i, name in enumerate(DEMO_THING_CLASSES)]
    return things + [{'id': BACKGROUND_PANOPTIC_ID, 'name': BACKGROUND, 'supercategory': 'background', 'isthing': 0}]


def ids_to_rgb(ids: np.ndarray) -> np.ndarray:
    """Segment ids ``(H, W)`` -> uint8 RGB ``(H, W, 3)`` (``id = R + 256 G + 256^2 B``)."""
    ids = ids.astype(np.uint32)
    return np.stack([ids % 256, ids // 256 % 256, ids // 65536 % 256], axis=-1).astype(np.uint8)


def rgb_to_ids(rgb: np.ndarray) -> np.ndarray:
    """Inverse of :func:`ids_to_rgb`."""
    rgb = rgb.astype(np.uint32)
    return rgb[..., 0] + 256 * rgb[..., 1] + 65536 * rgb[..., 2]


def _segment(segment_id: int, category_id: int, mask: np.ndarray) -> Dict:
    ys, xs = np.nonzero(mask)
    bbox = [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]
    return {'id': segment_id, 'category_id': category_id, 'iscrowd': 0, 'bbox': bbox, 'area': int(mask.sum())}


def scene_panoptic(scene: Scene) -> Tuple[np.ndarray, List[Dict]]:
    """Segment-id map ``(H, W)`` (uint32, 0 = unlabelled) and ``segments_info`` of one scene.

    Shapes get ids ``1..n`` in drawing order; the background segment comes last.
    """
    ids = np.zeros(scene.label.shape, np.uint32)
    segments = []
    for k, inst in enumerate(scene.instances, start=1):
        ids[inst.mask] = k
        segments.append(_segment(k, int(inst.category_id), inst.mask))
    background = scene.label == 0
    if background.any():
        k = len(segments) + 1
        ids[background] = k
        segments.append(_segment(k, BACKGROUND_PANOPTIC_ID, background))
    return ids, segments


class PanopticBuilder:
    """Collects images and per-image segments into one COCO-panoptic dict."""

    def __init__(self, description: str = 'radio_dense synthetic shapes (panoptic)'):
        self.images: List[Dict] = []
        self.annotations: List[Dict] = []
        self.description = description

    def add(self, scene: Scene, file_name: str, png_name: str) -> np.ndarray:
        """Add a scene stored as ``file_name`` with segments in ``png_name``; returns the RGB PNG content."""
        image_id = len(self.images) + 1
        h, w = scene.label.shape
        ids, segments = scene_panoptic(scene)
        self.images.append({'id': image_id, 'file_name': file_name, 'height': int(h), 'width': int(w)})
        self.annotations.append({'image_id': image_id, 'file_name': png_name, 'segments_info': segments})
        return ids_to_rgb(ids)

    def to_dict(self) -> Dict:
        return {'info': {'description': self.description, 'version': '1.0'}, 'licenses': [],
                'images': self.images, 'annotations': self.annotations, 'categories': panoptic_categories()}
