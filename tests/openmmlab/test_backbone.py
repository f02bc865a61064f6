"""RADIOBackbone, SimpleFPN and the layer-decay optimizer constructor."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS as ENGINE_MODELS
from mmdet.registry import MODELS as DET_MODELS
from mmseg.registry import MODELS as SEG_MODELS

import radio_dense.openmmlab  # noqa: F401  (registration)
from radio_dense import load_radio
from radio_dense.radio.conditioner import CLIP_MEAN, CLIP_STD

from ..conftest import REPO_ROOT


def test_openmmlab_stack_is_importable():
    import mmcv.ops  # noqa: F401  (compiled ops)
    import mmdet.models  # noqa: F401
    import mmseg.models  # noqa: F401
    from mmcv.ops import nms
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], dtype=torch.float32)
    _, keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7]), 0.5)
    assert keep.tolist() == [0, 2]


@pytest.mark.parametrize('registry', [SEG_MODELS, DET_MODELS, ENGINE_MODELS])
def test_found_from_every_scope(registry):
    for name in ('RADIOBackbone', 'SimpleFPN', 'LN2d'):
        assert registry.get(name) is not None, name


def test_registered_once_in_the_right_registry():
    import radio_dense.openmmlab.det  # noqa: F401
    import radio_dense.openmmlab.seg  # noqa: F401
    from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
    home = {'RADIOBackbone': ENGINE_MODELS, 'SimpleFPN': ENGINE_MODELS, 'LN2d': ENGINE_MODELS,
            'LinearBNHead': SEG_MODELS, 'ContiguousRoIExtractor': DET_MODELS}
    for name, registry in home.items():
        holders = [r.scope for r in (ENGINE_MODELS, SEG_MODELS, DET_MODELS) if name in r.module_dict]
        assert holders == [registry.scope], (name, holders)
    assert 'RADIOLayerDecayOptimizerConstructor' in OPTIM_WRAPPER_CONSTRUCTORS.module_dict
    with pytest.raises(KeyError, match='already registered'):  # no silent overriding (force=True is gone)
        ENGINE_MODELS.register_module('RADIOBackbone', module=torch.nn.Identity)


def test_backbone_equals_forward_intermediates_with_normaliser(phi_s_checkpoint):
    """The backbone is forward_intermediates on x / 255: conditioner and PHI-S normaliser included."""
    backbone = SEG_MODELS.build(dict(type='RADIOBackbone', checkpoint=phi_s_checkpoint, out_indices=(3, -1),
                                     out_adaptors=['sam']))
    assert backbone.out_channels == [192, 192, 256]
    ref = load_radio(phi_s_checkpoint, adaptor_names=['sam'])
    assert ref.inter_feature_normalizer is not None
    x = torch.rand(1, 3, 128, 160) * 255
    raw = SEG_MODELS.build(dict(type='RADIOBackbone', checkpoint=phi_s_checkpoint, out_indices=(3, -1),
                                norm_alpha_scheme='none'))
    with torch.no_grad():
        b3, b11, sam = backbone(x)
        final, expected = ref.forward_intermediates(x / 255, indices=[3, 11])
        unnormalised = ref.forward_intermediates(x / 255, indices=[3, 11], intermediates_only=True,
                                                 norm_alpha_scheme='none')
        raw3, raw11 = raw(x)
        odd = backbone(torch.rand(2, 3, 100, 150) * 255)
    assert torch.allclose(b3, expected[0], atol=1e-5) and torch.allclose(b11, expected[1], atol=1e-5)
    assert torch.allclose(sam, final['sam'].features, atol=1e-5) and sam.shape == (1, 256, 8, 10)
    assert (b11 - unnormalised[1]).abs().max() > 0.1  # the normaliser matters here...
    assert torch.allclose(raw11, unnormalised[1], atol=1e-5)  # ...and can be turned off
    assert [o.shape[-2:] for o in odd] == [(7, 10)] * 3


def test_seg_config_forward_uses_the_checkpoint_statistics(non_clip_checkpoint):
    """A config's data preprocessor + backbone equals load_radio(source)(x / 255) for a non-CLIP checkpoint."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.structures import SegDataSample
    init_default_scope('mmseg')
    cfg = Config.fromfile(str(REPO_ROOT / 'configs' / 'demo' / 'radio-tiny_upernet_1xb4-300_synthetic-192x192.py'))
    cfg.model.backbone.checkpoint = non_clip_checkpoint
    model = SEG_MODELS.build(cfg.model).eval()
    rgb = torch.randint(0, 256, (3, 192, 192), dtype=torch.uint8)
    data = model.data_preprocessor(dict(inputs=[rgb.flip(0)], data_samples=[SegDataSample()]), False)  # BGR file
    with torch.no_grad():
        (features,) = model.backbone(data['inputs'])
        expected = load_radio(non_clip_checkpoint)(rgb[None].float() / 255, feature_fmt='NCHW').features
        clip = load_radio(non_clip_checkpoint)
    assert torch.allclose(features, expected, atol=1e-5)
    clip.input_conditioner.norm_mean.copy_(torch.tensor(CLIP_MEAN).view(3, 1, 1))
    clip.input_conditioner.norm_std.copy_(torch.tensor(CLIP_STD).view(3, 1, 1))
    with torch.no_grad():
        with_clip = clip(rgb[None].float() / 255, feature_fmt='NCHW').features
    assert (features - with_clip).abs().max() > 0.1  # restating CLIP's statistics would have been wrong


