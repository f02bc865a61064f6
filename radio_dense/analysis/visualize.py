"""Feature pictures: PCA colours of one model's features over images and resolutions."""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from tqdm import tqdm

from ..radio import RADIOModel
from .features import center_square, dense_features, snap, to_input
from .grid import image_grid
from .pca import PCABasis, sample_tokens
from .timing import stopwatch


@dataclass
class FeatureSweep:
    """Features of ``images`` (square crops) at each of ``resolutions``: ``features[(i, res)] = (C, h, w)``."""

    images: List[np.ndarray]
    resolutions: List[int]
    features: Dict[Tuple[int, int], torch.Tensor]
    seconds: Dict[Tuple[int, int], float]


def sweep_features(model: RADIOModel, images: Sequence[np.ndarray], resolutions: Sequence[int],
                   adaptor: Optional[str] = None, progress: bool = True) -> FeatureSweep:
    """Run ``model`` on centre-square crops of ``images`` at each resolution (snapped to the patch grid)."""
    step = model.min_resolution_step
    resolutions = [snap(r, step) for r in resolutions]
    crops = [center_square(im) for im in images]
    feats, secs = {}, {}
    jobs = [(i, r) for i in range(len(crops)) for r in resolutions]
    for i, r in tqdm(jobs, desc='features', unit='run', disable=not progress):
        with stopwatch(next(model.parameters()).device) as watch:
            feats[(i, r)] = dense_features(model, to_input(crops[i], (r, r)), adaptor)[0]
        secs[(i, r)] = watch.ms / 1000
    return FeatureSweep(crops, resolutions, feats, secs)


def fit_shared_basis(sweep: FeatureSweep, per_map: int = 4096, seed: int = 0) -> PCABasis:
    """One PCA basis for all images and resolutions, each map weighted equally."""
    return PCABasis.fit(sample_tokens([f[None] for f in sweep.features.values()], per_map, seed), seed=seed)


def pca_grid(sweep: FeatureSweep, basis: Optional[PCABasis] = None, cell: int = 256):
    """Grid picture: one row per image, columns ``input`` then each resolution (shared PCA colours)."""
    basis = basis or fit_shared_basis(sweep)
    rows = []
    for i, image in enumerate(sweep.images):
        row = [image]
        for r in sweep.resolutions:
            row.append(basis.to_rgb(sweep.features[(i, r)][None])[0].numpy())
        rows.append(row)
    first = sweep.features[(0, sweep.resolutions[0])]
    titles = ['input'] + [f'{r}px ({sweep.features[(0, r)].shape[-2]}x{sweep.features[(0, r)].shape[-1]}, '
                          f'C={first.shape[0]})' for r in sweep.resolutions]
    return image_grid(rows, titles, cell)
