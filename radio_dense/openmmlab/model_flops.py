"""FLOPs of a whole OpenMMLab model (backbone + neck + head) built from a config file.

Segmentors are counted
through ``_forward`` (backbone, neck, decode head); detectors through ``_forward`` with one
dummy data sample (two-stage detectors include the RPN and RoI heads; mmcv's compiled ops such as
RoIAlign are not counted: they are not matrix multiplications).

Models with code that cannot run on the meta device (mmcv's deformable attention checks its
level shapes' values: ViT-Adapter, Mask2Former) would have to compute the whole forward on the
CPU, hopeless for ViT-L at 1024 on a small machine. There the RADIO blocks, the bulk of the cost,
are counted alone on the meta device and everything else is counted on the CPU with the blocks
skipped (identity): the sum is the same count, since a block's FLOPs depend only on shapes.
"""
import contextlib
import inspect
from typing import Tuple

import torch
from torch import nn

from ..analysis.flops import FlopCount, count_flops, count_parameters
from .config_model import build_model, load_config


def _data_sample(scope: str, shape: Tuple[int, int]):
    meta = dict(img_shape=shape, ori_shape=shape, pad_shape=shape, batch_input_shape=shape, scale_factor=(1.0, 1.0))
    if scope == 'mmdet':
        from mmdet.structures import DetDataSample
        return DetDataSample(metainfo=meta)
    from mmseg.structures import SegDataSample
    return SegDataSample(metainfo=meta)


def count_mm_flops(config_path: str, height: int, width: int, random_init: bool = False) -> Tuple[int, FlopCount]:
    """``(parameters, FLOPs)`` of the config's model on one ``height x width`` image.

    ``random_init``: the backbone's architecture without its pretrained weights (no download).
    """
    cfg = load_config(config_path)
    model = build_model(cfg, random_init=random_init)
    sample = _data_sample(cfg.default_scope, (height, width))
    shape = (1, 3, height, width)
    radio = getattr(getattr(model, 'backbone', None), 'radio', None)
    if radio is None or height % radio.patch_size or width % radio.patch_size:
        flops = count_flops(model, shape, forward=lambda m, x: _forward(m, x, sample))
        return count_parameters(model), flops
    with_blocks = count_flops(radio, shape)
    with _blocks_skipped(radio.model):
        without_blocks = count_flops(radio, shape)
        rest = count_flops(model, shape, forward=lambda m, x: _forward(m, x, sample))
    return count_parameters(model), _add(rest, _subtract(with_blocks, without_blocks))


class _SkippedBlock(nn.Module):
    def forward(self, x: torch.Tensor, attn_mask=None) -> torch.Tensor:
        return x


@contextlib.contextmanager
def _blocks_skipped(trunk: nn.Module):
    blocks = trunk.blocks
    trunk.blocks = nn.Sequential(*[_SkippedBlock() for _ in blocks])
    try:
        yield
    finally:
        trunk.blocks = blocks


def _combine(a: FlopCount, b: FlopCount, sign: int) -> FlopCount:
    ops = {k: a.by_op.get(k, 0) + sign * b.by_op.get(k, 0) for k in set(a.by_op) | set(b.by_op)}
    return FlopCount(a.total + sign * b.total, a.attention + sign * b.attention, {k: v for k, v in ops.items() if v})


def _add(a: FlopCount, b: FlopCount) -> FlopCount:
    return _combine(a, b, 1)


def _subtract(a: FlopCount, b: FlopCount) -> FlopCount:
    return _combine(a, b, -1)


def _forward(model: torch.nn.Module, x: torch.Tensor, sample):
    """``model._forward``, except for mmseg heads whose ``forward`` needs the data samples (Mask2Former)."""
    head = getattr(model, 'decode_head', None)
    if head is not None and 'batch_data_samples' in inspect.signature(head.forward).parameters:
        return head.forward(model.extract_feat(x), [sample])
    return model._forward(x, [sample])
