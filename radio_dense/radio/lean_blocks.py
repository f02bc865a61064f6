"""Inference-time execution of timm ViT blocks in pieces, with the same arithmetic as ``Block.forward``.

Used by ViTDet mode (see :mod:`.windows`): windowed blocks run a few windows at a time and
global blocks run their per-token parts (norms, qkv, projection, MLP) on row chunks, so the
largest activations (qkv, the 4x MLP hidden layer) exist for one piece at a time instead of for
all tokens. Every operation is the one timm's block applies, on the same rows and with the
same shapes for attention, so outputs are bit-identical to ``block(x)`` on this machine's
kernels (checked by tests/radio/test_vitdet.py). Pieces are balanced, at least
``ROWS_PER_CHUNK`` rows each: the BLAS result of a row does not depend on the other rows of a
large GEMM, but a small remainder piece (say the last 8 of 4104 rows) takes another kernel
and rounds differently.
"""
from typing import List, Optional

import torch
import torch.nn.functional as F
from timm.models.vision_transformer import Block

#: Rows (tokens) per piece: big enough for efficient GEMMs, small enough to bound activations.
ROWS_PER_CHUNK = 2048


def can_run_lean(block: torch.nn.Module) -> bool:
    """Whether ``block`` is a timm ``Block`` in inference (no grad, eval) that :func:`global_block_lean` mirrors."""
    if not isinstance(block, Block) or block.training or torch.is_grad_enabled():
        return False
    attn = block.attn
    return getattr(attn, 'fused_attn', False) and getattr(attn, 'gate', None) is None


def windowed_block_lean(block: torch.nn.Module, windows: torch.Tensor, attn_mask: Optional[torch.Tensor],
                        rows_per_chunk: int = ROWS_PER_CHUNK) -> torch.Tensor:
    """``block(windows, attn_mask)`` for ``(num_windows, t, C)``, a group of whole windows at a time."""
    groups = balanced_chunks(windows.shape[0], max(rows_per_chunk // windows.shape[1], 1))
    if len(groups) == 1:
        return block(windows, attn_mask=attn_mask) if attn_mask is not None else block(windows)
    out = torch.empty_like(windows)
    for group in groups:
        mask = None if attn_mask is None else attn_mask[group]
        out[group] = block(windows[group], attn_mask=mask) if mask is not None else block(windows[group])
    return out


def global_block_lean(block: Block, x: torch.Tensor, rows_per_chunk: int = ROWS_PER_CHUNK) -> torch.Tensor:
    """timm ``Block.forward(x)`` (no mask) for ``(B, N, C)`` with per-token work on row chunks.

    Attention itself runs once over all tokens (same call and strides as timm); the qkv
    projection fills one buffer chunk by chunk, and the input is not needed after the
    attention's residual, so the peak holds x, qkv and the attention output.
    """
    attn = block.attn
    b, n, c = x.shape
    rows = x.reshape(b * n, c)
    qkv = rows.new_empty(b * n, attn.qkv.out_features)
    for part in balanced_chunks(b * n, rows_per_chunk, align=64):
        qkv[part] = attn.qkv(block.norm1(rows[part]))
    qkv = qkv.reshape(b, n, 3, attn.num_heads, attn.head_dim).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)
    q, k = attn.q_norm(q), attn.k_norm(k)
    heads = F.scaled_dot_product_attention(q, k, v, dropout_p=0.0)
    del q, k, v, qkv
    heads = heads.transpose(1, 2)  # (B, N, H, D) view; each chunk is made contiguous on its own
    out = torch.empty_like(x)
    for part in balanced_chunks(n, max(rows_per_chunk // b, 1), align=64):
        y = attn.proj(attn.norm(heads[:, part].reshape(b, -1, attn.attn_dim)))
        out[:, part] = x[:, part] + block.drop_path1(block.ls1(attn.proj_drop(y)))
    del heads
    flat = out.reshape(b * n, c)
    for part in balanced_chunks(b * n, rows_per_chunk, align=64):
        flat[part] = flat[part] + block.drop_path2(block.ls2(block.mlp(block.norm2(flat[part]))))
    return out


def balanced_chunks(total: int, size: int, align: int = 1) -> List[slice]:
    """``total`` split into ``max(total // size, 1)`` near-equal slices (each >= ``size`` items but the
    last, which is larger), boundaries on multiples of ``align``."""
    count = max(total // size, 1)
    bounds = [(total * i // count) // align * align for i in range(count)] + [total]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
