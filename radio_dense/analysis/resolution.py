"""Mode-switching study: how RADIO's features change with the input resolution.

Features of each image at each resolution are resampled to one common grid and compared with
those at a reference resolution (per-token cosine similarity, MSE), and optionally an adaptor's
output with a teacher's features (MSE), as in the RADIOv2.5 report.
"""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from ..radio import RADIOModel
from .features import center_square, dense_features, resample, snap, to_input
from .teacher import TimmTeacher
from .timing import stopwatch


def resolution_range(low: int, high: int, step: int, multiple: int) -> List[int]:
    """``low, low+step, ... <= high`` plus ``high``, snapped to ``multiple`` and deduplicated."""
    if not 0 < low <= high or step <= 0:
        raise ValueError(f'Need 0 < min <= max and step > 0, got min={low} max={high} step={step}')
    values = list(range(low, high + 1, step))
    if values[-1] != high:
        values.append(high)
    return sorted({snap(v, multiple) for v in values})


def compare(features: torch.Tensor, reference: torch.Tensor) -> Dict[str, float]:
    """Mean per-token cosine similarity and MSE of two ``(C, h, w)`` maps on the same grid."""
    cos = F.cosine_similarity(features, reference, dim=0, eps=1e-8).mean().item()
    return {'cos_sim': cos, 'mse': F.mse_loss(features, reference).item()}


def _teacher_targets(teacher: TimmTeacher, crops, side: Optional[int], grid) -> List[torch.Tensor]:
    return [resample(teacher.features(c, side)[None], grid)[0] for c in crops]


def resolution_sweep(model: RADIOModel, images: Sequence[np.ndarray], resolutions: Sequence[int], reference: int,
                     adaptor: Optional[str] = None, teacher: Optional[TimmTeacher] = None,
                     teacher_resolution: Union[int, str, None] = None, grid: Optional[int] = None,
                     progress: bool = True) -> List[Dict[str, float]]:
    """One row per resolution: ``resolution, grid, cos_sim, mse[, teacher_mse], seconds`` (image means).

    Features (the backbone's, or ``adaptor``'s when given) of every resolution, the reference
    included, are resampled to a ``grid x grid`` token grid (default: the grid of the smallest
    resolution, so every map is shrunk or kept and resampling adds no detail to compare) and
    compared there with the reference's. With ``teacher``, ``teacher_mse`` is the MSE between the
    features and the teacher's on that grid; the teacher sees the image at ``teacher_resolution``:
    ``None``/``'native'`` (its training resolution, once), ``'same'`` (each row's resolution, as
    the RADIOv2.5 report's study) or a number of pixels. Feature widths must match (use the
    adaptor trained on that teacher).
    """
    step = model.min_resolution_step
    reference = snap(reference, step)
    resolutions = sorted({snap(r, step) for r in resolutions} | {reference})
    crops = [center_square(im) for im in images]
    side = grid or resolutions[0] // model.patch_size
    grid = (side, side)
    ref_feats = [resample(dense_features(model, to_input(c, (reference, reference)), adaptor), grid)[0]
                 for c in crops]
    targets = None
    per_row_teacher = teacher_resolution == 'same'
    if teacher is not None:
        fixed = None if teacher_resolution in (None, 'native', 'same') else int(teacher_resolution)
        targets = _teacher_targets(teacher, crops, fixed, grid)
        if targets[0].shape[0] != ref_feats[0].shape[0]:
            raise ValueError(f'{"Adaptor " + adaptor if adaptor else "Backbone"} features have {ref_feats[0].shape[0]} '
                             f'channels but teacher {teacher.name} has {targets[0].shape[0]}; compare the adaptor '
                             f'trained on this teacher (--adaptor)')
    rows = []
    for res in tqdm(resolutions, desc='resolutions', unit='res', disable=not progress):
        stats: Dict[str, List[float]] = {}
        with stopwatch(next(model.parameters()).device) as watch:
            if teacher is not None and per_row_teacher:
                targets = _teacher_targets(teacher, crops, res, grid)
            for i, crop in enumerate(crops):
                feats = dense_features(model, to_input(crop, (res, res)), adaptor)
                on_grid = resample(feats, grid)[0]
                values = compare(on_grid, ref_feats[i])
                if targets is not None:
                    values['teacher_mse'] = F.mse_loss(on_grid, targets[i]).item()
                for k, v in values.items():
                    stats.setdefault(k, []).append(v)
        row = {'resolution': res, 'grid': feats.shape[-1]}
        row.update({k: float(np.mean(v)) for k, v in stats.items()})
        row['seconds'] = watch.ms / 1000 / len(crops)
        rows.append(row)
    return rows
