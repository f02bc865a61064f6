"""Building blocks of ViT-Adapter (Chen et al., ICLR 2023) on top of mmcv's deformable attention.

* :class:`SpatialPriorModule`: a small conv stem giving stride 4/8/16/32 maps of ``embed_dim``.
* :class:`Injector`: deformable cross-attention from the multi-scale prior features into the ViT
  patch tokens, scaled by a learnable per-channel ``gamma`` (0 at init: the ViT starts unchanged).
* :class:`Extractor`: deformable cross-attention from the ViT patch tokens back into the
  multi-scale features, optionally followed by a convolutional FFN.

Token sequences are described by a :class:`TokenLevels` (the ``(h, w)`` grid and pixel stride of
each level). Reference points are computed in pixels and normalised per level, so the levels
stay aligned for any input size, including grids that are not a power-of-two multiple of
each other (odd sizes round up in the stride-2 convolutions).
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmcv.ops import MultiScaleDeformableAttention
from timm.layers import DropPath
from torch import nn
from torch.utils.checkpoint import checkpoint


@dataclass(frozen=True)
class TokenLevels:
    """Flattened multi-level token layout: per level its ``(h, w)`` grid and stride in pixels."""

    shapes: Tuple[Tuple[int, int], ...]
    strides: Tuple[int, ...]

    @property
    def lengths(self) -> List[int]:
        return [h * w for h, w in self.shapes]

    def spatial_shapes(self, device: torch.device) -> torch.Tensor:
        return torch.as_tensor(self.shapes, dtype=torch.long, device=device)

    def level_start_index(self, device: torch.device) -> torch.Tensor:
        starts = [0]
        for n in self.lengths[:-1]:
            starts.append(starts[-1] + n)
        return torch.as_tensor(starts, dtype=torch.long, device=device)

    def pixel_centres(self, device: torch.device) -> torch.Tensor:
        """``(sum h*w, 2)`` pixel ``(x, y)`` centres of every token, level after level, row-major."""
        centres = []
        for (h, w), s in zip(self.shapes, self.strides):
            ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * s
            xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * s
            yy, xx = torch.meshgrid(ys, xs, indexing='ij')
            centres.append(torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=-1))
        return torch.cat(centres)

    def reference_points(self, queries: 'TokenLevels', device: torch.device) -> torch.Tensor:
        """Where each token of ``queries`` sits in each of our levels: ``(1, Nq, L, 2)`` in [0, 1].

        Normalised by each level's own extent (``w * stride`` pixels), as mmcv's
        ``MultiScaleDeformableAttention`` expects (top-left 0, bottom-right 1).
        """
        centres = queries.pixel_centres(device)
        extents = torch.as_tensor([(w * s, h * s) for (h, w), s in zip(self.shapes, self.strides)],
                                  dtype=torch.float32, device=device)
        return (centres[:, None, :] / extents[None]).unsqueeze(0)

    def split(self, tokens: torch.Tensor) -> List[torch.Tensor]:
        """``(B, sum h*w, C)`` -> one ``(B, C, h, w)`` map per level."""
        parts = tokens.split(self.lengths, dim=1)
        return [p.transpose(1, 2).reshape(p.shape[0], p.shape[2], h, w) for p, (h, w) in zip(parts, self.shapes)]


def flatten_maps(maps: Sequence[torch.Tensor]) -> torch.Tensor:
    """Maps ``(B, C, h_i, w_i)`` -> ``(B, sum h_i*w_i, C)``."""
    return torch.cat([m.flatten(2).transpose(1, 2) for m in maps], dim=1)


def _conv_norm_relu(in_ch: int, out_ch: int, stride: int, norm_cfg: dict) -> List[nn.Module]:
    return [nn.Conv2d(in_ch, out_ch, 3, stride, 1, bias=False), build_norm_layer(norm_cfg, out_ch)[1],
            nn.ReLU(inplace=True)]


class SpatialPriorModule(nn.Module):
    """ResNet-like stem (stride 4) then three stride-2 convs; 1x1 projections to ``embed_dim``."""

    def __init__(self, embed_dim: int, inplanes: int = 64, norm_cfg: Optional[dict] = None):
        super().__init__()
        norm_cfg = norm_cfg or dict(type='SyncBN', requires_grad=True)
        self.stem = nn.Sequential(*_conv_norm_relu(3, inplanes, 2, norm_cfg),
                                  *_conv_norm_relu(inplanes, inplanes, 1, norm_cfg),
                                  *_conv_norm_relu(inplanes, inplanes, 1, norm_cfg),
                                  nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
        widths = [inplanes, 2 * inplanes, 4 * inplanes, 4 * inplanes]
        self.downs = nn.ModuleList(nn.Sequential(*_conv_norm_relu(a, b, 2, norm_cfg))
                                   for a, b in zip(widths[:-1], widths[1:]))
        self.projs = nn.ModuleList(nn.Conv2d(w, embed_dim, 1) for w in widths)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        """Images ``(B, 3, H, W)`` -> maps at strides 4, 8, 16, 32, each ``(B, embed_dim, ., .)``."""
        feats = [self.stem(x)]
        for down in self.downs:
            feats.append(down(feats[-1]))
        return [proj(f) for proj, f in zip(self.projs, feats)]


def _deform_attn(dim: int, num_heads: int, num_levels: int, num_points: int, value_ratio: float
                 ) -> MultiScaleDeformableAttention:
    return MultiScaleDeformableAttention(embed_dims=dim, num_heads=num_heads, num_levels=num_levels,
                                         num_points=num_points, dropout=0.0, batch_first=True,
                                         value_proj_ratio=value_ratio)


def _cross_attend(attn: MultiScaleDeformableAttention, query: torch.Tensor, value: torch.Tensor,
                  value_levels: TokenLevels, reference_points: torch.Tensor) -> torch.Tensor:
    """mmcv's deformable attention without its built-in residual (callers add their own, scaled)."""
    device = query.device
    return attn(query, value=value, identity=query.new_zeros(()), reference_points=reference_points,
                spatial_shapes=value_levels.spatial_shapes(device),
                level_start_index=value_levels.level_start_index(device))


