"""Optional feature normalisers shipped with some RADIO checkpoints (PHI-S style whitening)."""
from typing import Optional, Tuple

import torch
from torch import nn


def _whiten(x: torch.Tensor, mean: torch.Tensor, tx: torch.Tensor) -> torch.Tensor:
    return (x - mean) @ tx.T


class FeatureNormalizer(nn.Module):
    """``(x - mean) @ tx.T`` on the final spatial features."""

    def __init__(self, embed_dim: int):
        super().__init__()
        self.register_buffer('mean', torch.zeros(embed_dim))
        self.register_buffer('tx', torch.eye(embed_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _whiten(x, self.mean, self.tx)


class IntermediateFeatureNormalizer(nn.Module):
    """Per-block mean, rotation and scale ``alpha`` for intermediate spatial tokens."""

    def __init__(self, num_intermediates: int, embed_dim: int, rot_per_layer: bool = False):
        super().__init__()
        self.register_buffer('alphas', torch.ones(num_intermediates))
        rot = torch.eye(embed_dim)
        self.register_buffer('rotation', rot.repeat(num_intermediates, 1, 1) if rot_per_layer else rot)
        self.register_buffer('means', torch.zeros(num_intermediates, embed_dim))

    def forward(self, x: torch.Tensor, index: int, rot_index: Optional[int] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Spatial tokens ``x`` of block ``index`` -> (normalised tokens, alpha)."""
        rot = self.rotation if self.rotation.ndim == 2 else self.rotation[index if rot_index is None else rot_index]
        return _whiten(x, self.means[index], rot), self.alphas[index]
