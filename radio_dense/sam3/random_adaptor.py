"""A randomly initialised ``sam3``-style adaptor for RADIO models that lack one (tests, demos, benchmarks).

Released C-RADIOv4 checkpoints carry a trained ``sam3`` adaptor; random or older RADIO models do
not. This attaches an adaptor of the released layout (MLP v2 heads, the summary head on token 0)
with random weights, so the whole SAM3 path runs; its outputs mean nothing.
"""
from typing import Optional

import torch

from ..radio import RADIOModel
from ..radio.adaptors import Adaptor, MLPv2
from .radio_trunk import DEFAULT_ADAPTOR


def add_random_adaptor(radio: RADIOModel, name: str = DEFAULT_ADAPTOR, out_dim: int = 1024,
                       hidden_dim: Optional[int] = None, seed: Optional[int] = 0) -> RADIOModel:
    """Attach a random adaptor ``name`` mapping RADIO tokens to ``out_dim`` channels; returns ``radio``."""
    if seed is not None:
        torch.manual_seed(seed)
    hidden = hidden_dim or radio.embed_dim
    head = MLPv2(radio.embed_dim, hidden, out_dim, num_inner=1, pre_norm=True)
    feat = MLPv2(radio.embed_dim, hidden, out_dim, num_inner=1, pre_norm=True)
    dtype = next(radio.parameters()).dtype
    device = next(radio.parameters()).device
    radio.adaptors[name] = Adaptor(head, feat, head_idx=0).to(device=device, dtype=dtype).eval()
    return radio
