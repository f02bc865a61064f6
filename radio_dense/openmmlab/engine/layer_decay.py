"""Layer-wise learning-rate decay for RADIO backbones (BEiT/ViTDet style)."""
from typing import List, Optional

from mmengine.logging import print_log
from mmengine.optim import DefaultOptimWrapperConstructor
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
from torch import nn

# Parameters that never get weight decay (besides biases and every 1-d tensor such as norms):
# RADIO's position embedding and summary/register tokens; the learned level and query embeddings
# of ViT-Adapter and Mask2Former (mmdet's Mask2Former recipe sets decay_mult=0 on those).
NO_DECAY_NAMES = ('pos_embed', 'cls_token.token', 'patch_generator.cls_token', 'level_embed', 'query_embed',
                  'query_feat')


#: what FSDP (``use_orig_params=True``) and activation-checkpoint wrappers insert into parameter names
WRAPPER_NAME_PARTS = ('_fsdp_wrapped_module.', '_checkpoint_wrapped_module.')


def unwrapped_name(name: str) -> str:
    """A parameter's name as in the unwrapped model (FlexibleRunner + FSDPStrategy wraps before the optimizer)."""
    for part in WRAPPER_NAME_PARTS:
        name = name.replace(part, '')
    return name


def radio_layer_id(name: str, num_layers: int) -> int:
    """Depth of a parameter: 0 for the patch generator, i+1 for block i, ``num_layers + 1`` otherwise."""
    if '.radio.' in f'.{name}' or name.startswith('radio.'):
        if '.patch_generator.' in name or name.endswith('patch_generator'):
            return 0
        marker = '.blocks.'
        if marker in name:
            return int(name.split(marker, 1)[1].split('.', 1)[0]) + 1
    return num_layers + 1


def is_adapter_param(name: str) -> bool:
    """A backbone parameter outside the RADIO trunk (e.g. RADIOAdapter's prior and interactions)."""
    return name.startswith('backbone.') and '.radio.' not in name


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class RADIOLayerDecayOptimizerConstructor(DefaultOptimWrapperConstructor):
    """Scale each RADIO parameter's lr by ``decay_rate ** (num_layers + 1 - layer_id)``.

    ``paramwise_cfg``: ``decay_rate`` (e.g. 0.75), ``num_layers`` (blocks; default: read from the
    model's ``backbone.radio``), ``adapter_lr_scale`` (lr scale of backbone parameters outside
    RADIO, e.g. RADIOAdapter's; default: the top block's, ``decay_rate``; ViT-Adapter's own recipe
    is 1.0). No weight decay on position embedding, summary/register tokens, level/query
    embeddings, norms and biases. Heads and necks keep the base lr.
    """

    def add_params(self, params: List[dict], module: nn.Module, prefix: str = '', is_dcn_module: Optional[bool] = None) -> None:
        cfg = dict(self.paramwise_cfg or {})
        decay_rate = float(cfg.get('decay_rate', 1.0))
        num_layers = cfg.get('num_layers')
        if num_layers is None:
            backbone = getattr(module, 'backbone', None)
            radio = getattr(backbone, 'radio', None)
            if radio is None:
                raise ValueError('RADIOLayerDecayOptimizerConstructor needs model.backbone to be a RADIOBackbone, '
                                 "or paramwise_cfg=dict(num_layers=...)")
            num_layers = len(radio.blocks)
        adapter_scale = float(cfg.get('adapter_lr_scale', decay_rate))
        groups = {}
        for name, param in module.named_parameters():
            if not param.requires_grad:
                continue
            name = unwrapped_name(name)
            no_decay = param.ndim == 1 or name.endswith('.bias') or any(k in name for k in NO_DECAY_NAMES)
            if is_adapter_param(name):
                label, scale = 'adapter', adapter_scale
            else:
                layer_id = radio_layer_id(name, num_layers)
                label, scale = f'layer {layer_id:3d}', decay_rate ** (num_layers + 1 - layer_id)
            key = (label, no_decay)
            if key not in groups:
                groups[key] = dict(params=[], lr=self.base_lr * scale, lr_scale=scale,
                                   weight_decay=0.0 if no_decay else self.base_wd, param_names=[])
            groups[key]['params'].append(param)
            groups[key]['param_names'].append(name)
        for (label, no_decay), group in sorted(groups.items()):
            print_log(f'{label} {"no_decay" if no_decay else "decay   "} lr_scale={group["lr_scale"]:.4f} '
                      f'params={len(group["params"])}', logger='current', level=10)
            group.pop('param_names')
            params.append(group)
