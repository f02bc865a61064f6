"""RADIOBackbone: RADIO as an mmseg/mmdet backbone returning NCHW stride-``patch`` feature maps."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmengine.registry import MODELS

from ..radio import RADIOModel, create_radio, load_radio


@MODELS.register_module()
class RADIOBackbone(BaseModule):
    """RADIO ViT backbone for OpenMMLab models.

    Inputs come from the data preprocessor already normalised (RGB, CLIP mean/std x 255), so
    RADIO's own input conditioner is detached. Inputs of any size work: sizes that are not a
    multiple of the patch size are padded (bottom/right) before the trunk.

    Args:
        checkpoint: anything :func:`radio_dense.load_radio` accepts (zoo name, ``.pth.tar``, HF
            snapshot folder or repo id). ``None`` builds a random-initialised ``arch``.
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
    """

    def __init__(self, checkpoint: Optional[str] = None, arch: str = 'radio-tiny',
                 out_indices: Sequence[int] = (-1,), out_adaptors: Sequence[str] = (),
                 summary_fusion: Optional[str] = None, vitdet_window_size: Optional[int] = None,
                 num_global: Optional[int] = None, global_block_indices: Optional[Sequence[int]] = None,
                 frozen: bool = False, frozen_stages: int = -1, drop_path_rate: float = 0.0,
                 with_cp: bool = False, init_cfg: Optional[Union[dict, List[dict]]] = None):
        super().__init__(init_cfg=init_cfg)
        if summary_fusion not in (None, 'add', 'concat'):
            raise ValueError(f"summary_fusion must be None, 'add' or 'concat', got {summary_fusion!r}")
        vitdet = dict(vitdet_window_size=vitdet_window_size, num_global=num_global,
                      global_block_indices=global_block_indices, drop_path_rate=drop_path_rate)
        if checkpoint is not None:
            self.radio: RADIOModel = load_radio(checkpoint, adaptor_names=list(out_adaptors) or None, **vitdet)
        else:
            if out_adaptors:
                raise ValueError(f'out_adaptors={list(out_adaptors)} needs a pretrained checkpoint with adaptors; '
                                 f'a random-initialised arch={arch!r} has none')
            self.radio = create_radio(arch, **vitdet)
        if vitdet_window_size is not None and vitdet_window_size < 1:
            raise ValueError(f'vitdet_window_size must be >= 1, got {vitdet_window_size}')
        self.radio.make_preprocessor_external()
        depth = len(self.radio.blocks)
        self.out_indices = sorted({depth + i if i < 0 else i for i in out_indices})
        if not self.out_indices or self.out_indices[0] < 0 or self.out_indices[-1] >= depth:
            raise ValueError(f'out_indices={list(out_indices)} out of range for a {depth}-block RADIO')
        self.out_adaptors = list(out_adaptors)
        self.summary_fusion = summary_fusion
        self.frozen = frozen
        self.frozen_stages = frozen_stages
        self.radio.model.grad_checkpointing = with_cp
        self._freeze()

    @property
    def embed_dim(self) -> int:
        return self.radio.embed_dim

    @property
    def patch_size(self) -> int:
        return self.radio.patch_size

    @property
    def out_channels(self) -> List[int]:
        """Channels of each output map, in order."""
        c = self.embed_dim * (2 if self.summary_fusion == 'concat' else 1)
        adaptor_channels = [a.feat_mlp.final[-1].out_features if hasattr(a.feat_mlp, 'final') else a.feat_mlp.fc2.out_features
                            for a in (self.radio.adaptors[n] for n in self.out_adaptors)]
        return [c] * len(self.out_indices) + adaptor_channels

    def _freeze(self) -> None:
        if self.frozen:
            self.radio.eval()
            for p in self.radio.parameters():
                p.requires_grad_(False)
            return
        if self.frozen_stages >= 0:
            trunk = self.radio.model
            modules = [trunk.patch_generator] + list(trunk.blocks[:self.frozen_stages])
            for m in modules:
                m.eval()
                for p in m.parameters():
                    p.requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze()
        return self

    def init_weights(self) -> None:
        # RADIO weights are loaded at construction (the checkpoint defines the architecture);
        # an explicit init_cfg (e.g. Pretrained with prefix) still applies on top.
        if self.init_cfg is not None:
            super().init_weights()

    def _pad_to_patch(self, x: torch.Tensor) -> torch.Tensor:
        p = self.patch_size
        ph, pw = (-x.shape[-2]) % p, (-x.shape[-1]) % p
        return F.pad(x, (0, pw, 0, ph)) if ph or pw else x

    def _fuse(self, feature_map: torch.Tensor, summary: torch.Tensor) -> torch.Tensor:
        """Fuse the mean of the summary tokens ``(B, k, C)`` into ``(B, C, h, w)``."""
        if self.summary_fusion is None:
            return feature_map
        s = summary.mean(1)[:, :, None, None]
        if self.summary_fusion == 'add':
            return feature_map + s
        return torch.cat([feature_map, s.expand(-1, -1, *feature_map.shape[-2:])], dim=1)

    def _forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        x = self._pad_to_patch(x)
        radio = self.radio
        grid = (x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size)
        last = None if self.out_adaptors else self.out_indices[-1]
        tokens, captured = radio.model.forward_tokens(x, capture=self.out_indices, last_block=last)
        outs = []
        for prefix, spatial in captured:
            feature_map = spatial.transpose(1, 2).reshape(spatial.shape[0], -1, *grid).contiguous()
            outs.append(self._fuse(feature_map, prefix[:, :radio.num_cls_tokens][:, radio.summary_idxs]))
        if self.out_adaptors:
            final = radio.extract_outputs(radio.model.norm(tokens), grid, 'NCHW')
            outs += [final[name].features for name in self.out_adaptors]
        return tuple(outs)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.frozen:
            with torch.no_grad():
                return self._forward(x)
        return self._forward(x)
