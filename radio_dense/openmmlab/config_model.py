"""From a config file to a model: the one path that tools, ONNX export, FLOPs and benchmarks take.

``load_config`` reads a config (its ``custom_imports`` register radio_dense's modules), applies
``--cfg-options`` and checks the ``default_scope`` that says which codebase builds it;
``build_model`` builds the model in that scope's registry, optionally with a checkpoint or with
the backbone's pretrained weights left out (same architecture, no download).
"""
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config
from mmengine.registry import init_default_scope
from torch import nn

#: the codebases whose configs the segmentation / detection tools take (SAM configs use 'mmengine')
TASK_SCOPES = ('mmseg', 'mmdet')


def load_config(path: str, cfg_options: Optional[dict] = None, scopes: Sequence[str] = TASK_SCOPES) -> Config:
    """A config with ``cfg_options`` merged; explains a missing file or a ``default_scope`` not in ``scopes``."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Config {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    scope = cfg.get('default_scope')
    if scope not in scopes:
        raise ValueError(f"{path}: default_scope must be one of {tuple(scopes)} (inherit an "
                         f"{' or '.join(s + '::' for s in scopes)} base config), got {scope!r}")
    return cfg


def _registry(scope: str):
    if scope == 'mmseg':
        from mmseg.registry import MODELS
    elif scope == 'mmdet':
        from mmdet.registry import MODELS
    elif scope == 'mmengine':
        from mmengine.registry import MODELS
    else:
        raise ValueError(f'default_scope {scope!r} is not one of mmseg, mmdet, mmengine')
    return MODELS


def build_model(cfg: Config, checkpoint: Optional[str] = None, random_init: bool = False,
                device: str = 'cpu') -> nn.Module:
    """The config's model in eval mode on ``device``.

    ``checkpoint``: weights to load (mmengine's ``load_checkpoint``: non-strict, logged).
    ``random_init``: build the backbone without its pretrained ``checkpoint`` (same parameters and
    FLOPs, no download).
    """
    model_cfg = cfg.model
    if random_init and 'checkpoint' in model_cfg.get('backbone', {}):
        model_cfg = Config(dict(cfg.model))
        model_cfg.backbone.checkpoint = None
    init_default_scope(cfg.default_scope)
    model = _registry(cfg.default_scope).build(model_cfg)
    if checkpoint:
        from mmengine.runner import load_checkpoint
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = cfg  # what mmseg's / mmdet's inference helpers read
    return model.to(device).eval()
