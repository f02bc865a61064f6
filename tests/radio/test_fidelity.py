"""Our RADIO reproduces upstream's outputs (../shared/fixtures/radio_tiny/reference.pt) to 1e-4."""
import pytest
import torch

from radio_dense import load_radio

from ..conftest import ADAPTORS

TOL = 1e-4
PLAIN_CASES = ['sq224', 'ns256x384', 'sq1024', 'ns432x160']
LAYOUTS = ['hub', 'hf']


def _source(layout, hub_checkpoint, hf_snapshot):
    return hub_checkpoint if layout == 'hub' else hf_snapshot


def _assert_close(actual: torch.Tensor, expected: torch.Tensor, key: str):
    assert actual.shape == expected.shape, f'{key}: shape {tuple(actual.shape)} != {tuple(expected.shape)}'
    diff = (actual.float() - expected.float()).abs().max().item()
    assert diff < TOL, f'{key}: max abs diff {diff:.3e} >= {TOL}'


@pytest.fixture(scope='module', params=LAYOUTS)
def plain_model(request, hub_checkpoint, hf_snapshot):
    return request.param, load_radio(_source(request.param, hub_checkpoint, hf_snapshot), adaptor_names=ADAPTORS)


@pytest.mark.parametrize('case', PLAIN_CASES)
def test_plain_outputs_match_upstream(plain_model, reference, case):
    _, model = plain_model
    with torch.no_grad():
        out = model(reference[f'plain.{case}.input'].float() / 255)
    _assert_close(out['backbone'].summary, reference[f'plain.{case}.summary'], f'plain.{case}.summary')
    _assert_close(out['backbone'].features, reference[f'plain.{case}.features'], f'plain.{case}.features')
    checked = 0
    for name in ADAPTORS:
        key = f'plain.{case}.{name}'
        if f'{key}.summary' in reference:
            _assert_close(out[name].summary, reference[f'{key}.summary'], f'{key}.summary')
            _assert_close(out[name].features, reference[f'{key}.features'], f'{key}.features')
            checked += 1
    assert checked == (0 if case == 'sq1024' else len(ADAPTORS))


def test_summary_layout_matches_meta(plain_model, reference):
    _, model = plain_model
    assert model.summary_idxs.tolist() == reference['meta.summary_idxs'].tolist()
    assert model.num_summary_tokens == int(reference['meta.num_summary_tokens'])


def test_intermediates_match_upstream(plain_model, reference):
    _, model = plain_model
    x = reference['plain.ns256x384.input'].float() / 255
    with torch.no_grad():
        inter = model.forward_intermediates(x, indices=[1, 5, 11], output_fmt='NCHW', intermediates_only=True,
                                            norm=False, aggregation='sparse')
        neg = model.forward_intermediates(x, indices=[-11, -7, -1], intermediates_only=True)
    assert len(inter) == 3
    for i, t, n in zip([1, 5, 11], inter, neg):
        _assert_close(t, reference[f'intermediates.ns256x384.block{i}'], f'block{i}')
        assert torch.equal(t, n)


@pytest.mark.parametrize('layout', LAYOUTS)
@pytest.mark.parametrize('window', [4, 8])
def test_vitdet_matches_upstream(layout, window, hub_checkpoint, hf_snapshot, reference):
    model = load_radio(_source(layout, hub_checkpoint, hf_snapshot), vitdet_window_size=window)
    assert model.model.is_global == [i in (2, 5, 8, 11) for i in range(12)]
    cases = [k[:-len('.input')] for k in reference if k.startswith(f'vitdet{window}.') and k.endswith('.input')]
    assert cases, f'no vitdet{window} cases in the fixture'
    for case in cases:
        with torch.no_grad():
            summary, features = model(reference[f'{case}.input'].float() / 255)
        _assert_close(summary, reference[f'{case}.summary'], f'{case}.summary')
        _assert_close(features, reference[f'{case}.features'], f'{case}.features')


def test_hub_and_hf_layouts_give_identical_weights(hub_checkpoint, hf_snapshot):
    a = load_radio(hub_checkpoint, adaptor_names=ADAPTORS).state_dict()
    b = load_radio(hf_snapshot, adaptor_names=ADAPTORS).state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
