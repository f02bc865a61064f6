"""FLOPs of a whole OpenMMLab model (backbone + neck + head) built from a config file.

Needs mmengine and mmseg or mmdet (``tools/setup_env.sh`` installs them). Segmentors are counted
through ``_forward`` (backbone, neck, decode head); detectors through ``_forward`` with one
dummy data sample (two-stage detectors include the RPN and RoI heads; mmcv's compiled ops such as
RoIAlign are not counted: they are not matrix multiplications).
"""
from typing import Tuple

import torch

from .flops import FlopCount, count_flops, count_parameters


def _require_mm():
    try:
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
    except ImportError as err:
        raise ImportError('--config needs mmengine + mmsegmentation/mmdetection (and a compiled mmcv); '
                          'install them with `bash tools/setup_env.sh`') from err
    return Config, init_default_scope


def _data_sample(scope: str, shape: Tuple[int, int]):
    meta = dict(img_shape=shape, ori_shape=shape, pad_shape=shape, batch_input_shape=shape, scale_factor=(1.0, 1.0))
    if scope == 'mmdet':
        from mmdet.structures import DetDataSample
        return DetDataSample(metainfo=meta)
    from mmseg.structures import SegDataSample
    return SegDataSample(metainfo=meta)


def build_mm_model(config_path: str) -> Tuple[torch.nn.Module, str]:
    """``(model in eval mode, scope)`` for an mmseg/mmdet config."""
    Config, init_default_scope = _require_mm()
    cfg = Config.fromfile(config_path)  # imports the config's custom_imports (radio_dense.openmmlab)
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    elif scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        raise ValueError(f'{config_path}: default_scope {scope!r} is neither mmseg nor mmdet')
    return MODELS.build(cfg.model).eval(), scope


def count_mm_flops(config_path: str, height: int, width: int) -> Tuple[int, FlopCount]:
    """``(parameters, FLOPs)`` of the config's model on one ``height x width`` image."""
    model, scope = build_mm_model(config_path)
    sample = _data_sample(scope, (height, width))
    flops = count_flops(model, (1, 3, height, width), forward=lambda m, x: m._forward(x, [sample]))
    return count_parameters(model), flops
