"""Write automatic-mask-generator results: one PNG per mask plus ``metadata.csv``, or COCO RLE JSON,
and an overlay picture of all masks (the output layouts of segment-anything's ``scripts/amg.py``)."""
import csv
import json
import os
from typing import Dict, List

import numpy as np
from PIL import Image

METADATA_COLUMNS = ('id', 'area', 'bbox_x0', 'bbox_y0', 'bbox_w', 'bbox_h', 'point_input_x', 'point_input_y',
                    'predicted_iou', 'stability_score', 'crop_box_x0', 'crop_box_y0', 'crop_box_w', 'crop_box_h')


def write_mask_folder(masks: List[Dict], folder: str) -> None:
    """``folder/<i>.png`` (0 / 255) per mask, largest first as generated, and ``folder/metadata.csv``."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'metadata.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(METADATA_COLUMNS)
        for i, mask in enumerate(masks):
            Image.fromarray(mask['segmentation'].astype(np.uint8) * 255).save(os.path.join(folder, f'{i}.png'))
            point = mask['point_coords'][0]
            writer.writerow([i, mask['area'], *mask['bbox'], *point, f"{mask['predicted_iou']:.4f}",
                             f"{mask['stability_score']:.4f}", *mask['crop_box']])


def write_rle_json(masks: List[Dict], path: str) -> None:
    """The annotations (``segmentation`` as COCO RLE with a str ``counts``) as one JSON list."""
    def plain(value):
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    with open(path, 'w') as f:
        json.dump([plain(m) for m in masks], f)


def masks_overlay(image: np.ndarray, masks: List[Dict], alpha: float = 0.5, seed: int = 0) -> np.ndarray:
    """``image`` with every mask tinted in its own random colour (largest drawn first, small ones on top)."""
    from pycocotools import mask as mask_utils
    out = image.astype(np.float32)
    rng = np.random.default_rng(seed)
    for mask in sorted(masks, key=lambda m: -m['area']):
        segmentation = mask['segmentation']
        if isinstance(segmentation, dict):
            segmentation = mask_utils.decode(segmentation)
        region = segmentation.astype(bool)
        out[region] = out[region] * (1 - alpha) + rng.integers(40, 256, 3) * alpha
    return out.round().astype(np.uint8)