def test_summary_fusion_channels():
    b = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny', summary_fusion='concat'))
    (out,) = b(torch.rand(1, 3, 64, 64))
    assert out.shape == (1, 384, 4, 4) and b.out_channels == [384]


def test_frozen_backbone_has_no_gradients_and_stays_in_eval():
    b = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny', frozen=True, drop_path_rate=0.3))
    b.train()
    assert not b.radio.training
    assert not any(p.requires_grad for p in b.parameters())
    (out,) = b(torch.rand(1, 3, 64, 64))
    assert not out.requires_grad


def test_frozen_stages():
    b = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny', frozen_stages=4))
    b.train()
    trunk = b.radio.model
    assert not any(p.requires_grad for p in trunk.patch_generator.parameters())
    assert not any(p.requires_grad for blk in trunk.blocks[:4] for p in blk.parameters())
    assert all(p.requires_grad for blk in trunk.blocks[4:] for p in blk.parameters())
    assert not trunk.blocks[3].training and trunk.blocks[4].training


def test_vitdet_backbone_with_checkpointing_trains():
    b = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny', vitdet_window_size=4, num_global=2,
                              with_cp=True, drop_path_rate=0.1))
    b.train()
    (out,) = b(torch.rand(2, 3, 80, 112))
    out.sum().backward()
    assert out.shape == (2, 192, 5, 7)
    assert [i for i, g in enumerate(b.radio.model.is_global) if g] == [5, 11]
    assert b.radio.model.patch_generator.embedder.weight.grad is not None


@pytest.mark.parametrize('cfg,match', [
    (dict(arch='radio-tiny', window_size=4), "unexpected keyword argument 'window_size'"),
    (dict(arch='radio-tiny', vitdet_window_size=0), 'vitdet_window_size must be'),
    (dict(arch='radio-tiny', num_global=13, vitdet_window_size=4), 'num_global must be in'),
    (dict(arch='radio-tiny', out_adaptors=['sam']), 'need pretrained weights'),
    (dict(arch='vit-q-99'), "Unknown ViT architecture 'vit-q-99'"),
    (dict(arch='radio-tiny', out_indices=(12,)), 'out_indices'),
])
def test_bad_backbone_config_fails_at_build(cfg, match):
    with pytest.raises(Exception, match=match):
        SEG_MODELS.build(dict(type='RADIOBackbone', **cfg))


def test_unknown_adaptor_in_config(hub_checkpoint):
    with pytest.raises(ValueError, match=r"Unknown adaptor 'dinov3'"):
        SEG_MODELS.build(dict(type='RADIOBackbone', checkpoint=hub_checkpoint, out_adaptors=['dinov3']))


