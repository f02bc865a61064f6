"""Inference-time execution of timm ViT blocks in pieces, with the same arithmetic as ``Block.forward``.

Used by ViTDet mode (see :mod:`.windows`): windowed blocks run a few windows at a time and
global blocks run their per-token parts (norms, k/v, projection, MLP) on row chunks and
attention on query chunks, in place, so the largest activations (q, the attention output, the
4x MLP hidden layer) exist for one piece at a time instead of for all tokens. Every operation
is the one timm's block applies, on the same rows, and attention is tiled by SDPA's CPU kernel
as in one call, so outputs are bit-identical to ``block(x)`` on this machine's kernels (checked
by tests/radio/test_vitdet.py and at ViT-B sizes up to 2048 px, 1 and 2 threads). Pieces are balanced, at least
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
#: torch's CPU flash attention tiles queries in blocks of 256 rows when it gets >= 768 of them.
ATTN_Q_BLOCK, ATTN_MIN_ROWS = 256, 768


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


def global_block_lean_(block: Block, x: torch.Tensor, rows_per_chunk: int = ROWS_PER_CHUNK) -> torch.Tensor:
    """timm ``Block.forward(x)`` (no mask) for ``(B, N, C)``, written into ``x`` (returned).

    k and v are projected for all tokens (row chunks, the k/v rows of the qkv weight); then
    attention runs on query chunks: each computes its q, attends to all keys and adds its
    projection to its rows of ``x`` in place (later chunks only read their own, still untouched,
    rows). The MLP runs on row chunks in place too. The peak holds x, k, v and one chunk's
    temporaries instead of x, qkv and the attention output for all tokens.

    Query chunks start on multiples of ``ATTN_Q_BLOCK`` rows and have >= ``ATTN_MIN_ROWS`` rows, so SDPA's CPU
    kernel tiles every chunk's queries as it tiles them in one call over all tokens.
    """
    attn = block.attn
    b, n, c = x.shape
    heads, dim = attn.num_heads, attn.head_dim
    q_rows, kv_rows = _split_rows(attn.qkv, attn.attn_dim)
    rows = x.reshape(b * n, c)
    kv = rows.new_empty(b * n, 2 * attn.attn_dim)
    for part in balanced_chunks(b * n, rows_per_chunk, align=64):
        kv[part] = kv_rows(block.norm1(rows[part]))
    k, v = kv.reshape(b, n, 2, heads, dim).permute(2, 0, 3, 1, 4).unbind(0)
    k = attn.k_norm(k)
    for part in balanced_chunks(n, max(rows_per_chunk // b, ATTN_MIN_ROWS + ATTN_Q_BLOCK), align=ATTN_Q_BLOCK):
        q = q_rows(block.norm1(x[:, part])).reshape(b, -1, heads, dim).transpose(1, 2)
        y = F.scaled_dot_product_attention(attn.q_norm(q), k, v, dropout_p=0.0)
        y = attn.proj(attn.norm(y.transpose(1, 2).reshape(b, -1, attn.attn_dim)))
        x[:, part] = x[:, part] + block.drop_path1(block.ls1(attn.proj_drop(y)))
    del k, v, kv
    for part in balanced_chunks(b * n, rows_per_chunk, align=64):
        rows[part] = rows[part] + block.drop_path2(block.ls2(block.mlp(block.norm2(rows[part]))))
    return x


def _split_rows(qkv: torch.nn.Linear, dim: int):
    """The q and the k/v parts of a fused qkv projection, as two functions of the input rows."""
    weight, bias = qkv.weight, qkv.bias
    q_bias = None if bias is None else bias[:dim]
    kv_bias = None if bias is None else bias[dim:]
    return (lambda t: F.linear(t, weight[:dim], q_bias)), (lambda t: F.linear(t, weight[dim:], kv_bias))


def balanced_chunks(total: int, size: int, align: int = 1) -> List[slice]:
    """``total`` split into ``max(total // size, 1)`` near-equal slices (each >= ``size`` items but the
    last, which is larger), boundaries on multiples of ``align``."""
    count = max(total // size, 1)
    bounds = [(total * i // count) // align * align for i in range(count)] + [total]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
