"""FLOPs of a whole OpenMMLab model (backbone + neck + head) built from a config file.

Needs mmengine and mmseg or mmdet (``tools/setup_env.sh`` installs them). Segmentors are counted
through ``_forward`` (backbone, neck, decode head); detectors through ``_forward`` with one
dummy data sample (two-stage detectors include the RPN and RoI heads; mmcv's compiled ops such as
RoIAlign are not counted: they are not matrix multiplications).
"""
import inspect
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


def build_mm_model(config_path: str, random_init: bool = False) -> Tuple[torch.nn.Module, str]:
    """``(model in eval mode, scope)`` for an mmseg/mmdet config.

    ``random_init``: build the backbone's ``arch`` with random weights instead of loading its
    ``checkpoint`` (same parameters and FLOPs, no download).
    """
    Config, init_default_scope = _require_mm()
    cfg = Config.fromfile(config_path)
    if random_init and 'checkpoint' in cfg.model.get('backbone', {}):
        cfg.model.backbone.checkpoint = None
    try:
        import radio_dense.mm  # noqa: F401  registers RADIOBackbone and friends when present
    except ImportError:
        pass
    scope = cfg.get('default_scope', 'mmseg')
    init_default_scope(scope)
    if scope == 'mmdet':
        from mmdet.registry import MODELS
    elif scope == 'mmseg':
        from mmseg.registry import MODELS
    else:
        raise ValueError(f'{config_path}: default_scope {scope!r} is neither mmseg nor mmdet')
    return MODELS.build(cfg.model).eval(), scope


def count_mm_flops(config_path: str, height: int, width: int, random_init: bool = False) -> Tuple[int, FlopCount]:
    """``(parameters, FLOPs)`` of the config's model on one ``height x width`` image."""
    model, scope = build_mm_model(config_path, random_init)
    sample = _data_sample(scope, (height, width))
    flops = count_flops(model, (1, 3, height, width), forward=lambda m, x: _forward(m, x, sample))
    return count_parameters(model), flops


def _forward(model: torch.nn.Module, x: torch.Tensor, sample):
    """``model._forward``, except for mmseg heads whose ``forward`` needs the data samples (Mask2Former)."""
    head = getattr(model, 'decode_head', None)
    if head is not None and 'batch_data_samples' in inspect.signature(head.forward).parameters:
        return head.forward(model.extract_feat(x), [sample])
    return model._forward(x, [sample])