class Injector(nn.Module):
    """``x + gamma * DeformAttn(norm(x), norm(prior))``: prior features into the ViT patch tokens."""

    def __init__(self, dim: int, num_heads: int, num_levels: int = 3, num_points: int = 4,
                 value_ratio: float = 1.0, init_gamma: float = 0.0):
        super().__init__()
        self.query_norm = nn.LayerNorm(dim, eps=1e-6)
        self.feat_norm = nn.LayerNorm(dim, eps=1e-6)
        self.attn = _deform_attn(dim, num_heads, num_levels, num_points, value_ratio)
        self.gamma = nn.Parameter(torch.full((dim,), float(init_gamma)))

    def forward(self, x: torch.Tensor, prior: torch.Tensor, prior_levels: TokenLevels,
                reference_points: torch.Tensor) -> torch.Tensor:
        attn = _cross_attend(self.attn, self.query_norm(x), self.feat_norm(prior), prior_levels, reference_points)
        return x + self.gamma * attn


class ConvFFN(nn.Module):
    """Linear -> 3x3 depthwise conv on each level's map -> GELU -> linear (ViT-Adapter's CFFN)."""

    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.dwconv = nn.Conv2d(hidden, hidden, 3, 1, 1, groups=hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        for fc in (self.fc1, self.fc2):
            nn.init.trunc_normal_(fc.weight, std=0.02)
            nn.init.zeros_(fc.bias)

    def forward(self, x: torch.Tensor, levels: TokenLevels) -> torch.Tensor:
        maps = [self.dwconv(m) for m in levels.split(self.fc1(x))]
        return self.fc2(self.act(flatten_maps(maps)))


class Extractor(nn.Module):
    """``c + DeformAttn(norm(c), norm(x))`` then ``+ CFFN(norm(c))``: ViT tokens into the prior features."""

    def __init__(self, dim: int, num_heads: int, num_points: int = 4, value_ratio: float = 1.0,
                 with_cffn: bool = True, cffn_ratio: float = 0.25, drop_path: float = 0.0):
        super().__init__()
        self.query_norm = nn.LayerNorm(dim, eps=1e-6)
        self.feat_norm = nn.LayerNorm(dim, eps=1e-6)
        self.attn = _deform_attn(dim, num_heads, 1, num_points, value_ratio)
        self.ffn = ConvFFN(dim, int(dim * cffn_ratio)) if with_cffn else None
        self.ffn_norm = nn.LayerNorm(dim, eps=1e-6) if with_cffn else None
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def forward(self, c: torch.Tensor, c_levels: TokenLevels, x: torch.Tensor, x_levels: TokenLevels,
                reference_points: torch.Tensor) -> torch.Tensor:
        c = c + _cross_attend(self.attn, self.query_norm(c), self.feat_norm(x), x_levels, reference_points)
        if self.ffn is not None:
            c = c + self.drop_path(self.ffn(self.ffn_norm(c), c_levels))
        return c


def maybe_checkpoint(module: nn.Module, enabled: bool, *args):
    """Run ``module(*args)``, with activation checkpointing when ``enabled`` and gradients are on."""
    if enabled and torch.is_grad_enabled() and any(isinstance(a, torch.Tensor) and a.requires_grad for a in args):
        return checkpoint(module, *args, use_reentrant=False)
    return module(*args)


def resize_to(x: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of ``(B, C, h, w)`` to ``size`` (no-op when equal)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode='bilinear', align_corners=False)
