"""Our RADIO reproduces upstream's outputs on radio_dense's default checkpoint to 1e-4.

Fixture: ``tests/fixtures/upstream/radio_tiny/`` (``tools/dev/make_upstream_fixture.py --case radio_tiny``;
``reference_index.json`` lists the calls). It is the checkpoint the tools default to and most tests load,
so its fidelity is checked on its own here; the Hugging Face layout is checked on the other upstream
cases (``test_upstream_fixtures.py``).
"""
import pytest
import torch

from radio_dense import load_radio
from radio_dense.radio import read_checkpoint

from ..conftest import ADAPTORS
from .upstream_fixtures import MODEL_CASES, source

TOL = 1e-4
PLAIN_CASES = ['sq224', 'ns128x192', 'ns208x80']
BACKBONE_ONLY = ['ns1024x48']  # at cpe_max_size


def _assert_close(actual: torch.Tensor, expected: torch.Tensor, key: str):
    assert actual.shape == expected.shape, f'{key}: shape {tuple(actual.shape)} != {tuple(expected.shape)}'
    diff = (actual.float() - expected.float()).abs().max().item()
    assert diff < TOL, f'{key}: max abs diff {diff:.3e} >= {TOL}'


@pytest.fixture(scope='module')
def plain_model(hub_checkpoint):
    return load_radio(hub_checkpoint, adaptor_names=ADAPTORS)


@pytest.mark.parametrize('case', PLAIN_CASES + BACKBONE_ONLY)
def test_plain_outputs_match_upstream(plain_model, reference, case):
    with torch.no_grad():
        out = plain_model(reference[f'plain.{case}.input'].float() / 255)
    _assert_close(out['backbone'].summary, reference[f'plain.{case}.summary'], f'plain.{case}.summary')
    _assert_close(out['backbone'].features, reference[f'plain.{case}.features'], f'plain.{case}.features')
    checked = 0
    for name in ADAPTORS:
        key = f'plain.{case}.{name}'
        if f'{key}.summary' in reference:
            _assert_close(out[name].summary, reference[f'{key}.summary'], f'{key}.summary')
            _assert_close(out[name].features, reference[f'{key}.features'], f'{key}.features')
            checked += 1
    assert checked == (0 if case in BACKBONE_ONLY else len(ADAPTORS))


def test_a_case_reaches_cpe_max_size(hub_checkpoint, reference):
    cpe_max_size = read_checkpoint(hub_checkpoint).args['cpe_max_size']
    assert max(reference[f'plain.{BACKBONE_ONLY[0]}.input'].shape[-2:]) == cpe_max_size == 1024


def test_summary_layout_matches_meta(plain_model, reference):
    assert plain_model.summary_idxs.tolist() == reference['meta.summary_idxs'].tolist()
    assert plain_model.num_summary_tokens == int(reference['meta.num_summary_tokens'])


def test_intermediates_match_upstream(plain_model, reference):
    x = reference['plain.ns128x192.input'].float() / 255
    indices = reference['intermediates.indices'].tolist()
    assert indices == [1, 5, 11] and x.shape[0] == 2
    with torch.no_grad():
        inter = plain_model.forward_intermediates(x, indices=indices, output_fmt='NCHW', intermediates_only=True,
                                                  norm=False, aggregation='sparse')
        neg = plain_model.forward_intermediates(x, indices=[-11, -7, -1], intermediates_only=True)
    assert len(inter) == 3
    for i, t, n in zip(indices, inter, neg):
        _assert_close(t, reference[f'intermediates.ns128x192.block{i}'], f'block{i}')
        assert torch.equal(t, n)


@pytest.mark.parametrize('window', [4, 8])
def test_vitdet_matches_upstream(window, hub_checkpoint, reference):
    model = load_radio(hub_checkpoint, vitdet_window_size=window)
    assert model.model.is_global == [i in (2, 5, 8, 11) for i in range(12)]
    cases = [k[:-len('.input')] for k in reference if k.startswith(f'vitdet{window}.') and k.endswith('.input')]
    assert cases, f'no vitdet{window} cases in the fixture'
    for case in cases:
        with torch.no_grad():
            summary, features = model(reference[f'{case}.input'].float() / 255)
        _assert_close(summary, reference[f'{case}.summary'], f'{case}.summary')
        _assert_close(features, reference[f'{case}.features'], f'{case}.features')


@pytest.mark.parametrize('case', MODEL_CASES)
def test_hub_and_hf_layouts_give_identical_weights(case):
    a = load_radio(source(case, 'hub')).state_dict()
    b = load_radio(source(case, 'hf')).state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
