"""ViT trunks by name (the ``args.model`` + ``args.model_kwargs`` of RADIO checkpoints).

Upstream builds the trunk with ``timm.create_model(args.model, **args.model_kwargs)``, where the
name is either timm's own or one upstream registers in ``radio/extra_timm_models.py``. Here the
upstream names are :data:`UPSTREAM_TRUNKS` recipes (timm ``VisionTransformer`` arguments plus the
block changes upstream makes: layer scale stored as ``grandma``, MLP norm, scaled LayerNorm, DyT);
any other name is built by timm itself. Only the blocks and the final norm are kept: RADIO replaces
the patch embedding, position embedding and prefix tokens with its own (:mod:`.cpe`).
"""
import contextlib
import math
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

import torch
from torch import nn
from timm.layers import DropPath
from timm.layers.mlp import Mlp
from timm.models.vision_transformer import LayerScale as TimmLayerScale, VisionTransformer


@dataclass(frozen=True)
class TrunkSpec:
    """Shape of a ViT trunk (what FLOP counts and exports need)."""

    patch_size: int
    embed_dim: int
    depth: int
    num_heads: int
    mlp_ratio: float = 4.0
    init_values: Optional[float] = None  # layer scale; None means no layer scale


@dataclass(frozen=True)
class UpstreamTrunk:
    """A ViT that upstream registers with timm: ``VisionTransformer(**vit_kwargs)`` plus block changes."""

    vit_kwargs: Mapping[str, Any]
    mlp_norm: bool = False  # LayerNorm inside every MLP (``vit_huge_patch16_224_mlpnorm``)
    dyt: bool = False  # DyT instead of the blocks' LayerNorms (``vit_large_dyt_patch16_224``)
    accepts_scaled_ln: bool = False  # takes ``scaled_ln=True`` (``vit_giant_patch16_224``)
    layer_scale_name: str = field(default='grandma')  # upstream renames timm's ``gamma`` for HF hub


def _vit(patch: int, dim: int, depth: int, heads: int, **extra) -> Dict[str, Any]:
    return dict(patch_size=patch, embed_dim=dim, depth=depth, num_heads=heads, **extra)


