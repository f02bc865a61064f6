"""Every trunk upstream registers (and timm's own ViTs) matches upstream block for block.

``tests/fixtures/upstream/trunks`` holds upstream's CPE trunk outputs at real width and depth 2,
with weights from :mod:`.seeded_weights` (regenerated here), and upstream's full-depth parameter
layout (built on the ``meta`` device), both made by ``tools/dev/make_upstream_fixture.py``.
"""
import json

import pytest
import torch

from radio_dense.radio import build_radio
from radio_dense.radio.architectures import UPSTREAM_TRUNKS, UnsupportedTrunkError, build_vit
from radio_dense.radio.checkpoint import RadioCheckpoint, RadioCheckpointError
from radio_dense.radio.cpe import num_registers_for
from radio_dense.radio.vit import RadioViT

from .seeded_weights import seeded_state
from .upstream_fixtures import FIXTURES, TOL

TRUNKS = FIXTURES / 'trunks'
INDEX = json.loads((TRUNKS / 'reference.json').read_text())
# Tensors upstream's trunk holds but RADIO's forward never uses (timm's register token, pooling norm).
UNUSED_BY_UPSTREAM = ('reg_token', 'fc_norm.')


@pytest.fixture(scope='module')
def outputs():
    return torch.load(TRUNKS / 'reference.pt', weights_only=True)


def test_every_upstream_trunk_name_is_covered():
    assert set(UPSTREAM_TRUNKS) <= {n.split('+')[0] for n in INDEX}


def _checkpoint(name: str, layout: dict) -> RadioCheckpoint:
    return RadioCheckpoint(args=dict(INDEX[name]['args']),
                           trunk=seeded_state((k, tuple(s)) for k, s in layout.items()),
                           summary_idxs=[0, 1, 2], source=name)


@pytest.mark.parametrize('name', sorted(INDEX))
def test_trunk_matches_upstream(name, outputs):
    model = build_radio(_checkpoint(name, INDEX[name]['layout']))
    with torch.no_grad():
        out = model.model.forward_features(outputs[f'{name}.input'])
    expected = outputs[f'{name}.output']
    assert out.shape == expected.shape
    diff = (out - expected).abs().max().item()
    assert diff < TOL, f'{name}: max abs diff {diff:.3e}'


@pytest.mark.parametrize('name', sorted(INDEX))
def test_full_depth_parameter_layout_matches_upstream(name):
    args = INDEX[name]['args']
    kwargs = {k: v for k, v in args['model_kwargs'].items() if k != 'depth'}
    with torch.device('meta'):
        vit = build_vit(args['model'], kwargs, global_pool=args['gp'])
        trunk = RadioViT(vit, args['cpe_max_size'], 3, num_registers_for(3, args['register_multiple'], None),
                         final_norm=args['model_norm'])
    ours = {k: list(v.shape) for k, v in trunk.state_dict().items()}
    upstream = {k: v for k, v in INDEX[name]['full_layout'].items() if not k.startswith(UNUSED_BY_UPSTREAM)}
    assert ours == upstream


def test_unknown_and_non_vit_trunks_name_the_supported_ones():
    with pytest.raises(UnsupportedTrunkError, match=r"Unknown ViT architecture 'vit_nonexistent'.*vit_so400m_v2"):
        build_vit('vit_nonexistent', device=torch.device('meta'))
    with pytest.raises(UnsupportedTrunkError, match=r"'resnet18' is not a ViT.*vit_huge_patch16_224"):
        build_vit('resnet18', device=torch.device('meta'))
    with pytest.raises(UnsupportedTrunkError, match=r"'eradio' is not a plain ViT.*vit_bigG_patch14_224"):
        build_vit('eradio')


def test_checkpoint_with_unknown_trunk_is_refused_clearly():
    ckpt = _checkpoint('vit_tiny_patch16_224', INDEX['vit_tiny_patch16_224']['layout'])
    ckpt.args['model'] = 'hybrid_base'
    with pytest.raises(RadioCheckpointError, match=r"hybrid_base.*not a plain ViT"):
        build_radio(ckpt)


def test_model_kwargs_size_the_trunk():
    # The example: vit_small with depth 8, width 256, 4 heads used to fail with a size mismatch.
    with torch.device('meta'):
        vit = build_vit('vit_small_patch16_224', {'depth': 8, 'embed_dim': 256, 'num_heads': 4, 'weight_init': 'jax'})
    assert (len(vit.blocks), vit.embed_dim, vit.blocks[0].attn.num_heads) == (8, 256, 4)
