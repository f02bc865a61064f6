"""NormalMetric: the surface-normal angular errors (mean, median, RMSE, % within 11.25 / 22.5 / 30 degrees)."""
from collections import OrderedDict
from typing import Dict, Sequence

import torch
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from ..models.angular_loss import angle_error, valid_normal_mask

#: histogram resolution: medians are exact to 0.01 degree, and memory per image is fixed (18000 counts)
BIN_DEGREES = 0.01
THRESHOLDS = (11.25, 22.5, 30.0)


@METRICS.register_module()
class NormalMetric(BaseMetric):
    """Angular errors between ``pred_depth_map`` (3-channel normals) and ``gt_depth_map`` over labelled pixels.

    Each image adds a histogram of its per-pixel errors (``BIN_DEGREES`` wide), the sum and the sum of
    squares, so the metric is exact for the mean / RMSE, exact to 0.01 degree for the median, and
    cheap to gather across processes however large the images are.
    """

    default_prefix = 'normal'

    def __init__(self, collect_device: str = 'cpu', prefix: str = None, **kwargs):
        super().__init__(collect_device=collect_device, prefix=prefix, **kwargs)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        bins = int(round(180 / BIN_DEGREES))
        for sample in data_samples:
            pred = sample['pred_depth_map']['data'].float()
            gt = sample['gt_depth_map']['data'].to(pred)
            if pred.shape != gt.shape or pred.shape[0] != 3:
                raise ValueError(f'NormalMetric needs 3-channel prediction and ground truth of one size, got '
                                 f'{tuple(pred.shape)} and {tuple(gt.shape)}')
            mask = valid_normal_mask(gt[None])[0]
            err = torch.rad2deg(angle_error(pred[None], gt[None])[0][mask]).double()
            hist = torch.histc(err, bins=bins, min=0, max=180).cpu()
            self.results.append((hist, float(err.sum()), float((err ** 2).sum()), int(err.numel())))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        hist = torch.stack([r[0] for r in results]).sum(0)
        count = sum(r[3] for r in results)
        if count == 0:
            raise ValueError('NormalMetric: no labelled pixel (all ground-truth normals are zero)')
        cumulative = hist.cumsum(0)
        median_bin = int(torch.searchsorted(cumulative, torch.tensor(count / 2, dtype=cumulative.dtype)))
        metrics = OrderedDict(
            mean=sum(r[1] for r in results) / count,
            median=(median_bin + 0.5) * BIN_DEGREES,
            rmse=(sum(r[2] for r in results) / count) ** 0.5)
        for t in THRESHOLDS:
            metrics[f'within_{t:g}'] = 100.0 * float(hist[:int(round(t / BIN_DEGREES))].sum()) / count
        return metrics
