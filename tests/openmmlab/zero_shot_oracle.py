"""The oracle "text tower" of the zero-shot tests: each class's embedding is the mean of the segmentor's
own dense language features over that class's pixels in the training images.

With it, a correct zero-shot pipeline (features -> cosine with class embeddings -> softmax ->
labels, sliding windows, padding, resizing) segments the synthetic data well, and any mistake in
the pipeline (classes out of order, pixels not scaled to 0-1, misaligned windows) shows in the mIoU.
"""
import glob
import os
from typing import List, Optional

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def read_image(path: str, short_side: Optional[int] = None) -> torch.Tensor:
    """``(1, 3, H, W)`` float 0-255 RGB, resized (bilinear, as mmcv's ``Resize``) so its short side is ``short_side``."""
    image = np.array(Image.open(path).convert('RGB'))
    if short_side:
        h, w = image.shape[:2]
        scale = short_side / min(h, w)
        image = cv2.resize(image, (int(w * scale + 0.5), int(h * scale + 0.5)), interpolation=cv2.INTER_LINEAR)
    return torch.from_numpy(image).permute(2, 0, 1)[None].float()


def training_pairs(data_root: str, split: str = 'training') -> List[tuple]:
    images = sorted(glob.glob(os.path.join(data_root, 'images', split, '*.jpg')))
    return [(p, p.replace(f'images{os.sep}', f'annotations{os.sep}').replace('.jpg', '.png')) for p in images]


@torch.no_grad()
def oracle_class_embeddings(segmentor, data_root: str, num_classes: int,
                            short_side: Optional[int] = None) -> torch.Tensor:
    """``(num_classes, D)``: mean normalised dense feature of each class (nearest label per feature cell), the
    images resized to ``short_side`` as the evaluation resizes them."""
    sums, counts = None, torch.zeros(num_classes)
    for image_path, label_path in training_pairs(data_root):
        image = read_image(image_path, short_side)
        label = torch.from_numpy(np.array(Image.open(label_path)))[None, None].float()
        label = F.interpolate(label, size=image.shape[-2:], mode='nearest')
        step = segmentor.radio.min_resolution_step
        ph, pw = (-image.shape[-2]) % step, (-image.shape[-1]) % step
        feats = F.normalize(segmentor.dense_features(F.pad(image / 255.0, (0, pw, 0, ph))), dim=1)[0]
        label = F.interpolate(F.pad(label, (0, pw, 0, ph), value=255), size=feats.shape[-2:], mode='nearest')[0, 0]
        if sums is None:
            sums = torch.zeros(num_classes, feats.shape[0])
        for k in range(num_classes):
            mask = label == k
            sums[k] += feats[:, mask].sum(dim=1)
            counts[k] += mask.sum()
    if (counts == 0).any():
        raise ValueError(f'classes {torch.nonzero(counts == 0).flatten().tolist()} have no training pixels')
    return F.normalize(sums / counts[:, None], dim=-1)
