"""Deterministic weights that depend only on a tensor's name and shape.

``tools/dev/make_upstream_fixture.py`` fills upstream's trunks with these and records their
outputs; the tests regenerate the very same weights for radio_dense's trunks, so trunks of any
width can be compared without committing their weights.
"""
import math
import zlib
from typing import Dict, Iterable, Tuple

import torch


def seeded_tensor(name: str, shape: Tuple[int, ...]) -> torch.Tensor:
    """A float32 tensor for parameter ``name``, scaled so a random ViT stays well-conditioned."""
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    base = torch.randn(tuple(shape), generator=g)
    leaf = name.rsplit('.', 1)[-1]
    if '.ls1.' in name or '.ls2.' in name:  # layer scale (gamma / grandma)
        return 0.1 + 0.02 * base
    if leaf == 'alpha':  # DyT
        return 0.9 + 0.05 * base
    if leaf in ('bias', 'beta'):
        return 0.05 * base
    if len(shape) == 1:  # norm weights, DyT gamma
        return 1.0 + 0.1 * base
    if len(shape) == 2 and 'pos_embed' not in name and 'token' not in name:
        return base / math.sqrt(shape[1])
    return 0.5 * base


def seeded_state(keys_and_shapes: Iterable[Tuple[str, Tuple[int, ...]]]) -> Dict[str, torch.Tensor]:
    return {k: seeded_tensor(k, s) for k, s in keys_and_shapes}
