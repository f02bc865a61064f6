"""COCO instance annotations for synthetic scenes (RLE masks, via pycocotools)."""
from typing import Dict, List, Sequence

import numpy as np

from .classes import DEMO_THING_CLASSES
from .synthetic import Scene


def coco_categories(names: Sequence[str] = DEMO_THING_CLASSES) -> List[Dict]:
    """COCO ``categories``: ids ``1..K`` in class order (the labels of the semantic maps)."""
    return [{'id': i + 1, 'name': name, 'supercategory': 'shape'} for i, name in enumerate(names)]


def encode_mask(mask: np.ndarray) -> Dict:
    """Compressed RLE of a bool ``(H, W)`` mask, JSON-ready (``counts`` as str)."""
    from pycocotools import mask as mask_utils
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': [int(s) for s in rle['size']], 'counts': rle['counts'].decode('ascii')}


def scene_annotations(scene: Scene, image_id: int, first_ann_id: int) -> List[Dict]:
    """COCO ``annotations`` of one scene (one per instance, ids from ``first_ann_id``)."""
    anns = []
    for k, inst in enumerate(scene.instances):
        anns.append({
            'id': first_ann_id + k, 'image_id': image_id, 'category_id': int(inst.category_id),
            'segmentation': encode_mask(inst.mask), 'area': float(inst.area),
            'bbox': [float(v) for v in inst.bbox], 'iscrowd': 0,
        })
    return anns


class CocoBuilder:
    """Collects images and annotations into one COCO instances dict."""

    def __init__(self, description: str = 'radio_dense synthetic shapes'):
        self.images: List[Dict] = []
        self.annotations: List[Dict] = []
        self.description = description

    def add(self, scene: Scene, file_name: str) -> int:
        """Add a scene stored as ``file_name``; returns its image id (1-based, in order of addition)."""
        image_id = len(self.images) + 1
        h, w = scene.label.shape
        self.images.append({'id': image_id, 'file_name': file_name, 'height': int(h), 'width': int(w)})
        self.annotations += scene_annotations(scene, image_id, len(self.annotations) + 1)
        return image_id

    def to_dict(self) -> Dict:
        return {'info': {'description': self.description, 'version': '1.0'}, 'licenses': [],
                'images': self.images, 'annotations': self.annotations, 'categories': coco_categories()}
