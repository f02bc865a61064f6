"""SamCocoDataset: COCO instances for SAM prompting, as an mmengine dataset (type='SamCocoDataset')."""
import os.path as osp
from typing import List, Optional

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS
from mmengine.structures import BaseDataElement

from ...sam.utils.coco_instances import CocoInstanceSet, resize_sample


@DATASETS.register_module()
class SamCocoDataset(BaseDataset):
    """Images resized to a long side with their ground-truth instance masks and boxes.

    Each item is ``dict(inputs=uint8 (3, h, w), data_samples=BaseDataElement(gt_masks=bool (N, h, w),
    gt_boxes=float (N, 4) xyxy; metainfo original_size, input_size, img_id, img_path))`` at the
    resized size ``(h, w)`` (long side ``resolution``); the model pads to its canvas. Use
    ``collate_fn=dict(type='pseudo_collate')``.

    Args:
        ann_file: COCO instances json (relative to ``data_root``).
        data_prefix: ``dict(img='images/training/')``: the folder of the json's ``file_name``.
        resolution: long side after resizing (the model's resolution).
        max_instances: at most this many instances per image (a random subset when training).
            Instances too small to keep a pixel after resizing are left out.
        flip_prob: horizontal flip probability (training).
        test_mode: keep every image and instance order fixed.
    """

    METAINFO = {'classes': ()}

    def __init__(self, ann_file: str, resolution: int = 1024, max_instances: Optional[int] = None,
                 flip_prob: float = 0.0, data_prefix: Optional[dict] = None, **kwargs):
        self.resolution = resolution
        self.max_instances = max_instances
        self.flip_prob = flip_prob
        self._instances: Optional[CocoInstanceSet] = None
        super().__init__(ann_file=ann_file, data_prefix=data_prefix or dict(img=''), **kwargs)

    def load_data_list(self) -> List[dict]:
        self._instances = CocoInstanceSet(self.ann_file, self.data_prefix['img'])
        return [dict(index=i, img_id=self._instances.image_ids[i],
                     img_path=osp.join(self.data_prefix['img'], self._instances.info(i)['file_name']))
                for i in range(len(self._instances))]

    def prepare_data(self, idx: int) -> dict:
        info = self.get_data_info(idx)
        original = self._instances[info['index']]
        sample = resize_sample(original, self.resolution)
        visible = sample.masks.reshape(len(sample.masks), -1).any(axis=1)  # tiny instances can vanish when resized
        masks, boxes, image = sample.masks[visible], sample.boxes[visible], sample.image
        if not self.test_mode:
            if self.max_instances and len(masks) > self.max_instances:
                keep = np.sort(np.random.choice(len(masks), self.max_instances, replace=False))
                masks, boxes = masks[keep], boxes[keep]
            if self.flip_prob and np.random.rand() < self.flip_prob:
                width = image.shape[1]
                image, masks = image[:, ::-1], masks[:, :, ::-1]
                boxes = np.stack([width - boxes[:, 2], boxes[:, 1], width - boxes[:, 0], boxes[:, 3]], axis=1)
        sample_data = BaseDataElement(
            metainfo=dict(original_size=tuple(original.image.shape[:2]), input_size=tuple(image.shape[:2]),
                          img_id=info['img_id'], img_path=info['img_path']),
            gt_masks=torch.from_numpy(np.ascontiguousarray(masks)),
            gt_boxes=torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4))
        return dict(inputs=torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).contiguous(),
                    data_samples=sample_data)
