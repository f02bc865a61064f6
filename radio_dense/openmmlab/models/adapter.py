"""RADIOAdapter: ViT-Adapter (spatial prior + injector/extractor interactions) on a RADIO trunk.

Why a backbone and not a neck: the injector writes into the ViT's tokens *between* its blocks,
so the adapter has to drive the trunk block range by block range; a neck only sees the outputs.
The RADIO side is a plain :class:`RADIOBackbone` (built from the same keyword arguments: checkpoint
or arch, ViTDet windowing, ``frozen`` / ``frozen_stages``, drop path), used through the trunk's
public token API (``patch_generator`` then ``run_blocks`` range by range). So everything the
backbone does to RADIO (loading, freezing, windowing with padding) holds here unchanged, and the
layer-decay constructor finds the trunk under ``backbone.vit.radio``.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import nn

from ...radio.input_checks import check_batch
from ...radio.precision import precision_scope
from .adapter_modules import (Extractor, Injector, SpatialPriorModule, TokenLevels, flatten_maps, maybe_checkpoint,
                              resize_to)
from .backbone import RADIOBackbone
from .freeze_unused import freeze_unreached

PRIOR_STRIDES = (8, 16, 32)  # prior levels the injector reads and the extractors update


def _check_interaction_indexes(indexes: Sequence[Sequence[int]], depth: int) -> List[Tuple[int, int]]:
    ranges = [tuple(int(i) for i in r) for r in indexes]
    if not ranges or any(len(r) != 2 for r in ranges):
        raise ValueError(f'interaction_indexes must be [[first, last], ...] block ranges, got {indexes}')
    expected = 0
    for first, last in ranges:
        if first != expected or last < first:
            raise ValueError(f'interaction_indexes {indexes} must cover blocks 0..{depth - 1} in order, '
                             f'without gaps or overlaps (a range starts at {expected} next)')
        expected = last + 1
    if expected != depth:
        raise ValueError(f'interaction_indexes {indexes} end at block {expected - 1}; this RADIO has {depth} blocks '
                         f'(the last range must end at {depth - 1})')
    return ranges


def _pad_to_multiple(x: torch.Tensor, multiple: int) -> torch.Tensor:
    ph, pw = (-x.shape[-2]) % multiple, (-x.shape[-1]) % multiple
    return F.pad(x, (0, pw, 0, ph)) if ph or pw else x


@MODELS.register_module()
class RADIOAdapter(BaseModule):
    """ViT-Adapter on RADIO: four maps at strides 4, 8, 16, 32, each with ``embed_dim`` channels.

    Keyword arguments not listed below go to :class:`RADIOBackbone` (``checkpoint``, ``arch``,
    ``vitdet_window_size``, ``num_global``, ``global_block_indices``, ``frozen``,
    ``frozen_stages``, ``drop_path_rate``...). A frozen RADIO still passes gradients through to
    the adapter (the injector's changes travel through the frozen blocks).

    Args:
        interaction_indexes: ``[[first, last], ...]`` block ranges, one interaction each, covering
            all blocks in order (ViT-B: ``[[0, 2], [3, 5], [6, 8], [9, 11]]``).
        conv_inplane: width of the spatial prior stem.
        deform_num_heads / n_points / deform_ratio: mmcv ``MultiScaleDeformableAttention`` heads,
            sampling points and value projection ratio of injectors and extractors.
        init_values: initial injector ``gamma`` (0: the ViT path starts as plain RADIO).
        with_cffn / cffn_ratio: convolutional FFN after each extractor and its hidden ratio.
        use_extra_extractor: two more extractors after the last interaction.
        add_vit_feature: add the resized ViT maps of each interaction to the four outputs.
        norm_cfg: norm of the spatial prior convs and the four output norms.
        drop_path_rate: stochastic depth in the extractors' CFFN (default: the trunk's).
        with_cp: activation checkpointing of the RADIO blocks and the adapter's attention layers.
        **vit: :class:`RADIOBackbone` arguments.
    """

    def __init__(self, interaction_indexes: Sequence[Sequence[int]], conv_inplane: int = 64,
                 deform_num_heads: int = 6, n_points: int = 4, deform_ratio: float = 1.0, init_values: float = 0.0,
                 with_cffn: bool = True, cffn_ratio: float = 0.25, use_extra_extractor: bool = True,
                 add_vit_feature: bool = True, norm_cfg: Optional[dict] = None,
                 drop_path_rate: Optional[float] = None, with_cp: bool = False,
                 init_cfg: Optional[Union[dict, List[dict]]] = None, **vit):
        super().__init__(init_cfg=init_cfg)
        if 'out_indices' in vit or 'out_adaptors' in vit or 'summary_fusion' in vit:
            raise ValueError('RADIOAdapter outputs its own four maps: out_indices, out_adaptors and summary_fusion '
                             'are not used; set interaction_indexes instead')
        vit_drop_path = vit.get('drop_path_rate', 0.0)
        self.vit = RADIOBackbone(with_cp=with_cp, **vit)
        trunk = self.vit.radio.model
        self.interaction_indexes = _check_interaction_indexes(interaction_indexes, len(trunk.blocks))
        if add_vit_feature and len(self.interaction_indexes) != 4:
            raise ValueError(f'add_vit_feature=True adds one interaction output to each of the 4 levels: needs 4 '
                             f'interaction_indexes, got {len(self.interaction_indexes)}')
        self.vit.out_indices = [last for _, last in self.interaction_indexes]  # self.vit(x): the plain-RADIO path
        dim = self.radio.embed_dim
        norm_cfg = norm_cfg or dict(type='SyncBN', requires_grad=True)
        drop_path = vit_drop_path if drop_path_rate is None else drop_path_rate
        self.with_cp = with_cp
        self.add_vit_feature = add_vit_feature

        self.spm = SpatialPriorModule(dim, conv_inplane, norm_cfg)
        self.level_embed = nn.Parameter(torch.empty(len(PRIOR_STRIDES), dim).normal_())
        extractor = dict(dim=dim, num_heads=deform_num_heads, num_points=n_points, value_ratio=deform_ratio,
                         with_cffn=with_cffn, cffn_ratio=cffn_ratio, drop_path=drop_path)
        self.injectors = nn.ModuleList(
            Injector(dim, deform_num_heads, len(PRIOR_STRIDES), n_points, deform_ratio, init_values)
            for _ in self.interaction_indexes)
        self.extractors = nn.ModuleList(Extractor(**extractor) for _ in self.interaction_indexes)
        self.extra_extractors = nn.ModuleList(Extractor(**extractor) for _ in range(2 if use_extra_extractor else 0))
        self.up = nn.ConvTranspose2d(dim, dim, 2, 2)
        self.out_norms = nn.ModuleList(build_norm_layer(norm_cfg, dim)[1] for _ in range(4))
        freeze_unreached(self, self._probe, type(self).__name__)  # e.g. the trunk's final norm (see RADIOBackbone)

    @property
    def radio(self):
        """The :class:`RADIOModel` (for the layer-decay constructor and tools)."""
        return self.vit.radio

    @property
    def out_channels(self) -> List[int]:
        return [self.radio.embed_dim] * 4

    @property
    def gammas(self) -> List[nn.Parameter]:
        """The injectors' learnable scales (all zero: the ViT path is plain RADIO)."""
        return [inj.gamma for inj in self.injectors]

    def init_weights(self) -> None:
        # RADIO weights are loaded at construction and the adapter initialises itself; only an
        # explicit init_cfg (e.g. Pretrained) applies on top.
        if self.init_cfg is not None:
            super().init_weights()

    def _probe(self) -> Tuple[torch.Tensor, ...]:
        """The forward on a small input whose every level has a map, for :func:`freeze_unreached`."""
        size = 2 * max(PRIOR_STRIDES[-1], self.radio.patch_size)
        return self(torch.zeros(1, 3, size, size, device=self.level_embed.device))

    def forward_interactions(self, x: torch.Tensor) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Run the interactions on a conditioned, padded batch ``(B, 3, H, W)`` (multiple of the patch size).

        Returns ``(prior, vit)``: the spatial prior maps at strides 4, 8, 16, 32 after the
        extractors (before adding ViT features and the output norms), and the ViT patch-token maps
        ``(B, C, h, w)`` after each interaction's last block.
        """
        trunk = self.vit.radio.model
        grid = (x.shape[-2] // self.radio.patch_size, x.shape[-1] // self.radio.patch_size)
        c1, *prior_maps = self.spm(x)
        prior_maps = [m + e[None, :, None, None] for m, e in zip(prior_maps, self.level_embed)]
        prior_levels = TokenLevels(tuple(tuple(m.shape[-2:]) for m in prior_maps), PRIOR_STRIDES)
        vit_levels = TokenLevels((grid,), (self.radio.patch_size,))
        inject_refs = prior_levels.reference_points(vit_levels, x.device)
        extract_refs = vit_levels.reference_points(prior_levels, x.device)
        c = flatten_maps(prior_maps)

        skip = trunk.num_summary_tokens
        tokens = trunk.patch_generator(x)
        vit_maps = []
        for injector, extractor, (first, last) in zip(self.injectors, self.extractors, self.interaction_indexes):
            # the injector sees and changes only patch tokens; summary and register tokens pass as they are
            spatial = maybe_checkpoint(injector, self.with_cp, tokens[:, skip:], c, prior_levels, inject_refs)
            tokens, _ = trunk.run_blocks(torch.cat([tokens[:, :skip], spatial], dim=1), grid, first, last)
            spatial = tokens[:, skip:]
            c = maybe_checkpoint(extractor, self.with_cp, c, prior_levels, spatial, vit_levels, extract_refs)
            vit_maps.append(spatial.transpose(1, 2).reshape(spatial.shape[0], -1, *grid))
        for extractor in self.extra_extractors:
            c = maybe_checkpoint(extractor, self.with_cp, c, prior_levels, spatial, vit_levels, extract_refs)
        c2, c3, c4 = prior_levels.split(c)
        c1 = c1 + resize_to(self.up(c2), c1.shape[-2:])
        return [c1, c2, c3, c4], vit_maps

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Images ``(B, 3, H, W)`` of any size -> 4 maps at strides 4/8/16/32 (``ceil(H / stride)`` rows)."""
        check_batch(x, 'RADIOAdapter')
        in_h, in_w = x.shape[-2:]
        x = self.radio.input_conditioner(x / self.vit.input_scale)  # the checkpoint's mean/std, as RADIOBackbone
        # RADIOBackbone's dtype (a **vit argument) sets the whole adapter's precision; mmcv's deformable
        # attention runs in fp32 inside bf16 autocast (radio_dense.openmmlab.engine.mmcv_fp32_ops)
        with precision_scope(x.device, self.vit.autocast_dtype):
            prior, vit_maps = self.forward_interactions(_pad_to_multiple(x, self.radio.patch_size))
        if self.vit.autocast_dtype is not None:
            prior, vit_maps = [m.float() for m in prior], [m.float() for m in vit_maps]
        outs = []
        for i, (c, norm) in enumerate(zip(prior, self.out_norms)):
            if self.add_vit_feature:
                c = c + resize_to(vit_maps[i], c.shape[-2:])
            stride = 4 * 2 ** i
            outs.append(norm(c[..., :-(-in_h // stride), :-(-in_w // stride)]).contiguous())
        return tuple(outs)
