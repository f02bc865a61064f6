"""Adaptor outputs through RADIOBackbone equal upstream's own ``model(x)`` on every upstream-made
fixture with adaptors (final-norm checkpoints included: upstream norms the trunk before the heads)."""
import json

import pytest
import torch

from radio_dense.openmmlab.models.backbone import RADIOBackbone

from ..radio.upstream_fixtures import MODEL_CASES, reference, source

ADAPTOR_TOL = 1e-5


def _adaptor_calls():
    """(case, call) for every recorded fp32 ``forward`` (NLC) of a checkpoint with adaptors."""
    for case in MODEL_CASES:
        index, _ = reference(case)
        for call in index['calls']:
            load = call['load']
            if (call['method'] == 'forward' and call['kwargs'].get('feature_fmt') == 'NLC'
                    and load.get('adaptor_names') and set(load) <= {'adaptor_names', 'vitdet_window_size'}):
                yield pytest.param(case, call, id=f'{case}-{call["name"]}-w{load.get("vitdet_window_size")}')


@pytest.mark.parametrize('case,call', list(_adaptor_calls()))
def test_backbone_adaptor_outputs_equal_upstream_forward(case, call):
    _, tensors = reference(case)
    names = call['load']['adaptor_names']
    backbone = RADIOBackbone(checkpoint=source(case, 'hub'), out_adaptors=names,
                             vitdet_window_size=call['load'].get('vitdet_window_size')).eval()
    x = tensors[f'input.{call["input"]}'].float()  # pixels 0..255: the backbone's input_scale
    with torch.no_grad():
        outs = backbone(x)[len(backbone.out_indices):]
    for name, got in zip(names, outs):
        expected = tensors[call['outputs'][f'{name}.1']]
        got = got.flatten(2).transpose(1, 2)  # NCHW -> upstream's NLC
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        diff = (got - expected.float()).abs().max().item()
        assert diff < ADAPTOR_TOL, f'{case} {call["name"]} adaptor {name}: max diff {diff:.2e} vs upstream model(x)'


def test_every_case_with_adaptors_is_covered():
    covered = {p.values[0] for p in _adaptor_calls()}
    with_adaptors = {c for c in MODEL_CASES if reference(c)[0]['meta'].get('teachers')}
    assert 'mlp_v1_final_norm' in covered and covered == with_adaptors
