"""RADSeg's self-correlation operators (training-free open-vocabulary segmentation, arXiv 2511.19704).

Both replace a similarity between *different* projections (a query and a key) by the cosine
similarity of one set of vectors with itself, so that a token gathers the tokens that already look
like it:

* :func:`self_correlating_aggregation` (SCGA): over the stitched dense features of a whole image.
* :class:`SelfCorrelatingAttention` (SCRA, "self-correlating recursive attention"): the attention of
  RADIO's last block. The block's ordinary attention runs first; its (projected) output, split into
  heads, is then correlated with itself and those weights re-attend the block's values: the
  attention's own output decides where it attends ("recursive").

Formulas, from the authors' code (RADSeg-OVSS/RADSeg, ``radseg/radseg.py``:
``SelfCorrelatingRecursiveAttn.custom_attn`` and ``_self_correlating_global_aggregation``; written
anew here), with ``s`` the scaling (RADSeg: 10 for both) and ``cos`` the cosine similarity:

* weights ``W = softmax_j(S_ij)``, ``S_ij = s * cos(u_i, u_j)`` where ``S_ij >= 0``, ``-inf`` where
  ``S_ij < 0`` (anti-correlated tokens get no weight; SCGA first subtracts the mean of all
  similarities);
* SCGA: ``F' = W(F) F`` on the features ``F`` (one row per token);
* SCRA: ``Y = proj(softmax(q k^T / sqrt(d)) v)`` (the block's own attention), ``Y_h`` its ``h``-th
  channel group of ``C / heads`` channels, ``out = proj(concat_h W(Y_h) v_h)``; the block's residual,
  layer scale and MLP are unchanged.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn


def self_correlation_weights(tokens: torch.Tensor, scaling: float, centre: bool = False,
                             attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Softmax weights ``(..., N, N)`` of RADSeg's self-correlation for ``tokens`` ``(..., N, C)``.

    ``centre``: subtract the mean of all similarities first (SCGA). ``attn_mask``: an SDPA mask
    broadcastable to ``(..., N, N)``: boolean (``True`` = may attend) or additive (added to the scaled
    similarities). A token always keeps itself (its similarity is the largest), so no row is empty
    unless the mask hides the token from itself.
    """
    unit = F.normalize(tokens, dim=-1)
    sim = unit @ unit.transpose(-2, -1)
    if centre:
        sim = sim - sim.mean()
    sim = sim * scaling
    if attn_mask is not None:
        sim = sim.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else sim + attn_mask
    return sim.masked_fill(sim < 0, float('-inf')).softmax(dim=-1)


def self_correlating_aggregation(feats: torch.Tensor, scaling: float) -> torch.Tensor:
    """RADSeg's global aggregation (SCGA): each token becomes the softmax-weighted mean of the tokens it correlates with.

    ``feats`` ``(B, C, h, w)``; weights: cosine similarity, centred on its mean, times ``scaling``;
    tokens with a below-mean similarity get no weight.
    """
    b, c, h, w = feats.shape
    tokens = feats.flatten(2).transpose(1, 2)
    return (self_correlation_weights(tokens, scaling, centre=True) @ tokens).transpose(1, 2).reshape(b, c, h, w)


class SelfCorrelatingAttention(nn.Module):
    """RADSeg's SCRA in place of a timm ``Attention`` (the ``attn`` of RADIO's last block).

    Shares every parameter with ``attn`` and registers the same submodules under the same names
    (``qkv``, ``proj``, ...), so the block's ``state_dict`` keys and ``.to()`` are unchanged;
    :meth:`restore` gives the original module back. It deliberately has no ``fused_attn`` attribute:
    ViTDet's lean CPU path (:mod:`.chunked_inference`) then leaves the block to its ordinary
    ``forward``, which calls this module. Windowed blocks pass their padding mask, which this
    module applies to the self-correlation as well.

    Args:
        attn: timm ``Attention`` (``qkv``, ``proj``, ``num_heads``, ``head_dim``, ``attn_dim``).
        scaling: ``s`` in the module docstring (RADSeg: 10); must be positive.
    """

    def __init__(self, attn: nn.Module, scaling: float):
        super().__init__()
        if isinstance(attn, SelfCorrelatingAttention):
            raise ValueError('this attention is already self-correlating')
        missing = [a for a in ('qkv', 'proj', 'num_heads', 'head_dim') if not hasattr(attn, a)]
        if missing or getattr(attn, 'gate', None) is not None:
            raise ValueError(f'self-correlating attention needs a timm Attention without a gate; got '
                             f'{type(attn).__name__} (missing {missing})')
        if not (isinstance(scaling, (int, float)) and not isinstance(scaling, bool) and scaling > 0):
            raise ValueError(f'self-correlation scaling must be a positive number (RADSeg: 10), got {scaling!r}')
        self.scaling = float(scaling)
        self.num_heads, self.head_dim = attn.num_heads, attn.head_dim
        self.attn_dim = getattr(attn, 'attn_dim', attn.num_heads * attn.head_dim)
        for name, child in attn.named_children():
            self.add_module(name, child)
        self._original = (attn,)  # a tuple: not registered twice

    def restore(self) -> nn.Module:
        """The wrapped attention module (put it back in the block)."""
        return self._original[0]

    def forward(self, x: torch.Tensor, attn_mask: Optional[torch.Tensor] = None, is_causal: bool = False) -> torch.Tensor:
        if is_causal:
            raise ValueError('self-correlating attention is not causal')
        original = self._original[0]
        original.train(self.training)
        y = original(x, attn_mask=attn_mask) if attn_mask is not None else original(x)
        b, n, c = y.shape
        heads = self.num_heads
        value_rows = slice(2 * self.attn_dim, 3 * self.attn_dim)
        bias = None if self.qkv.bias is None else self.qkv.bias[value_rows]
        v = F.linear(x, self.qkv.weight[value_rows], bias).reshape(b, n, heads, self.head_dim).transpose(1, 2)
        groups = y.reshape(b, n, heads, c // heads).transpose(1, 2)
        mask = None if attn_mask is None else attn_mask.expand(b, heads, n, n)
        out = torch.empty_like(v)
        for h in range(heads):  # one (B, N, N) weight matrix at a time
            out[:, h] = self_correlation_weights(groups[:, h], self.scaling,
                                                 attn_mask=None if mask is None else mask[:, h]) @ v[:, h]
        out = out.transpose(1, 2).reshape(b, n, self.attn_dim)
        out = self.proj(self.norm(out) if hasattr(self, 'norm') else out)  # as the block's attention ends
        return self.proj_drop(out) if hasattr(self, 'proj_drop') else out

    def extra_repr(self) -> str:
        return f'scaling={self.scaling}, num_heads={self.num_heads}'


def set_last_block_self_correlation(blocks: nn.Sequential, scaling: Optional[float]) -> None:
    """Give the last of ``blocks`` SCRA with ``scaling`` (``None``: its ordinary attention back).

    The change is made on the module itself: use it on a trunk owned by one model (the zero-shot
    segmentor builds its own). Setting a new scaling replaces the previous one.
    """
    block = blocks[-1]
    if isinstance(block.attn, SelfCorrelatingAttention):
        block.attn = block.attn.restore()
    if scaling is not None:
        block.attn = SelfCorrelatingAttention(block.attn, scaling)
