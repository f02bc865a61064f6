"""The ViT-g FSDP variants: mmengine's FlexibleRunner + FSDPStrategy around the plain g configs. FSDP refuses
CPU-only processes (torch: "FSDP needs a non-CPU accelerator device"), so the CPU checks what FSDP would get: the
config, its wrap policy over the real ViT-g (meta device) and the layer-decay groups under FSDP's parameter names."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from torch import nn

from radio_dense.openmmlab.engine.layer_decay import RADIOLayerDecayOptimizerConstructor

CONFIGS = Path(__file__).resolve().parents[2] / 'configs/radio_seg'
FSDP = sorted(CONFIGS.glob('*-fsdp-*.py'))


def test_every_giant_release_has_an_fsdp_variant():
    assert {p.name.split('_upernet')[0] for p in FSDP} == {'c-radio_v3-g', 'radio_v2.5-g'}


@pytest.mark.parametrize('path', FSDP, ids=lambda p: p.stem)
def test_fsdp_config_wraps_each_block_and_keeps_the_recipe(path):
    cfg = Config.fromfile(str(path))
    plain = Config.fromfile(str(path).replace('8xb2-fsdp-80k', '8xb2-80k'))
    assert cfg.runner_type == 'FlexibleRunner' and cfg.strategy.type == 'FSDPStrategy'
    assert cfg.strategy.model_wrapper.use_orig_params
    assert cfg.model == plain.model and cfg.optim_wrapper == plain.optim_wrapper
    policy_cfg = dict(cfg.strategy.model_wrapper.auto_wrap_policy)
    policy = FUNCTIONS.get(policy_cfg.pop('type'))
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401
    with torch.device('meta'):
        backbone = MODELS.build(dict(cfg.model.backbone, checkpoint=None))
    blocks = backbone.radio.model.blocks
    sizes = [sum(p.numel() for p in blk.parameters()) for blk in blocks]
    assert all(policy(blk, recurse=False, nonwrapped_numel=n, **policy_cfg) for blk, n in zip(blocks, sizes))
    linear = blocks[0].mlp.fc1
    assert not policy(linear, recurse=False, nonwrapped_numel=linear.weight.numel(), **policy_cfg)


class _Wrapped(nn.Module):
    """Stands for an FSDP unit: FSDP with use_orig_params puts ``_fsdp_wrapped_module.`` into the names."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self._fsdp_wrapped_module = module

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._fsdp_wrapped_module, name)


def _groups(model):
    params = []
    RADIOLayerDecayOptimizerConstructor(dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05)),
                                        dict(decay_rate=0.9)).add_params(params, model)
    return sorted((round(g['lr'], 12), g['weight_decay'], len(g['params'])) for g in params)


def test_layer_decay_groups_are_the_same_under_fsdp_names():
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401
    model = nn.Module()
    model.backbone = MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny'))
    model.backbone.spm = nn.Linear(4, 4)  # a backbone parameter outside RADIO, as RADIOAdapter's (adapter lr)
    model.decode_head = nn.Conv2d(192, 4, 1)
    expected = _groups(model)
    blocks = model.backbone.radio.model.blocks
    for i in range(len(blocks)):
        blocks[i] = _Wrapped(blocks[i])
    wrapped = _Wrapped(model)
    assert any('_fsdp_wrapped_module.' in n for n, _ in wrapped.named_parameters())
    assert _groups(wrapped) == expected and len(expected) > 4
