"""RADIOAdapter (ViT-Adapter on RADIO): the ViT path, token handling, shapes, freezing, layer decay, checkpointing."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch import nn

from radio_dense.openmmlab import RADIOAdapter

TINY_STAGES = [[0, 2], [3, 5], [6, 8], [9, 11]]


def _adapter(**kw) -> RADIOAdapter:
    torch.manual_seed(0)
    args = dict(arch='radio-tiny', interaction_indexes=TINY_STAGES, deform_num_heads=6, deform_ratio=0.5,
                norm_cfg=dict(type='BN', requires_grad=True))
    args.update(kw)
    return RADIOAdapter(**args)


def _set_gammas(adapter: RADIOAdapter, value: float) -> None:
    with torch.no_grad():
        for g in adapter.gammas:
            g.fill_(value)


@pytest.fixture(scope='module')
def image():
    return torch.randn(2, 3, 80, 112, generator=torch.Generator().manual_seed(1))  # 5 x 7 patches


@pytest.mark.parametrize('vitdet', [None, 2], ids=['global', 'vitdet-window-2'])
def test_zero_gammas_give_the_plain_radio_backbone(image, vitdet):
    adapter = _adapter(vitdet_window_size=vitdet, num_global=2 if vitdet else None).eval()
    assert all((g == 0).all() for g in adapter.gammas)  # init_values=0: ViT-Adapter's default
    with torch.no_grad():  # forward_interactions takes conditioned images, RADIOBackbone 0..255 ones
        _, vit_maps = adapter.forward_interactions(adapter.radio.input_conditioner(image * 255 / 255))
        plain = adapter.vit(image * 255)  # RADIOBackbone's own forward, out_indices = the interaction ends
    assert adapter.vit.out_indices == [2, 5, 8, 11]
    assert len(vit_maps) == len(plain) == 4
    for ours, ref in zip(vit_maps, plain):
        assert ours.shape == ref.shape == (2, 192, 5, 7)
        torch.testing.assert_close(ours, ref, rtol=0, atol=1e-6)

    _set_gammas(adapter, 0.5)
    with torch.no_grad():
        _, injected = adapter.forward_interactions(image)
    assert (injected[-1] - plain[-1]).abs().max() > 1e-3  # the injector does change the ViT path


def test_injector_touches_only_patch_tokens(image):
    adapter = _adapter().eval()
    _set_gammas(adapter, 1.0)
    trunk = adapter.radio.model
    skip = trunk.num_summary_tokens
    seen = {}

    def grab(name):
        def hook(module, args, output=None):
            seen[name] = (args[0] if output is None else output).detach().clone()
        return hook

    handles = [trunk.blocks[0].register_forward_pre_hook(grab('in0')),
               trunk.blocks[2].register_forward_hook(grab('out2')),
               trunk.blocks[3].register_forward_pre_hook(grab('in3'))]
    with torch.no_grad():
        adapter.forward_interactions(image)
        start = trunk.patch_generator(image)
    for h in handles:
        h.remove()
    assert skip > 0
    torch.testing.assert_close(seen['in0'][:, :skip], start[:, :skip], rtol=0, atol=0)
    torch.testing.assert_close(seen['in3'][:, :skip], seen['out2'][:, :skip], rtol=0, atol=0)
    assert (seen['in0'][:, skip:] - start[:, skip:]).abs().max() > 1e-3
    assert (seen['in3'][:, skip:] - seen['out2'][:, skip:]).abs().max() > 1e-3


@pytest.mark.parametrize('size, vitdet', [((80, 112), None), ((100, 150), None), ((100, 150), 2)],
                         ids=['multiple-of-16', 'odd-size', 'odd-size-vitdet'])
def test_four_levels_at_any_input_size(size, vitdet):
    adapter = _adapter(vitdet_window_size=vitdet, num_global=2 if vitdet else None).eval()
    h, w = size
    with torch.no_grad():
        outs = adapter(torch.randn(1, 3, h, w))
    assert [tuple(o.shape[-2:]) for o in outs] == [(-(-h // s), -(-w // s)) for s in (4, 8, 16, 32)]
    assert all(o.shape[:2] == (1, 192) and o.is_contiguous() and torch.isfinite(o).all() for o in outs)
    assert adapter.out_channels == [192] * 4


def test_frozen_trunk_passes_gradients_to_the_adapter(image):
    adapter = _adapter(frozen=True).train()
    assert not adapter.radio.training and adapter.spm.training
    _set_gammas(adapter, 0.1)
    sum(o.square().mean() for o in adapter(image)).backward()
    assert all(p.grad is None and not p.requires_grad for p in adapter.radio.parameters())
    assert all(g.grad is not None and g.grad.abs().sum() > 0 for g in adapter.gammas)
    assert adapter.spm.projs[1].weight.grad.abs().sum() > 0  # through the injector and the frozen blocks


def test_frozen_stages(image):
    adapter = _adapter(frozen_stages=2).train()
    sum(o.mean() for o in adapter(image)).backward()
    trunk = adapter.radio.model
    frozen = (trunk.patch_generator, trunk.blocks[0], trunk.blocks[1])
    assert all(p.grad is None for m in frozen for p in m.parameters())
    assert not trunk.blocks[1].training and trunk.blocks[2].training
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in trunk.blocks[2].parameters())


def test_with_cp_gives_the_same_outputs_and_gradients(image):
    results = []
    for with_cp in (False, True):
        adapter = _adapter(with_cp=with_cp).train()
        _set_gammas(adapter, 0.3)
        assert adapter.radio.model.grad_checkpointing == with_cp
        outs = adapter(image)
        sum(o.square().mean() for o in outs).backward()
        results.append(([o.detach() for o in outs], {n: p.grad for n, p in adapter.named_parameters()}))
    (outs_a, grads_a), (outs_b, grads_b) = results
    for a, b in zip(outs_a, outs_b):
        torch.testing.assert_close(a, b)
    for name, grad in grads_a.items():
        torch.testing.assert_close(grad, grads_b[name], msg=name)


class _Model(nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(4, 4)


@pytest.mark.parametrize('adapter_lr_scale', [None, 1.0])
def test_layer_decay_gives_the_adapter_the_top_rate_or_the_configured_one(adapter_lr_scale):
    model = _Model(_adapter())
    paramwise = dict(decay_rate=0.5)
    if adapter_lr_scale is not None:
        paramwise['adapter_lr_scale'] = adapter_lr_scale
    wrapper = build_optim_wrapper(model, dict(
        type='OptimWrapper', optimizer=dict(type='AdamW', lr=1.0, weight_decay=0.05),
        constructor='RADIOLayerDecayOptimizerConstructor', paramwise_cfg=paramwise))
    group_of = {id(p): g for g in wrapper.optimizer.param_groups for p in g['params']}
    named = dict(model.named_parameters())
    adapter_lr = 0.5 if adapter_lr_scale is None else 1.0  # default: the top block's rate (12 blocks)
    assert group_of[id(named['backbone.spm.projs.0.weight'])]['lr'] == adapter_lr
    assert group_of[id(named['backbone.injectors.0.attn.value_proj.weight'])]['lr'] == adapter_lr
    assert group_of[id(named['backbone.vit.radio.model.blocks.11.attn.qkv.weight'])]['lr'] == 0.5
    assert group_of[id(named['backbone.vit.radio.model.blocks.0.attn.qkv.weight'])]['lr'] == 0.5 ** 12
    assert group_of[id(named['head.weight'])]['lr'] == 1.0
    assert group_of[id(named['backbone.level_embed'])]['weight_decay'] == 0.0
    assert group_of[id(named['backbone.injectors.0.gamma'])]['weight_decay'] == 0.0
    assert group_of[id(named['backbone.spm.projs.0.weight'])]['weight_decay'] == 0.05
    assert sum(len(g['params']) for g in wrapper.optimizer.param_groups) == len(named)


@pytest.mark.parametrize('indexes, message', [
    ([[0, 2], [3, 5], [6, 8]], 'end at block 8'),
    ([[0, 2], [4, 5], [6, 8], [9, 11]], 'without gaps'),
    ([[0, 11]], 'needs 4 interaction_indexes'),
])
def test_bad_interaction_indexes_are_explained(indexes, message):
    with pytest.raises(ValueError, match=message):
        _adapter(interaction_indexes=indexes)


def test_backbone_output_options_are_refused():
    with pytest.raises(ValueError, match='out_indices'):
        _adapter(out_indices=(3, 5))


def test_an_empty_batch_is_named():
    with pytest.raises(ValueError, match='RADIOAdapter got an empty batch'):
        _adapter().eval()(torch.zeros(0, 3, 32, 32))


def test_bf16_dtype_runs_radio_and_deformable_attention_under_autocast(image):
    """dtype='bf16' (a RADIOBackbone argument): the trunk runs in bf16, deformable attention in fp32
    inside, the four maps come back float32 and agree with fp32."""
    torch.manual_seed(0)
    adapter = _adapter().eval()
    _set_gammas(adapter, 0.5)
    seen = {}
    adapter.radio.blocks[0].mlp.fc1.register_forward_hook(lambda m, a, out: seen.update(radio=out.dtype))
    with torch.no_grad():
        ref = adapter(image)
        adapter.vit.autocast_dtype = 'bf16'
        got = adapter(image)
    assert seen['radio'] == torch.bfloat16 and all(g.dtype == torch.float32 for g in got)
    cos = [torch.nn.functional.cosine_similarity(g.flatten(), r.flatten(), dim=0).item() for g, r in zip(got, ref)]
    assert min(cos) > 0.99, cos