def test_simple_fpn_strides():
    neck = DET_MODELS.build(dict(type='SimpleFPN', in_channels=192, out_channels=32, num_outs=5))
    outs = neck((torch.rand(1, 192, 8, 12),))
    assert [tuple(o.shape[-2:]) for o in outs] == [(32, 48), (16, 24), (8, 12), (4, 6), (2, 3)]
    assert all(o.shape[1] == 32 for o in outs)


def test_layer_decay_groups():
    model = torch.nn.Module()
    model.backbone = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny'))
    model.head = torch.nn.Conv2d(192, 3, 1)
    wrapper = build_optim_wrapper(model, dict(
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        constructor='RADIOLayerDecayOptimizerConstructor', paramwise_cfg=dict(decay_rate=0.5)))
    groups = wrapper.optimizer.param_groups
    by_param = {id(p): g for g in groups for p in g['params']}
    trunk = model.backbone.radio.model
    assert by_param[id(model.head.weight)]['lr'] == pytest.approx(1e-3)
    assert by_param[id(model.head.weight)]['weight_decay'] == 0.05
    assert by_param[id(trunk.blocks[11].attn.qkv.weight)]['lr'] == pytest.approx(1e-3 * 0.5)
    assert by_param[id(trunk.blocks[0].attn.qkv.weight)]['lr'] == pytest.approx(1e-3 * 0.5 ** 12)
    assert by_param[id(trunk.patch_generator.embedder.weight)]['lr'] == pytest.approx(1e-3 * 0.5 ** 13)
    for p in (trunk.patch_generator.pos_embed, trunk.patch_generator.cls_token.token, trunk.blocks[0].norm1.weight,
              trunk.blocks[0].attn.qkv.bias, model.head.bias):
        assert by_param[id(p)]['weight_decay'] == 0.0
    assert sum(len(g['params']) for g in groups) == len(list(model.parameters()))


def test_feature_maps_are_contiguous_nchw():
    """mmcv ops (RoIAlign) read raw NCHW memory: permuted views would be silently misread."""
    ln = SEG_MODELS.build(dict(type='LN2d', num_channels=8))
    x = torch.randn(2, 8, 5, 7)
    y = ln(x)
    ref = torch.nn.functional.layer_norm(x.permute(0, 2, 3, 1), (8,), eps=1e-6).permute(0, 3, 1, 2)
    assert y.is_contiguous() and torch.allclose(y, ref, atol=1e-5)
    backbone = SEG_MODELS.build(dict(type='RADIOBackbone', arch='radio-tiny'))
    (fmap,) = backbone(torch.rand(1, 3, 64, 96))
    assert fmap.is_contiguous()
    neck = DET_MODELS.build(dict(type='SimpleFPN', in_channels=192, out_channels=16))
    assert all(o.is_contiguous() for o in neck((fmap,)))


def test_backbone_dtype_autocasts_radio_and_returns_float32():
    """dtype='bf16': RADIO under bf16 autocast (maps in float32, cosine > 0.999); 'fp32' stays exact
    even inside an outer bf16 autocast (what --amp bf16 training would apply)."""
    import torch.nn.functional as F

    from radio_dense.openmmlab import RADIOBackbone
    backbone = RADIOBackbone(arch='radio-tiny', out_indices=[5, 11], vitdet_window_size=4).eval()
    x = torch.rand(1, 3, 96, 112) * 255
    with torch.no_grad():
        ref = backbone(x)
        backbone.autocast_dtype = 'bf16'
        got = backbone(x)
        backbone.autocast_dtype = 'fp32'
        with torch.autocast('cpu', dtype=torch.bfloat16):
            exact = backbone(x)
    assert all(g.dtype == torch.float32 for g in got)
    assert all(F.cosine_similarity(g.flatten(), r.flatten(), dim=0) > 0.999 for g, r in zip(got, ref))
    assert all(torch.equal(e, r) for e, r in zip(exact, ref))
    with pytest.raises(ValueError, match='dtype'):
        RADIOBackbone(arch='radio-tiny', dtype='half')
