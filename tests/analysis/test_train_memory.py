"""The training planner's shape formulas against what torch measures: autograd's saved tensors (activations)
and FlopCounterMode (FLOPs), on small real trunks."""
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from radio_dense.analysis.flops import _custom_mapping  # CPU's fused attention kernel
from radio_dense.analysis.train_memory import TrunkShape, plan_memory, trunk_flops
from radio_dense.radio import create_radio

SIZE = (2, 3, 128, 160)


def _saved_activation_bytes(model, x) -> int:
    """Bytes autograd keeps for the trunk's blocks' backward (parameters excluded, each tensor once)."""
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    saved = {}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in params:
            saved[(ptr, t.storage_offset(), tuple(t.shape))] = t.numel() * t.element_size()
        return t
    tokens = model.model.patch_generator(model.input_conditioner(x)).detach().requires_grad_()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        for blk in model.model.blocks:
            tokens = blk(tokens)
    return sum(saved.values())


@pytest.mark.parametrize('arch', ['vit-s-16', 'c-radio_v3-b'])  # without / with layer scale
def test_activation_estimate_matches_autograd(arch):
    model = create_radio(arch, seed=0).train()
    trunk = model.model
    shape = TrunkShape(trunk.spec, trunk.num_summary_tokens, *SIZE[-2:])
    plan = plan_memory(shape, SIZE[0], 1, 1)
    measured = _saved_activation_bytes(model, torch.rand(SIZE))
    assert 0.9 < plan.activations['fp32'] / measured < 1.1
    per_block_input = SIZE[0] * shape.tokens * trunk.embed_dim * 4
    assert plan.activations['fp32+cp'] == pytest.approx(trunk.spec.depth * per_block_input
                                                        + plan.activations['fp32'] / trunk.spec.depth)
    assert plan.activations['bf16'] < 0.7 * plan.activations['fp32']


@pytest.mark.parametrize('window', [None, 4])
def test_flops_match_torch_flop_counter(window):
    model = create_radio('vit-s-16', seed=0, vitdet_window_size=window).eval()
    trunk = model.model
    shape = TrunkShape(trunk.spec, trunk.num_summary_tokens, 128, 128, window=window,
                       is_global=trunk.is_global if window else None)
    tokens = trunk.patch_generator(torch.rand(1, 3, 128, 128))
    with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=_custom_mapping()) as counter:
        trunk.run_blocks(tokens, (8, 8))
    assert trunk_flops(shape) == pytest.approx(counter.get_total_flops(), rel=0.01)
