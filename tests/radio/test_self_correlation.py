"""RADSeg's self-correlation (radio_dense.radio.self_correlation): the formulas by hand, and SCRA on the
last block of the tiny RADIO only, in plain and ViTDet mode, with the block given back intact."""
import math

import pytest
import torch
from timm.models.vision_transformer import Attention

from radio_dense import load_radio
from radio_dense.radio.self_correlation import (SelfCorrelatingAttention, self_correlation_weights,
                                                set_last_block_self_correlation)


def test_weights_by_hand():
    """u0=(1,0), u1=(1,1)/sqrt2, u2=(-1,0), s=10: u0 and u1 (cos 0.707) weigh each other; u2 (cos -1, -0.707)
    keeps only itself."""
    tokens = torch.tensor([[1.0, 0.0], [3.0, 3.0], [-2.0, 0.0]])
    w = self_correlation_weights(tokens, 10.0)
    e = math.exp(10 * math.sqrt(0.5))
    expected = torch.tensor([[math.exp(10) / (math.exp(10) + e), e / (math.exp(10) + e), 0.0],
                             [e / (e + math.exp(10)), math.exp(10) / (e + math.exp(10)), 0.0],
                             [0.0, 0.0, 1.0]])
    torch.testing.assert_close(w, expected, rtol=1e-6, atol=1e-7)
    # SCGA's centring: the mean similarity (1/3 + 4 * (0.707 - 1 - 0.707) / 9 < -0.1) is subtracted first, so u1
    # and u2 (cos -0.707) still do not meet but u0 and u2 neither; the diagonal and u0-u1 stay
    centred = self_correlation_weights(tokens, 10.0, centre=True)
    assert centred[0, 2] == 0 and centred[0, 1] > 0 and centred[2, 2] == 1


def _attention(seed=0, dim=8, heads=2):
    torch.manual_seed(seed)
    return Attention(dim, num_heads=heads, qkv_bias=True).eval()


def test_scra_equals_its_formula_written_token_by_token():
    attn = _attention()
    x = torch.randn(2, 5, 8)
    with torch.no_grad():
        y = attn(x)  # the block's ordinary attention (timm's own)
        out = SelfCorrelatingAttention(attn, 10.0)(x)
        v = (x @ attn.qkv.weight[16:].T + attn.qkv.bias[16:]).reshape(2, 5, 2, 4)
        expected = torch.zeros(2, 5, 8)
        for b in range(2):
            for i in range(5):
                heads = []
                for h in range(2):
                    yi = y[b, i, 4 * h:4 * h + 4]
                    logits = []
                    for j in range(5):
                        yj = y[b, j, 4 * h:4 * h + 4]
                        s = 10.0 * float(yi @ yj) / float(yi.norm() * yj.norm())
                        logits.append(s if s >= 0 else -math.inf)
                    p = torch.tensor(logits).softmax(0)
                    heads.append(sum(p[j] * v[b, j, h] for j in range(5)))
                expected[b, i] = attn.proj(torch.cat(heads))
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
    assert (out - y).abs().max() > 1e-2  # it is not the ordinary attention


def test_parallel_attention_outputs_reduce_scra_to_the_block_attention():
    """q = k = 0: every token attends uniformly, so all attention outputs are equal, every cosine is 1 and
    SCRA's weights are uniform again: the same output."""
    attn = _attention(1)
    with torch.no_grad():
        attn.qkv.weight[:16] = 0
        attn.qkv.bias[:16] = 0
        x = torch.randn(1, 6, 8)
        torch.testing.assert_close(SelfCorrelatingAttention(attn, 10.0)(x), attn(x), rtol=1e-5, atol=1e-6)


def test_a_masked_token_is_as_if_absent():
    attn = _attention(2)
    x = torch.randn(1, 6, 8)
    mask = torch.ones(1, 1, 6, 6, dtype=torch.bool)
    mask[..., 3] = False  # nobody sees token 3 ...
    mask[..., 3, :] = True  # ... which itself sees everything (as ViTDet's padded queries)
    scra = SelfCorrelatingAttention(attn, 10.0)
    with torch.no_grad():
        masked = scra(x, attn_mask=mask)
        absent = scra(torch.cat([x[:, :3], x[:, 4:]], dim=1))
    torch.testing.assert_close(torch.cat([masked[:, :3], masked[:, 4:]], dim=1), absent, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('bad', [0, -1.0, 'ten', True, float('nan')])
def test_bad_scaling_is_refused(bad):
    with pytest.raises(ValueError, match='positive number'):
        SelfCorrelatingAttention(_attention(), bad)


@pytest.fixture(scope='module')
def tiny(hub_checkpoint):
    return load_radio(hub_checkpoint).eval()


def _block_outputs(radio, x):
    with torch.no_grad():
        _, captured = radio.model.forward_tokens(radio.input_conditioner(x), capture=range(len(radio.blocks)))
    return [torch.cat(pair, dim=1) for pair in captured]


@pytest.mark.parametrize('vitdet', [None, dict(window_size=4), dict(window_size=4, global_block_indices=[0])],
                         ids=['global', 'vitdet', 'vitdet-last-block-windowed'])
def test_scra_changes_the_last_block_only_and_gives_it_back(tiny, vitdet):
    """Plain and ViTDet trunks (also a windowed, padded last block: 5 x 7 patches in 4 x 4 windows). On CPU
    without gradients ViTDet takes its lean path; SCRA must still run there."""
    if vitdet:
        tiny.model.set_vitdet(**vitdet)
    try:
        x = torch.rand(1, 3, 80, 112)
        keys = list(tiny.state_dict())
        before = _block_outputs(tiny, x)
        set_last_block_self_correlation(tiny.blocks, 10.0)
        assert list(tiny.state_dict()) == keys  # same parameters under the same names
        after = _block_outputs(tiny, x)
        set_last_block_self_correlation(tiny.blocks, None)
        restored = _block_outputs(tiny, x)
    finally:
        set_last_block_self_correlation(tiny.blocks, None)
        tiny.model.set_vitdet(None)
    assert all(torch.equal(a, b) for a, b in zip(before[:-1], after[:-1]))
    # measured 5e-3 on this random trunk (its residual stream dominates); float noise would be ~1e-7
    assert (after[-1] - before[-1]).abs().max() > 1e-3 and torch.isfinite(after[-1]).all()
    assert all(torch.equal(a, b) for a, b in zip(before, restored))
    assert type(tiny.blocks[-1].attn) is Attention
