"""Images and instance masks of a COCO-format data set, for SAM evaluation and training."""
import copy
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional

import numpy as np
from pycocotools import mask as mask_utils

from .image_io import read_rgb  # noqa: F401  (re-exported: tools import it from here)


@dataclass
class InstanceSample:
    """One image with its instances: ``masks`` ``(N, H, W)`` bool, ``boxes`` ``(N, 4)`` xyxy pixels."""

    image_id: int
    image: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray
    category_ids: np.ndarray
    path: str


def _decode(segmentation, height: int, width: int) -> np.ndarray:
    if isinstance(segmentation, list):  # polygons
        rle = mask_utils.merge(mask_utils.frPyObjects(segmentation, height, width))
    elif isinstance(segmentation.get('counts'), list):  # uncompressed RLE
        rle = mask_utils.frPyObjects(segmentation, height, width)
    else:
        rle = segmentation
    return mask_utils.decode(rle).astype(bool)


class CocoInstanceSet:
    """The non-crowd instances of a COCO instances json, image by image (sorted by image id).

    Args:
        ann_file: COCO instances json.
        img_dir: folder the images' ``file_name`` entries are relative to.
        skip_empty: leave out images without a usable instance.
    """

    def __init__(self, ann_file: str, img_dir: str, skip_empty: bool = True):
        if not os.path.isfile(ann_file):
            raise FileNotFoundError(f'COCO annotation file not found: {ann_file}. Make the demo set with '
                                    f'`python tools/make_demo_data.py --out data/demo` or pass --ann-file.')
        with open(ann_file) as f:
            coco = json.load(f)
        self.img_dir = img_dir
        self.images: Dict[int, dict] = {img['id']: img for img in coco['images']}
        self.annotations: Dict[int, List[dict]] = {}
        for ann in coco.get('annotations', []):
            if not ann.get('iscrowd', 0) and ann.get('area', 1) > 0:
                self.annotations.setdefault(ann['image_id'], []).append(ann)
        ids = sorted(self.images)
        self.image_ids = [i for i in ids if self.annotations.get(i)] if skip_empty else ids

    def __len__(self) -> int:
        return len(self.image_ids)

    def info(self, index: int) -> dict:
        return self.images[self.image_ids[index]]

    def __getitem__(self, index: int) -> InstanceSample:
        image_id = self.image_ids[index]
        info = self.images[image_id]
        path = os.path.join(self.img_dir, info['file_name'])
        image = read_rgb(path)
        h, w = image.shape[:2]
        anns = self.annotations.get(image_id, [])
        masks = [_decode(a['segmentation'], h, w) for a in anns]
        keep = [i for i, m in enumerate(masks) if m.any()]
        boxes = np.array([[anns[i]['bbox'][0], anns[i]['bbox'][1], anns[i]['bbox'][0] + anns[i]['bbox'][2],
                           anns[i]['bbox'][1] + anns[i]['bbox'][3]] for i in keep], dtype=float).reshape(-1, 4)
        return InstanceSample(
            image_id=image_id, image=image, path=path, boxes=boxes,
            masks=np.stack([masks[i] for i in keep]) if keep else np.zeros((0, h, w), bool),
            category_ids=np.array([anns[i]['category_id'] for i in keep], dtype=np.int64))

    def subset(self, max_images: Optional[int]) -> 'CocoInstanceSet':
        """The first ``max_images`` images (all when ``None``)."""
        subset = copy.copy(self)
        if max_images:
            subset.image_ids = self.image_ids[:max_images]
        return subset


def resize_sample(sample: InstanceSample, resolution: int) -> InstanceSample:
    """``sample`` resized so that its long side is ``resolution`` (SAM's rounding and PIL resize).

    Masks are resized bilinearly and thresholded at 0.5; boxes are scaled.
    """
    import torch
    from torch.nn import functional as F
    from segment_anything.utils.transforms import ResizeLongestSide

    transform = ResizeLongestSide(resolution)
    h, w = sample.image.shape[:2]
    new_h, new_w = transform.get_preprocess_shape(h, w, resolution)
    image = transform.apply_image(sample.image)
    if len(sample.masks):
        masks = F.interpolate(torch.as_tensor(sample.masks)[None].float(), (new_h, new_w), mode='bilinear',
                              align_corners=False)[0].numpy() > 0.5
    else:
        masks = np.zeros((0, new_h, new_w), bool)
    boxes = transform.apply_boxes(sample.boxes, (h, w)) if len(sample.boxes) else sample.boxes
    return InstanceSample(sample.image_id, image, masks, boxes, sample.category_ids, sample.path)
