"""Every trainable RADIOBackbone / RADIOAdapter parameter gets a gradient after one backward, for
the settings where some cannot (final norm, adaptor summary heads, blocks after the last output),
so DDP with ``find_unused_parameters=False`` trains them; what the forward uses stays trainable."""
import pytest
import torch
from torch import nn

from radio_dense.openmmlab.models.adapter import RADIOAdapter
from radio_dense.openmmlab.models.backbone import RADIOBackbone
from radio_dense.openmmlab.models.freeze_unused import freeze_unreached, reached_parameters

from ..radio.upstream_fixtures import source

FINAL_NORM = source('mlp_v1_final_norm', 'hub')  # 2 blocks, final norm, clip / dino_v2 / sam adaptors

SETTINGS = {
    'blocks only': dict(),
    'final_norm': dict(final_norm=True),
    'adaptors': dict(out_adaptors=['sam', 'clip']),
    'early out_indices': dict(out_indices=(0,)),
    'early out_indices + adaptor': dict(out_indices=(0,), out_adaptors=['dino_v2']),
    'frozen_stages=1': dict(frozen_stages=1),
    'summary concat + vitdet': dict(summary_fusion='concat', vitdet_window_size=2, num_global=1, out_indices=(0, 1)),
    'frozen': dict(frozen=True),
}


def _trainable_without_grad(model: nn.Module, x: torch.Tensor):
    model.train()
    loss = sum(o.float().mean() for o in model(x))
    if loss.requires_grad:
        loss.backward()
    return [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]


@pytest.mark.parametrize('setting', list(SETTINGS))
def test_every_trainable_backbone_parameter_gets_a_gradient(setting):
    options = SETTINGS[setting]
    backbone = RADIOBackbone(checkpoint=FINAL_NORM, **options)
    assert _trainable_without_grad(backbone, torch.rand(2, 3, 48, 64) * 255) == []
    trainable = {n for n, p in backbone.named_parameters() if p.requires_grad}
    norm_used = options.get('final_norm') or options.get('out_adaptors')
    if options.get('frozen'):
        assert trainable == set()
        return
    assert ('radio.model.norm.weight' in trainable) == bool(norm_used)
    assert 'radio.model.blocks.0.attn.qkv.weight' in trainable or options.get('frozen_stages', -1) >= 1
    assert ('radio.model.blocks.1.mlp.fc2.weight' in trainable) == (options.get('out_indices', (-1,))[-1] != 0
                                                                   or bool(options.get('out_adaptors')))
    assert not any('head_mlp' in n for n in trainable)  # adaptor summary heads: the backbone returns features only
    for name in options.get('out_adaptors', []):
        assert f'radio.adaptors.{name}.feat_mlp.fc1.weight' in trainable


def test_adapter_on_a_final_norm_checkpoint():
    adapter = RADIOAdapter(checkpoint=FINAL_NORM, interaction_indexes=[[0, 0], [1, 1]], add_vit_feature=False,
                           norm_cfg=dict(type='BN'), frozen_stages=0)
    assert _trainable_without_grad(adapter, torch.rand(2, 3, 64, 64) * 255) == []
    trainable = {n for n, p in adapter.named_parameters() if p.requires_grad}
    assert 'vit.radio.model.norm.weight' not in trainable and 'vit.radio.model.blocks.1.attn.qkv.weight' in trainable
    assert 'injectors.0.gamma' in trainable and any(n.startswith('spm.') for n in trainable)


def test_freeze_unreached_keeps_modes_and_only_freezes_what_is_unused():
    model = nn.ModuleDict(dict(used=nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5)),
                               unused=nn.Linear(3, 3)))
    model.train()
    model['used'][1].eval()
    stats = model['used'][1].running_mean.clone()
    frozen = freeze_unreached(model, lambda: model['used'](torch.ones(4, 3)), 'toy')
    assert frozen == ['unused.weight', 'unused.bias']
    assert [m.training for m in model.modules()] == [True, True, True, False, True, True]
    assert torch.equal(model['used'][1].running_mean, stats)
    assert all(p.requires_grad for p in model['used'].parameters())
    x = torch.ones(1, 3, requires_grad=True)
    assert reached_parameters({'a': [(x * 2,)]}) == {id(x)}
