"""SamPromptIoUMetric: mIoU of prompted masks against ground truth (type='SamPromptIoUMetric')."""
from typing import Dict, List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.registry import METRICS


@METRICS.register_module()
class SamPromptIoUMetric(BaseMetric):
    """Mean IoU over all ground-truth instances of the masks that ``RadioSamModel`` predicts from prompts.

    Reads the ``ious`` (one per instance, per prompt kind) that ``RadioSamModel.predict`` puts into
    each output, and reports ``mIoU_<prompt>`` plus the instance count.
    """

    default_prefix = 'sam'

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            self.results.append({k: np.asarray(v.cpu() if hasattr(v, 'cpu') else v, dtype=float)
                                 for k, v in sample['ious'].items()})

    def compute_metrics(self, results: List[Dict[str, np.ndarray]]) -> Dict[str, float]:
        keys = sorted({k for r in results for k in r})
        metrics = {}
        for key in keys:
            values = np.concatenate([r[key] for r in results if key in r])
            metrics[f'mIoU_{key}'] = float(values.mean()) if len(values) else float('nan')
        metrics['instances'] = int(sum(len(next(iter(r.values()))) for r in results if r))
        return metrics
