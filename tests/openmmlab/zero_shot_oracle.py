"""The oracle "text tower" of the zero-shot tests: each class's embedding is the mean of the segmentor's
own dense language features over that class's pixels in the training images.

With it, a correct zero-shot pipeline (features -> cosine with class embeddings -> softmax ->
labels, sliding windows, padding, resizing) segments the synthetic data well, and any mistake in
the pipeline (classes out of order, pixels not scaled to 0-1, misaligned windows) shows in the mIoU.
"""
import glob
import os
from typing import List

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def training_pairs(data_root: str, split: str = 'training') -> List[tuple]:
    images = sorted(glob.glob(os.path.join(data_root, 'images', split, '*.jpg')))
    return [(p, p.replace(f'images{os.sep}', f'annotations{os.sep}').replace('.jpg', '.png')) for p in images]


@torch.no_grad()
def oracle_class_embeddings(segmentor, data_root: str, num_classes: int) -> torch.Tensor:
    """``(num_classes, D)``: mean normalised dense feature of each class (nearest label per feature cell)."""
    sums, counts = None, torch.zeros(num_classes)
    for image_path, label_path in training_pairs(data_root):
        image = torch.from_numpy(np.array(Image.open(image_path).convert('RGB'))).permute(2, 0, 1)[None].float()
        label = torch.from_numpy(np.array(Image.open(label_path)))[None, None].float()
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
