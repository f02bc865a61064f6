"""ViT trunk shapes by timm model name (the ``args.model`` of RADIO checkpoints).

Every RADIO ViT release uses plain timm ViT blocks; only the sizes differ. Names timm does not
know (upstream registers a few of its own) are listed here; anything else is asked of timm.
"""
from dataclasses import dataclass
from functools import partial
from typing import Dict, List, Optional

from torch import nn
from timm.models.vision_transformer import Block


@dataclass(frozen=True)
class TrunkSpec:
    """Shape of a ViT trunk."""

    patch_size: int
    embed_dim: int
    depth: int
    num_heads: int
    mlp_ratio: float = 4.0
    init_values: Optional[float] = None  # layer scale; None means no layer scale


TRUNK_SPECS: Dict[str, TrunkSpec] = {
    'vit_tiny_patch16_224': TrunkSpec(16, 192, 12, 3),
    'vit_small_patch16_224': TrunkSpec(16, 384, 12, 6),
    'vit_base_patch16_224': TrunkSpec(16, 768, 12, 12),
    'vit_large_patch16_224': TrunkSpec(16, 1024, 24, 16),
    'vit_huge_patch16_224': TrunkSpec(16, 1280, 32, 16),
    'vit_giant_patch16_224': TrunkSpec(16, 1536, 40, 24),
    'vit_tiny_patch14_224': TrunkSpec(14, 192, 12, 3),
    'vit_small_patch14_224': TrunkSpec(14, 384, 12, 6),
    'vit_base_patch14_224': TrunkSpec(14, 768, 12, 12),
    'vit_huge_patch14_224': TrunkSpec(14, 1280, 32, 16),
    'vit_giant_patch14_224': TrunkSpec(14, 1408, 40, 16, mlp_ratio=48 / 11),
    'vit_base_patch16_v2_224': TrunkSpec(16, 768, 12, 12, init_values=1e-5),
    'vit_large_patch16_v2_224': TrunkSpec(16, 1024, 24, 16, init_values=1e-5),
    'vit_so400m_patch16_224': TrunkSpec(16, 1152, 27, 16, mlp_ratio=4304 / 1152),
    'vit_so400m_v2_patch16_224': TrunkSpec(16, 1152, 27, 16, mlp_ratio=4320 / 1152),
}

# Short names for random-initialised trunks (tests, from-scratch runs, benchmarks).
ARCH_ALIASES = {
    'radio-tiny': 'vit_tiny_patch16_224',
    'vit-t-16': 'vit_tiny_patch16_224',
    'vit-s-16': 'vit_small_patch16_224',
    'vit-b-16': 'vit_base_patch16_224',
    'vit-l-16': 'vit_large_patch16_224',
    'vit-h-16': 'vit_huge_patch16_224',
    'vit-g-14': 'vit_giant_patch14_224',
}


def resolve_trunk_spec(model_name: str) -> TrunkSpec:
    """Trunk shape for a timm name or alias; raises ``ValueError`` naming the known ones."""
    name = ARCH_ALIASES.get(model_name, model_name)
    if name in TRUNK_SPECS:
        return TRUNK_SPECS[name]
    try:
        import timm
        vit = timm.create_model(name, pretrained=False, num_classes=0)
    except Exception as err:  # timm raises RuntimeError for unknown names
        known = sorted(set(TRUNK_SPECS) | set(ARCH_ALIASES))
        raise ValueError(f'Unknown ViT architecture {model_name!r}. Known: {known}') from err
    blk = vit.blocks[0]
    ls = getattr(blk.ls1, 'gamma', None)
    return TrunkSpec(
        patch_size=vit.patch_embed.patch_size[0], embed_dim=vit.embed_dim, depth=len(vit.blocks),
        num_heads=blk.attn.num_heads, mlp_ratio=blk.mlp.fc1.out_features / vit.embed_dim,
        init_values=None if ls is None else float(ls.detach().mean()))


def build_blocks(spec: TrunkSpec, drop_path_rate: float = 0.0) -> nn.Sequential:
    """timm ViT blocks for ``spec`` with a linearly increasing drop-path rate."""
    rates = drop_path_schedule(spec.depth, drop_path_rate)
    norm = partial(nn.LayerNorm, eps=1e-6)
    return nn.Sequential(*[
        Block(spec.embed_dim, spec.num_heads, mlp_ratio=spec.mlp_ratio, qkv_bias=True,
              init_values=spec.init_values, drop_path=rate, norm_layer=norm)
        for rate in rates
    ])


def drop_path_schedule(depth: int, rate: float) -> List[float]:
    """Stochastic depth rates rising linearly from 0 to ``rate`` over ``depth`` blocks."""
    return [rate * i / max(depth - 1, 1) for i in range(depth)]
