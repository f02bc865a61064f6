"""Cropped position embedding (CPE) and the patch/token generator of RADIO."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn


def cpe_position_embedding(pos_embed: torch.Tensor, table_hw: Tuple[int, int],
                           grid_hw: Tuple[int, int]) -> torch.Tensor:
    """Position embeddings for a ``grid_hw`` token grid, as RADIO computes them at inference.

    The learned ``table_hw`` table is resized (bilinear) to a square of the grid's larger side,
    cropped to the grid from the top-left corner, and resized once more if still needed.

    Args:
        pos_embed: ``(1, rows * cols, C)`` learned table.
        table_hw: ``(rows, cols)`` of the table.
        grid_hw: ``(h, w)`` token grid of the input.

    Returns:
        ``(1, h * w, C)`` embeddings in row-major order.
    """
    if tuple(table_hw) == tuple(grid_hw):
        return pos_embed
    table = pos_embed.reshape(1, table_hw[0], table_hw[1], -1).permute(0, 3, 1, 2)
    side = max(grid_hw)
    table = F.interpolate(table.float(), size=(side, side), mode='bilinear', align_corners=False).to(pos_embed.dtype)
    table = table[..., :grid_hw[0], :grid_hw[1]]
    if tuple(table.shape[-2:]) != tuple(grid_hw):
        table = F.interpolate(table.float(), size=grid_hw, mode='bilinear', align_corners=False).to(pos_embed.dtype)
    return table.flatten(2).transpose(1, 2)


def num_registers_for(num_cls_tokens: int, register_multiple: Optional[int],
                      num_registers: Optional[int]) -> int:
    """Register count rule of RADIO: explicit count, else pad the prefix up to ``register_multiple``."""
    if num_registers:
        return num_registers
    if register_multiple:
        return register_multiple - (num_cls_tokens % register_multiple)
    return 0


class PrefixTokens(nn.Module):
    """Summary (one per teacher) and register tokens, prepended to the patch tokens."""

    def __init__(self, embed_dim: int, num_tokens: int, num_registers: int):
        super().__init__()
        self.num_tokens = num_tokens
        self.num_registers = num_registers
        self.token = nn.Parameter(torch.randn(num_tokens + num_registers, embed_dim) * embed_dim ** -0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.token.unsqueeze(0).expand(x.shape[0], -1, -1), x], dim=1)


class PatchGenerator(nn.Module):
    """Image -> ``(B, num_prefix + h*w, C)`` tokens: linear patch embedding, CPE, prefix tokens.

    Parameter names follow upstream's ``ViTPatchGenerator`` so RADIO checkpoints load unchanged.
    """

    def __init__(self, patch_size: int, embed_dim: int, max_input_size: int, num_cls_tokens: int,
                 num_registers: int, patch_bias: bool = False, normalize_patches: bool = False):
        super().__init__()
        self.patch_size = patch_size
        self.embed_dim = embed_dim
        side = int(round(max_input_size / patch_size))
        self.table_hw = (side, side)
        self.embedder = nn.Linear(3 * patch_size * patch_size, embed_dim, bias=patch_bias)
        self.pos_embed = nn.Parameter(torch.randn(1, side * side, embed_dim) * embed_dim ** -0.5)
        self.cls_token = PrefixTokens(embed_dim, num_cls_tokens, num_registers)
        self.patch_normalizer = nn.LayerNorm(embed_dim) if normalize_patches else nn.Identity()

    @property
    def num_cls_tokens(self) -> int:
        return self.cls_token.num_tokens

    @property
    def num_registers(self) -> int:
        return self.cls_token.num_registers

    @property
    def num_skip(self) -> int:
        """Number of prefix tokens (summary + registers) before the patch tokens."""
        return self.cls_token.num_tokens + self.cls_token.num_registers

    def patchify(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, C, H, W)`` -> ``(B, h*w, C*p*p)`` with (channel, row, col) order inside a patch."""
        b, c, h, w = x.shape
        p = self.patch_size
        x = x.reshape(b, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)
        return x.reshape(b, (h // p) * (w // p), c * p * p)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        tokens = self.embedder(self.patchify(x))
        tokens = tokens + cpe_position_embedding(self.pos_embed, self.table_hw, grid)
        tokens = self.cls_token(tokens)
        return self.patch_normalizer(tokens)
