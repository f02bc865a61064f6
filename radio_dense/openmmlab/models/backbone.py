"""RADIOBackbone: RADIO as an mmseg/mmdet backbone returning NCHW stride-``patch`` feature maps."""
from contextlib import nullcontext
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS

from ...radio import RADIOModel, radio_from_config
from ...radio.input_checks import check_batch
from ...radio.precision import precision_scope, resolve_dtype
from .freeze_unused import freeze_unreached


@MODELS.register_module()
class RADIOBackbone(BaseModule):
    """RADIO ViT backbone for OpenMMLab models: a thin adapter over ``RADIOModel.forward_intermediates``.

    Takes what the data preprocessor gives, RGB floats in ``[0, input_scale]`` (no mean/std
    there), and applies the checkpoint's own input conditioner, so every checkpoint sees the
    statistics it was trained with. Whatever ``forward_intermediates`` applies to block outputs
    (the checkpoint's intermediate feature normaliser, summary-token selection) applies here too.
    Inputs of any size work: they are padded (bottom/right) to a multiple of the patch size.

    Args:
        checkpoint: pretrained weights, anything :func:`radio_dense.load_radio` accepts (zoo name,
            ``.pth.tar``, HF snapshot folder or repo id). ``None`` builds a random-initialised ``arch``.
        arch: architecture for random init (``'radio-tiny'``, ``'vit-b-16'``, ``'vit-l-16'``...).
        out_indices: blocks whose spatial tokens are returned (negative counts from the end).
        out_adaptors: adaptor feature maps to append to the outputs (e.g. ``['sam']``,
            ``['dino_v2']``); needs a checkpoint with those adaptors.
        summary_fusion: ``None``, ``'add'`` (add the mean summary token to every location) or
            ``'concat'`` (concatenate it, doubling the channels) on the block outputs.
        vitdet_window_size / num_global / global_block_indices: ViTDet attention.
        frozen: linear-probe protocol: eval mode, no gradients, whole RADIO frozen.
        frozen_stages: freeze the patch embedding and the first ``frozen_stages`` blocks (-1: none).
        drop_path_rate: stochastic depth for fine-tuning.
        with_cp: activation checkpointing of the blocks.
        input_scale: the value of white in the inputs (255 for mmseg/mmdet data preprocessors).
        norm_alpha_scheme: how the checkpoint's intermediate feature normaliser is applied
            (``forward_intermediates``' argument; ``'none'`` turns it off).
        final_norm: apply the trunk's final norm to the block outputs (``forward_intermediates``'
            ``norm``; a no-op for checkpoints without one). Adaptor outputs always get it first, as
            in RADIO's own ``model(x)``.
        dtype: the backbone's own precision: ``None`` (default) follows the caller (``--amp``'s
            autocast), ``'fp32'`` turns autocast off, ``'bf16'`` / ``'fp16'`` / ``'auto'`` (bf16 on
            GPUs and CPUs with native bf16) autocast RADIO; the maps are returned in float32.

    Parameters the configured forward cannot give a gradient to (the final norm when nothing uses
    it, adaptor summary heads, blocks after the last ``out_indices``) are frozen at construction
    (found by one forward on a tiny input; a log line lists them), so DDP with mmengine's default
    ``find_unused_parameters=False`` trains every configuration.
    """

    def __init__(self, checkpoint: Optional[str] = None, arch: str = 'radio-tiny',
                 out_indices: Sequence[int] = (-1,), out_adaptors: Sequence[str] = (),
                 summary_fusion: Optional[str] = None, vitdet_window_size: Optional[int] = None,
                 num_global: Optional[int] = None, global_block_indices: Optional[Sequence[int]] = None,
                 frozen: bool = False, frozen_stages: int = -1, drop_path_rate: float = 0.0,
                 with_cp: bool = False, input_scale: float = 255.0, norm_alpha_scheme: str = 'post-alpha',
                 final_norm: bool = False, dtype: Optional[str] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None):
        super().__init__(init_cfg=init_cfg)
        resolve_dtype(dtype)  # validates the name
        self.autocast_dtype = dtype
        if summary_fusion not in (None, 'add', 'concat'):
            raise ValueError(f"summary_fusion must be None, 'add' or 'concat', got {summary_fusion!r}")
        which = dict(source=checkpoint) if checkpoint is not None else dict(arch=arch)
        self.radio: RADIOModel = radio_from_config(
            dict(which, vitdet_window_size=vitdet_window_size, num_global=num_global,
                 global_block_indices=global_block_indices, drop_path_rate=drop_path_rate),
            extra_adaptors=out_adaptors)
        depth = len(self.radio.blocks)
        self.out_indices = sorted({depth + i if i < 0 else i for i in out_indices})
        if not self.out_indices or self.out_indices[0] < 0 or self.out_indices[-1] >= depth:
            raise ValueError(f'out_indices={list(out_indices)} out of range for a {depth}-block RADIO')
        self.out_adaptors = list(out_adaptors)
        self.summary_fusion = summary_fusion
        self.frozen = frozen
        self.frozen_stages = frozen_stages
        self.input_scale = float(input_scale)
        self.norm_alpha_scheme = norm_alpha_scheme
        self.final_norm = final_norm
        self.radio.model.grad_checkpointing = with_cp
        self._freeze()
        freeze_unreached(self, self._probe, type(self).__name__)

    @property
    def out_channels(self) -> List[int]:
        """Channels of each output map, in order."""
        c = self.radio.embed_dim * (2 if self.summary_fusion == 'concat' else 1)
        return [c] * len(self.out_indices) + [self.radio.adaptors[n].feature_dim for n in self.out_adaptors]

    def _freeze(self) -> None:
        if self.frozen:
            self.radio.eval()
            self.radio.requires_grad_(False)
            return
        if self.frozen_stages >= 0:
            trunk = self.radio.model
            for m in [trunk.patch_generator, *trunk.blocks[:self.frozen_stages]]:
                m.eval()
                m.requires_grad_(False)

    def _probe(self) -> Tuple[torch.Tensor, ...]:
        """The forward on the smallest input (one patch), for :func:`freeze_unreached`."""
        p = next(self.radio.parameters())
        step = self.radio.min_resolution_step
        return self._forward(torch.zeros(1, 3, step, step, device=p.device))

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze()
        return self

    def init_weights(self) -> None:
        # RADIO weights are loaded at construction (the checkpoint defines the architecture);
        # an explicit init_cfg (e.g. Pretrained with prefix) still applies on top.
        if self.init_cfg is not None:
            super().init_weights()

    def _pad(self, x: torch.Tensor) -> torch.Tensor:
        step = self.radio.min_resolution_step
        ph, pw = (-x.shape[-2]) % step, (-x.shape[-1]) % step
        return F.pad(x, (0, pw, 0, ph)) if ph or pw else x

    def _fuse(self, block: Union[torch.Tensor, tuple]) -> torch.Tensor:
        """A block output as a contiguous map, with the mean summary token fused in if asked."""
        if self.summary_fusion is None:
            return block.contiguous()
        summary, feature_map = block
        s = summary.view(summary.shape[0], -1, feature_map.shape[1]).mean(1)[:, :, None, None]
        if self.summary_fusion == 'add':
            return (feature_map + s).contiguous()
        return torch.cat([feature_map, s.expand(-1, -1, *feature_map.shape[-2:])], dim=1)

    def _forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        check_batch(x, 'RADIOBackbone')
        only_blocks = not self.out_adaptors
        result = self.radio.forward_intermediates(
            self._pad(x / self.input_scale), indices=self.out_indices, output_fmt='NCHW',
            return_prefix_tokens=self.summary_fusion is not None, norm=self.final_norm, final_norm=True,
            norm_alpha_scheme=self.norm_alpha_scheme, intermediates_only=only_blocks, stop_early=only_blocks)
        final, blocks = (None, result) if only_blocks else result
        outs = [self._fuse(b) for b in blocks]
        outs += [final[name].features.contiguous() for name in self.out_adaptors]
        return tuple(outs)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        with torch.no_grad() if self.frozen else nullcontext(), precision_scope(x.device, self.autocast_dtype):
            outs = self._forward(x)
        return outs if self.autocast_dtype is None else tuple(o.float() for o in outs)
