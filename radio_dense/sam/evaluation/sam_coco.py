"""The SAM-COCO protocol: prompt every ground-truth instance, score the masks by IoU.

For each instance of a COCO-format set (crowd and empty annotations skipped), the model is
prompted with the instance's box and, separately, with one foreground point at the mask's most
interior pixel (distance-transform maximum). Two masks are scored per prompt:

- ``first``: the decoder's single-mask output (``multimask_output=False``);
- ``best``: the best of its three multimask outputs by IoU with the ground truth (oracle).

IoU is computed at the original image size; mIoU is the mean over instances.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import numpy as np
import torch
from tqdm import tqdm

from ..modeling import RadioSam
from ..predictor import RadioSamPredictor
from ..utils.coco_instances import CocoInstanceSet
from ..utils.masks import mask_iou
from ..utils.prompts import interior_point

PROMPTS = ('box', 'point')
CHOICES = ('first', 'best')


@dataclass
class SamCocoResult:
    """mIoU of one resolution: ``miou['box/first']`` etc., instance and image counts, embedding time."""

    resolution: int
    pad_to_square: bool
    num_images: int = 0
    num_instances: int = 0
    embed_seconds: float = 0.0
    miou: Dict[str, float] = field(default_factory=dict)

    def as_row(self) -> Dict[str, object]:
        row = {'resolution': self.resolution, 'pad_to_square': self.pad_to_square, 'images': self.num_images,
               'instances': self.num_instances}
        row.update({f'mIoU {k}': round(v, 4) for k, v in self.miou.items()})
        row['embed s/img'] = round(self.embed_seconds / max(self.num_images, 1), 4)
        return row


def _score_prompts(predictor: RadioSamPredictor, masks: np.ndarray, boxes: np.ndarray,
                   prompts: Sequence[str], chunk: int) -> Dict[str, List[float]]:
    scores: Dict[str, List[float]] = {f'{p}/{c}': [] for p in prompts for c in CHOICES}
    for start in range(0, len(masks), chunk):
        gt = torch.as_tensor(masks[start:start + chunk], device=predictor.device)[:, None]
        prompt_args = {}
        if 'box' in prompts:
            prompt_args['box'] = dict(point_coords=None, point_labels=None, boxes=torch.as_tensor(
                predictor.geometry.apply_boxes(boxes[start:start + chunk]), dtype=torch.float, device=predictor.device))
        if 'point' in prompts:
            points = np.stack([interior_point(m) for m in masks[start:start + chunk]])[:, None]
            prompt_args['point'] = dict(point_coords=torch.as_tensor(predictor.geometry.apply_coords(points),
                                                                dtype=torch.float, device=predictor.device),
                                   point_labels=torch.ones(len(points), 1, dtype=torch.int, device=predictor.device),
                                   boxes=None)
        for prompt, args in prompt_args.items():
            first = predictor.predict_torch(**args, multimask_output=False)[0]
            multi = predictor.predict_torch(**args, multimask_output=True)[0]
            scores[f'{prompt}/first'] += mask_iou(first, gt)[:, 0].tolist()
            scores[f'{prompt}/best'] += mask_iou(multi, gt).max(dim=1).values.tolist()
    return scores


def evaluate_sam_coco(model: RadioSam, ann_file: str, img_dir: str, resolutions: Iterable[int] = (1024,),
                      pad_to_square: Optional[bool] = None, prompts: Sequence[str] = PROMPTS,
                      max_images: Optional[int] = None, chunk: int = 32, progress: bool = True,
                      on_image: Optional[Callable[[int, Dict[str, List[float]]], None]] = None) -> List[SamCocoResult]:
    """Run the SAM-COCO protocol at each resolution; returns one :class:`SamCocoResult` per resolution.

    Args:
        model: the RadioSam to evaluate (eval mode is set).
        ann_file / img_dir: COCO instances json and the folder its ``file_name`` entries are relative to.
        resolutions: long sides to test.
        pad_to_square: ``None``: the model's default.
        prompts: any of ``('box', 'point')``.
        max_images: evaluate the first N images only (sorted by id).
        chunk: instances decoded at once.
        progress: show a tqdm bar.
    """
    unknown = set(prompts) - set(PROMPTS)
    if unknown:
        raise ValueError(f'Unknown prompts {sorted(unknown)}; use any of {PROMPTS}')
    model.eval()
    data = CocoInstanceSet(ann_file, img_dir).subset(max_images)
    results = []
    for resolution in resolutions:
        predictor = RadioSamPredictor(model, resolution, pad_to_square)
        result = SamCocoResult(resolution, predictor.pad_to_square)
        scores: Dict[str, List[float]] = {f'{p}/{c}': [] for p in prompts for c in CHOICES}
        bar = tqdm(range(len(data)), desc=f'SAM-COCO @{resolution}', unit='img', disable=not progress)
        for index in bar:
            sample = data[index]
            result.num_images += 1
            if not len(sample.masks):
                continue
            start = time.perf_counter()
            predictor.set_image(sample.image)
            result.embed_seconds += time.perf_counter() - start
            for key, values in _score_prompts(predictor, sample.masks, sample.boxes, prompts, chunk).items():
                scores[key] += values
            result.num_instances += len(sample.masks)
            if on_image is not None:
                on_image(sample.image_id, scores)
            if scores.get('box/first'):
                bar.set_postfix(box_mIoU=f"{np.mean(scores['box/first']):.3f}")
        result.miou = {k: float(np.mean(v)) if v else float('nan') for k, v in scores.items()}
        results.append(result)
    return results


def format_results_table(results: Sequence[SamCocoResult]) -> str:
    """A plain-text table, one row per resolution."""
    rows = [r.as_row() for r in results]
    if not rows:
        return '(no results)'
    headers = list(rows[0])
    cells = [[str(row.get(h, '')) for h in headers] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = ' | '.join(h.ljust(w) for h, w in zip(headers, widths))
    sep = '-+-'.join('-' * w for w in widths)
    return '\n'.join([line, sep] + [' | '.join(c.ljust(w) for c, w in zip(cell, widths)) for cell in cells])
