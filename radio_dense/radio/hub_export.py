"""Save a :class:`~radio_dense.radio.RADIOModel` as an upstream torch.hub checkpoint.

The file has the layout of NVlabs/RADIO's released ``*.pth.tar`` files
(``{'args': argparse.Namespace, 'state_dict': {...}}`` with ``base_model.*``,
``input_conditioner.*``, ``_heads.<i>.*``, ``_feature_projections.<i>.*``), so upstream's
``hubconf.radio_model(version=path)`` and our :func:`radio_dense.load_radio` both build the same
model from it (:func:`~radio_dense.radio.checkpoint.read_hub_checkpoint` is the reader). Used to compare
our implementation with upstream's on identical weights.
"""
import argparse
from typing import Dict, List, Optional

import torch
from torch import nn

from .adaptors import MLPv1
from .architectures import TRUNK_SPECS
from .model import RADIOModel


def timm_name_for(model: RADIOModel) -> str:
    """The timm model name whose trunk shape is the model's (what upstream passes to ``timm.create_model``)."""
    spec = model.model.spec
    for name, known in TRUNK_SPECS.items():
        if known == spec:
            return name
    raise ValueError(f'No known timm name for trunk {spec}; pass timm_name= explicitly')


def _teachers(model: RADIOModel, teacher_type: str) -> List[Dict]:
    by_slot = {a.head_idx: name for name, a in model.adaptors.items()}
    teachers = []
    for slot in range(model.model.num_cls_tokens):
        used = slot in model.summary_idxs.tolist()
        teachers.append({'name': by_slot.get(slot, f'teacher{slot}'), 'type': teacher_type, 'use_summary': used})
    return teachers


def hub_args(model: RADIOModel, timm_name: Optional[str] = None, teacher_type: str = 'generic') -> argparse.Namespace:
    """The ``args`` namespace upstream needs to rebuild ``model``'s architecture."""
    trunk = model.model
    mlp_version = 'v2'
    if model.adaptors and isinstance(next(iter(model.adaptors.values())).head_mlp, MLPv1):
        mlp_version = 'v1'
    return argparse.Namespace(
        model=timm_name or timm_name_for(model), model_kwargs={}, in_chans=None, input_size=None,
        pretrained=False, num_classes=0, drop=0.0, drop_path=None, drop_block=None, gp=None,
        bn_momentum=None, bn_eps=None, torchscript=False, initial_checkpoint='',
        model_norm=not isinstance(trunk.norm, nn.Identity),
        cpe_max_size=trunk.patch_generator.table_hw[0] * trunk.patch_size,
        teachers=_teachers(model, teacher_type), cls_token_per_teacher=True,
        register_multiple=None, cpe_num_registers=trunk.num_registers, mlp_version=mlp_version,
        spectral_reparam=False, spectral_heads=False, damp=None)


def hub_state_dict(model: RADIOModel) -> Dict[str, torch.Tensor]:
    """All tensors of ``model`` under upstream's torch.hub key names."""
    state = {f'base_model.{k}': v for k, v in model.model.state_dict().items()}
    if hasattr(model.input_conditioner, 'norm_mean'):
        state.update({f'input_conditioner.{k}': v for k, v in model.input_conditioner.state_dict().items()})
    for name, adaptor in model.adaptors.items():
        state.update({f'_heads.{adaptor.head_idx}.{k}': v for k, v in adaptor.head_mlp.state_dict().items()})
        state.update({f'_feature_projections.{adaptor.head_idx}.{k}': v
                      for k, v in adaptor.feat_mlp.state_dict().items()})
    if not isinstance(model.feature_normalizer, nn.Identity):
        state.update({f'_feature_normalizer.{k}': v for k, v in model.feature_normalizer.state_dict().items()})
    if model.inter_feature_normalizer is not None:
        state.update({f'_intermediate_feature_normalizer.{k}': v
                      for k, v in model.inter_feature_normalizer.state_dict().items()})
    return {k: v.detach().cpu().clone() for k, v in state.items()}


def save_hub_checkpoint(model: RADIOModel, path: str, timm_name: Optional[str] = None,
                        teacher_type: str = 'generic') -> str:
    """Write ``model`` to ``path`` in the torch.hub layout; returns ``path``.

    Args:
        timm_name: trunk name for upstream (default: looked up from the trunk's shape).
        teacher_type: ``type`` of each teacher entry; ``'generic'`` makes upstream build plain
            MLP adaptors (no CLIP tokenizer or other teacher code).
    """
    torch.save({'args': hub_args(model, timm_name, teacher_type), 'state_dict': hub_state_dict(model)}, path)
    return path
