"""PCA of dense features to RGB, with a basis fitted once and reused.

Fit a :class:`PCABasis` on the features of one set (e.g. all resolutions of all images
together) and apply it to any other features of the same width: equal colours then mean equal
directions in feature space, so pictures of different resolutions or models can be compared.

Example::

    basis = PCABasis.fit([feats_256, feats_1024])     # (B, C, h, w) maps, any sizes
    rgb = basis.to_rgb(feats_512)                       # (B, h, w, 3) in [0, 1]
"""
from dataclasses import dataclass
from typing import Sequence, Tuple, Union

import torch

Features = Union[torch.Tensor, Sequence[torch.Tensor]]


def as_tokens(features: Features) -> torch.Tensor:
    """Flatten features to ``(N, C)`` rows.

    Accepts ``(B, C, h, w)`` maps (NCHW), ``(B, L, C)`` token sequences (NLC), ``(N, C)`` rows, or a
    list of those (concatenated).
    """
    if isinstance(features, (list, tuple)):
        if not features:
            raise ValueError('No features given')
        return torch.cat([as_tokens(f) for f in features])
    if features.ndim == 4:
        return features.permute(0, 2, 3, 1).reshape(-1, features.shape[1])
    if features.ndim in (2, 3):
        return features.reshape(-1, features.shape[-1])
    raise ValueError(f'Expected (B, C, h, w), (B, L, C) or (N, C) features, got shape {tuple(features.shape)}')


@dataclass
class PCABasis:
    """Mean, principal directions and display range of a feature set.

    ``low``/``high`` are quantiles of each component on the fitted features; :meth:`to_rgb` maps
    that range to [0, 1] (clipping outside), so the same feature gives the same colour whatever
    it is applied to.
    """

    mean: torch.Tensor  # (C,)
    components: torch.Tensor  # (k, C), unit rows
    low: torch.Tensor  # (k,)
    high: torch.Tensor  # (k,)
    explained_variance_ratio: torch.Tensor  # (k,)

    @property
    def dim(self) -> int:
        return self.mean.shape[0]

    @classmethod
    def fit(cls, features: Features, n_components: int = 3, max_samples: int = 100_000,
            quantiles: Tuple[float, float] = (0.01, 0.99), seed: int = 0) -> 'PCABasis':
        """Fit on ``features`` (see :func:`as_tokens` for accepted shapes).

        Args:
            n_components: number of principal components (3 for RGB).
            max_samples: rows used for the fit (a seeded random subset when there are more).
            quantiles: lower/upper quantile of each component mapped to 0 and 1 by :meth:`to_rgb`.
            seed: seed of the subset; the fit is deterministic for a given input.
        """
        x = as_tokens(features).detach().to('cpu', torch.float64)
        n, c = x.shape
        if n < 2:
            raise ValueError(f'PCA needs at least 2 feature vectors, got {n}')
        if not 1 <= n_components <= c:
            raise ValueError(f'n_components must be in [1, {c}] for {c}-channel features, got {n_components}')
        if n > max_samples:
            gen = torch.Generator().manual_seed(seed)
            x = x[torch.randperm(n, generator=gen)[:max_samples]]
        mean = x.mean(0)
        centred = x - mean
        cov = centred.T @ centred / (centred.shape[0] - 1)
        evals, evecs = torch.linalg.eigh(cov)  # ascending
        order = torch.argsort(evals, descending=True)[:n_components]
        comps = evecs[:, order].T
        # deterministic sign: the largest loading of each component is positive
        signs = torch.sign(comps.gather(1, comps.abs().argmax(1, keepdim=True)))
        comps = comps * torch.where(signs == 0, torch.ones_like(signs), signs)
        proj = centred @ comps.T
        qs = torch.quantile(proj, torch.tensor(quantiles, dtype=torch.float64), dim=0)
        total = evals.clamp_min(0).sum()
        ratio = evals[order].clamp_min(0) / total if total > 0 else torch.zeros(n_components, dtype=torch.float64)
        return cls(mean.float(), comps.float(), qs[0].float(), qs[1].float(), ratio.float())

    def project(self, features: torch.Tensor) -> torch.Tensor:
        """Principal-component coordinates: NCHW -> ``(B, h, w, k)``; ``(..., C)`` -> ``(..., k)``."""
        if features.ndim == 4:
            features = features.permute(0, 2, 3, 1)
        if features.shape[-1] != self.dim:
            raise ValueError(f'Features have {features.shape[-1]} channels but the PCA basis was fitted on '
                             f'{self.dim}; fit a basis on features of this model/adaptor')
        x = features.detach().float().cpu()
        return (x - self.mean) @ self.components.T

    def to_rgb(self, features: torch.Tensor) -> torch.Tensor:
        """Colours in [0, 1]: NCHW -> ``(B, h, w, 3)``; ``(..., C)`` -> ``(..., 3)``.

        With fewer than 3 components the missing channels are 0.5 (grey).
        """
        proj = self.project(features)
        scaled = ((proj - self.low) / (self.high - self.low).clamp_min(1e-12)).clamp(0, 1)
        if scaled.shape[-1] < 3:
            pad = torch.full(scaled.shape[:-1] + (3 - scaled.shape[-1],), 0.5)
            scaled = torch.cat([scaled, pad], dim=-1)
        return scaled[..., :3]


def sample_tokens(maps: Sequence[torch.Tensor], per_map: int = 4096, seed: int = 0) -> torch.Tensor:
    """At most ``per_map`` random rows of each feature map, concatenated ``(N, C)``.

    Fitting on this gives every map (e.g. every resolution) the same weight, however many
    tokens it has.
    """
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for m in maps:
        tokens = as_tokens(m)
        if tokens.shape[0] > per_map:
            tokens = tokens[torch.randperm(tokens.shape[0], generator=gen)[:per_map]]
        rows.append(tokens)
    return torch.cat(rows)


def features_to_rgb(features: torch.Tensor, basis: PCABasis = None) -> torch.Tensor:
    """One-shot helper: PCA colours of ``features`` (fitting the basis on them unless given)."""
    return (basis or PCABasis.fit(features)).to_rgb(features)