_V2 = dict(init_values=1e-5, reg_tokens=4, no_embed_class=True, img_size=518 * 16 // 14)

UPSTREAM_TRUNKS: Dict[str, UpstreamTrunk] = {
    'vit_tiny_patch14_224': UpstreamTrunk(_vit(14, 192, 12, 3)),
    'vit_small_patch14_224': UpstreamTrunk(_vit(14, 384, 12, 6)),
    'vit_base_patch14_224': UpstreamTrunk(_vit(14, 768, 12, 12)),
    'vit_base_patch16_v2_224': UpstreamTrunk(_vit(16, 768, 12, 12, **_V2)),
    'vit_large_patch16_v2_224': UpstreamTrunk(_vit(16, 1024, 24, 16, **_V2)),
    'vit_so400m_patch16_224': UpstreamTrunk(_vit(16, 1152, 27, 16, mlp_ratio=4304 / 1152)),
    # 4304 rounded up to a multiple of 32 (tensor-parallel / fp8 friendly)
    'vit_so400m_v2_patch16_224': UpstreamTrunk(_vit(16, 1152, 27, 16, mlp_ratio=4320 / 1152)),
    'vit_huge_patch16_224': UpstreamTrunk(_vit(16, 1280, 32, 16)),
    'vit_huge_patch16_224_mlpnorm': UpstreamTrunk(_vit(16, 1280, 32, 16), mlp_norm=True),
    'vit_giant_patch16_224': UpstreamTrunk(_vit(16, 1536, 40, 24), accepts_scaled_ln=True),
    'vit_bigG_patch14_224': UpstreamTrunk(_vit(14, 1664, 48, 16, init_values=1e-6)),
    'vit_large_dyt_patch16_224': UpstreamTrunk(_vit(16, 1024, 24, 16), dyt=True),
}

# Models upstream registers that are not plain ViTs; named in the error so users know why.
UPSTREAM_NON_VIT_PREFIXES = ('eradio', 'hybrid_', 'radio1d_', 'dino_v2_', 'paligemma_')
UPSTREAM_NON_VIT_SUFFIXES = ('_xpos',)

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

_TIMM_SHAPES = {  # timm's own names whose shapes are known without building them
    'vit_tiny_patch16_224': TrunkSpec(16, 192, 12, 3),
    'vit_small_patch16_224': TrunkSpec(16, 384, 12, 6),
    'vit_base_patch16_224': TrunkSpec(16, 768, 12, 12),
    'vit_large_patch16_224': TrunkSpec(16, 1024, 24, 16),
    'vit_huge_patch14_224': TrunkSpec(14, 1280, 32, 16),
    'vit_giant_patch14_224': TrunkSpec(14, 1408, 40, 16, mlp_ratio=48 / 11),
}


def _recipe_spec(recipe: UpstreamTrunk) -> TrunkSpec:
    k = recipe.vit_kwargs
    return TrunkSpec(k['patch_size'], k['embed_dim'], k['depth'], k['num_heads'], k.get('mlp_ratio', 4.0),
                     k.get('init_values'))


TRUNK_SPECS: Dict[str, TrunkSpec] = {**_TIMM_SHAPES, **{n: _recipe_spec(r) for n, r in UPSTREAM_TRUNKS.items()}}


class UnsupportedTrunkError(ValueError):
    """A trunk name that radio_dense cannot build (unknown, or not a plain ViT)."""


def supported_trunks_message() -> str:
    return (f'radio_dense supports plain ViTs: upstream\'s {sorted(UPSTREAM_TRUNKS)}, timm\'s own '
            f'VisionTransformer models (e.g. vit_large_patch16_224, vit_large_patch14_reg4_dinov2) and the '
            f'aliases {sorted(ARCH_ALIASES)}')


class GrandmaLayerScale(nn.Module):
    """Per-channel scale stored as ``grandma``, the name upstream uses (HF hub rewrites ``gamma``)."""

    def __init__(self, dim: int, init_values: float = 1e-5):
        super().__init__()
        self.grandma = nn.Parameter(torch.full((dim,), float(init_values)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.grandma


class ScaledLayerNorm(nn.LayerNorm):
    """LayerNorm whose output is scaled by ``1/sqrt(depth)`` (arXiv:2502.05795); block ``i`` has depth ``i+1``."""

    def __init__(self, normalized_shape, eps: float, depth: int):
        super().__init__(normalized_shape, eps=eps)
        self.register_buffer('ln_scale', torch.tensor(1.0 / math.sqrt(depth)), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x) * self.ln_scale


class DyT(nn.Module):
    """Dynamic tanh, a LayerNorm replacement: ``gamma * tanh(alpha * x) + beta``."""

    def __init__(self, dim: int, init_alpha: float = 0.9):
        super().__init__()
        self.alpha = nn.Parameter(torch.full((1,), init_alpha))
        self.gamma = nn.Parameter(torch.ones(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gamma * torch.tanh(self.alpha * x) + self.beta


def _apply_recipe(vit: VisionTransformer, recipe: UpstreamTrunk, scaled_ln: bool) -> None:
    for i, blk in enumerate(vit.blocks):
        for name in ('ls1', 'ls2'):
            ls = getattr(blk, name)
            if isinstance(ls, TimmLayerScale):
                new = GrandmaLayerScale(ls.gamma.shape[0]).to(ls.gamma.device)
                with torch.no_grad():
                    new.grandma.copy_(ls.gamma)
                setattr(blk, name, new)
        if recipe.mlp_norm and isinstance(blk.mlp, Mlp) and not isinstance(blk.mlp.norm, nn.LayerNorm):
            blk.mlp.norm = nn.LayerNorm(blk.mlp.fc1.out_features, device=blk.mlp.fc1.weight.device)
        for name in ('norm1', 'norm2'):
            ln = getattr(blk, name)
            if not isinstance(ln, nn.LayerNorm):
                continue
            if recipe.dyt:
                setattr(blk, name, DyT(ln.normalized_shape[0]).to(ln.weight.device))
            elif scaled_ln:
                new = ScaledLayerNorm(ln.normalized_shape, ln.eps, depth=i + 1).to(ln.weight.device)
                new.load_state_dict(ln.state_dict())
                setattr(blk, name, new)


def canonical_trunk_name(name: str) -> str:
    """The timm / upstream trunk name for an alias (``'vit-b-16'``) or a release name (``'c-radio_v4-h'``)."""
    from .release_layouts import RELEASE_LAYOUTS
    if name in RELEASE_LAYOUTS:
        return RELEASE_LAYOUTS[name].model
    return ARCH_ALIASES.get(name, name)


def build_vit(name: str, model_kwargs: Optional[Mapping[str, Any]] = None, global_pool: Optional[str] = None,
              device: Optional[torch.device] = None) -> VisionTransformer:
    """The timm ``VisionTransformer`` that upstream builds for ``name`` and ``model_kwargs``.

    ``model_kwargs`` are passed on as upstream passes them (``weight_init`` is popped: it only
    chooses the random init). Raises :class:`UnsupportedTrunkError` naming the supported trunks
    for unknown names and for models that are not plain ViTs.
    """
    from .release_layouts import RELEASE_LAYOUTS
    if name in RELEASE_LAYOUTS and model_kwargs is None:
        model_kwargs = RELEASE_LAYOUTS[name].model_kwargs
    name = canonical_trunk_name(name)
    kwargs = dict(model_kwargs or {})
    kwargs.pop('weight_init', None)
    if global_pool is not None:
        kwargs['global_pool'] = global_pool
    if kwargs.get('class_token', True) is False:
        raise UnsupportedTrunkError(
            f'{name} with class_token=False has no summary tokens; RADIO checkpoints always have them')
    recipe = UPSTREAM_TRUNKS.get(name)
    with (torch.device(device) if device is not None else contextlib.nullcontext()):
        if recipe is not None:
            scaled_ln = bool(kwargs.pop('scaled_ln', False)) if recipe.accepts_scaled_ln else False
            vit = _construct(name, lambda: VisionTransformer(
                **{**recipe.vit_kwargs, **kwargs, 'num_classes': 0, 'weight_init': 'skip'}))
            _apply_recipe(vit, recipe, scaled_ln)
            return vit
        if name.startswith(UPSTREAM_NON_VIT_PREFIXES) or name.endswith(UPSTREAM_NON_VIT_SUFFIXES):
            raise UnsupportedTrunkError(f'{name!r} is not a plain ViT (E-RADIO, hybrid, RADIO1D, xPos, DINOv2 '
                                        f'student...). {supported_trunks_message()}')
        import timm
        if not timm.is_model(name):
            raise UnsupportedTrunkError(f'Unknown ViT architecture {name!r}. {supported_trunks_message()}')
        if not timm.models.is_model_in_modules(name, ['vision_transformer']):
            raise UnsupportedTrunkError(f'{name!r} is not a ViT. {supported_trunks_message()}')
        vit = _construct(name, lambda: timm.create_model(name, pretrained=False, **{
            **kwargs, 'num_classes': 0, 'weight_init': 'skip'}))
    if not isinstance(vit, VisionTransformer):
        raise UnsupportedTrunkError(f'{name!r} is a {type(vit).__name__}, not a ViT. {supported_trunks_message()}')
    return vit


def _construct(name: str, make):
    try:
        return make()
    except TypeError as err:
        raise UnsupportedTrunkError(f'Cannot build {name!r} from these model_kwargs: {err}') from err


def trunk_spec(vit: VisionTransformer) -> TrunkSpec:
    """The shape of a built trunk."""
    blk = vit.blocks[0]
    ls = getattr(blk, 'ls1', None)
    scale = getattr(ls, 'gamma', getattr(ls, 'grandma', None))
    init_values = None
    if scale is not None and not scale.is_meta:
        init_values = float(f'{scale.detach().float().mean().item():.6g}')
    elif scale is not None:
        init_values = 1e-5
    return TrunkSpec(patch_size=vit.patch_embed.patch_size[0], embed_dim=vit.embed_dim, depth=len(vit.blocks),
                     num_heads=blk.attn.num_heads, mlp_ratio=blk.mlp.fc1.out_features / vit.embed_dim,
                     init_values=init_values)


def drop_path_schedule(depth: int, rate: float) -> List[float]:
    """Stochastic depth rates rising linearly from 0 to ``rate`` over ``depth`` blocks."""
    return [rate * i / max(depth - 1, 1) for i in range(depth)]


def set_drop_path(blocks: nn.Sequential, rate: float) -> None:
    """Replace the drop-path modules of timm blocks (e.g. after loading a checkpoint)."""
    for blk, r in zip(blocks, drop_path_schedule(len(blocks), rate)):
        blk.drop_path1 = DropPath(r) if r > 0 else nn.Identity()
        blk.drop_path2 = DropPath(r) if r > 0 else nn.Identity()
