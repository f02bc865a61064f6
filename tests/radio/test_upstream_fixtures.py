"""radio_dense reproduces upstream's outputs on checkpoints built by upstream's own code.

Fixtures: ``tests/fixtures/upstream/<case>/`` (made by ``tools/dev/make_upstream_fixture.py``):
forward with every adaptor (NLC and NCHW), every ``forward_intermediates`` flag combination,
ViTDet, and upstream's ``args.dtype`` handling, each in the torch.hub and Hugging Face layouts.
"""
import pytest
import torch

from radio_dense.radio import load_radio, read_checkpoint

from .upstream_fixtures import LAYOUTS, MODEL_CASES, load_model, reference, replay, source


def test_all_fixture_cases_are_present():
    assert set(MODEL_CASES) == {'cradio_v4', 'patch14', 'mlp_v1_final_norm', 'model_kwargs'}


@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('case', MODEL_CASES)
def test_every_recorded_call_matches_upstream(case, layout):
    results = replay(case, layout)
    index, _ = reference(case)
    assert len(results) == len(index['calls']) >= 100
    bad = [f'{name}: {diff:.2e} (tol {tol:.0e})' for name, diff, tol in results if not diff < tol]
    assert not bad, f'{case}/{layout}: {len(bad)} calls differ from upstream:\n' + '\n'.join(bad[:20])


@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('case', MODEL_CASES)
def test_summary_layout_matches_upstream(case, layout):
    meta = reference(case)[0]['meta']
    model = load_radio(source(case, layout), adaptor_names=meta['teachers'])
    assert model.summary_dim == meta['summary_dim']
    assert model.num_summary_tokens == meta['num_summary_tokens']
    assert model.num_cls_tokens == meta['num_cls_tokens']
    args = read_checkpoint(source(case, 'hub')).args
    assert (model.model.arch, model.model.model_kwargs) == (args['model'], args['model_kwargs'])
    if layout == 'hub':  # upstream's HF layout keeps every use_summary teacher (tested below)
        assert model.summary_idxs.tolist() == meta['summary_idxs']


def test_shared_summary_token_reports_its_real_width():
    # cls_token_per_teacher=False: one 192-wide summary although two teachers use summaries.
    model = load_radio(source('mlp_v1_final_norm', 'hf'))
    with torch.no_grad():
        summary = model(torch.rand(1, 3, 32, 32)).summary
    assert summary.shape == (1, 192) and model.summary_dim == 192


def test_per_teacher_head_versions_are_honoured():
    model = load_radio(source('cradio_v4', 'hf'), adaptor_names=['dino_v3', 'sam3'])
    assert type(model.adaptors['dino_v3'].feat_mlp).__name__ == 'AttnHead'
    assert type(model.adaptors['sam3'].head_mlp).__name__ == 'MLPv1'
    assert type(model.adaptors['sam3'].feat_mlp).__name__ == 'MLPv2'
    with torch.no_grad():
        out = model(torch.rand(1, 3, 64, 96), feature_fmt='NCHW')
    assert out['sam3'].features.shape == (1, 32, 8, 12)  # upsampled x2
    assert out['dino_v3'].features.shape == (1, 48, 4, 6)


def test_checkpoint_dtype_is_opt_in():
    path = source('model_kwargs', 'hub')
    default = load_radio(path)
    assert {p.dtype for p in default.parameters()} == {torch.float32}
    same = load_radio(path, dtype='checkpoint')  # args.dtype is float32 here
    assert {p.dtype for p in same.parameters()} == {torch.float32}
    with pytest.raises(ValueError, match="'checkpoint'"):
        load_radio(path, dtype='bf16')
    bf16 = load_model('model_kwargs', 'hf', {'adaptor_names': ['sam'], 'args_dtype': 'bfloat16'})
    assert {p.dtype for p in bf16.model.parameters()} == {torch.bfloat16}
    assert {p.dtype for p in bf16.adaptors.parameters()} == {torch.float32}  # upstream keeps adaptors in float32
    with torch.no_grad():
        out = bf16(torch.rand(1, 3, 32, 32))
    assert out['backbone'].features.dtype == torch.bfloat16 and out['sam'].features.dtype == torch.float32
