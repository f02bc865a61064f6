"""bf16 as a first-class precision: autocast outputs agree with fp32 on the upstream fixtures, 'auto'
picks bf16 only where the CPU computes it natively, and SAM's re-prompt caches follow the caller's dtype."""
import json

import pytest
import torch
import torch.nn.functional as F

from radio_dense.radio import precision
from radio_dense.radio.precision import cpu_has_native_bf16, precision_scope, resolve_dtype

from .upstream_fixtures import FIXTURES, MODEL_CASES, flatten_outputs, load_model, reference

AMD_EPYC = 'processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse avx2 fma\n'
SAPPHIRE_RAPIDS = 'model name\t: Intel(R) Xeon(R) Platinum 8481C\nflags\t\t: avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n'


def test_native_bf16_is_read_from_cpu_flags():
    assert not cpu_has_native_bf16(AMD_EPYC)
    assert cpu_has_native_bf16(SAPPHIRE_RAPIDS)
    assert cpu_has_native_bf16('flags : avx512f avx512_bf16\n')


@pytest.mark.parametrize('native,expected', [(False, torch.float32), (True, torch.bfloat16)])
def test_auto_picks_bf16_only_on_native_cpus(monkeypatch, native, expected):
    monkeypatch.setattr(precision, 'cpu_has_native_bf16', lambda cpuinfo=None: native)
    assert resolve_dtype('auto', 'cpu') == expected
    assert resolve_dtype('bf16', 'cpu') == torch.bfloat16 and resolve_dtype('fp32', 'cpu') == torch.float32
    assert resolve_dtype(None) == torch.float32
    with pytest.raises(ValueError, match='fp32'):
        resolve_dtype('half')


def test_precision_scope_fp32_turns_an_outer_autocast_off():
    a = torch.rand(4, 4)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert (a @ a).dtype == torch.bfloat16
        with precision_scope('cpu', 'fp32'):
            assert (a @ a).dtype == torch.float32
        with precision_scope('cpu', None):
            assert (a @ a).dtype == torch.bfloat16
    with precision_scope('cpu', 'bf16'):
        assert (a @ a).dtype == torch.bfloat16


def _forward_cases():
    for case in MODEL_CASES:
        index, _ = reference(case)
        call = next(c for c in index['calls'] if c['method'] == 'forward' and 'args_dtype' not in c['load'])
        yield pytest.param(case, call, id=case)


@pytest.mark.parametrize('case,call', list(_forward_cases()))
def test_bf16_autocast_matches_fp32_on_upstream_fixtures(case, call):
    """Every upstream fixture model: bf16 autocast outputs within cosine 0.999 of fp32 (per image)."""
    _, tensors = reference(case)
    model = load_model(case, 'hub', call['load'])
    x = tensors[f'input.{call["input"]}'].float() / 255
    with torch.no_grad():
        fp32 = flatten_outputs(model(x, **call['kwargs']))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16 = flatten_outputs(model(x, **call['kwargs']))
    assert fp32.keys() == bf16.keys()
    for path, ref in fp32.items():
        got = bf16[path].float()
        cos = F.cosine_similarity(got.flatten(1), ref.flatten(1), dim=1).min().item()
        assert cos > 0.999, f'{case} {path}: cosine {cos:.5f}'


def test_reprompt_decoder_caches_follow_the_callers_dtype():
    """A decoder first used under bf16 autocast, then in fp32 (and back): no dtype mix-up, same masks."""
    from radio_dense.sam.modeling.prompt_decoder import (build_mask_decoder, build_prompt_encoder,
                                                         dense_positional_encoding)
    from radio_dense.sam.modeling.reprompt_decoder import RepromptDecoder
    torch.manual_seed(0)
    encoder, decoder = build_prompt_encoder(), build_mask_decoder()
    embedding = torch.randn(1, 256, 64, 64)
    pe = dense_positional_encoding(encoder)
    points = (torch.tensor([[[100.0, 200.0]]]), torch.tensor([[1]]))
    with torch.no_grad():
        with torch.autocast('cpu', dtype=torch.bfloat16):
            fast = RepromptDecoder(encoder, decoder, embedding, pe)
            bf16_masks, _ = fast(*points)
        fp32_masks, _ = fast(*points)  # was: the bf16 cache mixed into an fp32 call
        reference_masks, _ = RepromptDecoder(encoder, decoder, embedding, pe)(*points)
    assert fp32_masks.dtype == torch.float32 and torch.equal(fp32_masks, reference_masks)
    assert F.cosine_similarity(bf16_masks.float().flatten(), fp32_masks.flatten(), dim=0) > 0.99
