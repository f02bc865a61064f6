"""Per-release configs: each leaf names a zoo release, and each release base builds that release's trunk
without weights (meta device)."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from radio_dense.radio.zoo import RADIO_ZOO

REPO = Path(__file__).resolve().parents[2]
RELEASE_BASES = REPO / 'configs/_base_/releases'
RELEASES = sorted(p.stem for p in RELEASE_BASES.glob('*.py'))
LEAVES = sorted(p for p in (REPO / 'configs/radio_seg').glob('*.py') if any(p.name.startswith(r + '_') for r in RELEASES))


def _release_of(leaf: Path) -> str:
    return next(r for r in RELEASES if leaf.name.startswith(r + '_'))


def test_every_release_base_names_a_zoo_release_and_has_leaves():
    assert set(RELEASES) >= {'c-radio_v4-h', 'c-radio_v4-so400m', 'c-radio_v3-b', 'c-radio_v3-l', 'c-radio_v3-h',
                             'c-radio_v3-g', 'radio_v2.5-h', 'radio_v2.5-g'}
    assert set(RELEASES) <= set(RADIO_ZOO)
    assert {_release_of(p) for p in LEAVES} == set(RELEASES)


@pytest.mark.parametrize('release', RELEASES)
def test_release_base_builds_the_release_trunk_on_meta(release):
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401  (registers RADIOBackbone)
    base = Config.fromfile(str(RELEASE_BASES / f'{release}.py'))
    assert base.radio_zoo_name == base.radio_backbone.checkpoint == release
    with torch.device('meta'):
        built = MODELS.build(dict(type='RADIOBackbone', **dict(base.radio_backbone, checkpoint=None)))
    radio = built.radio
    assert (radio.embed_dim, len(radio.blocks)) == (base.radio_width, base.radio_depth)
    assert radio.patch_size == RADIO_ZOO[release].patch_size


@pytest.mark.parametrize('leaf', LEAVES, ids=lambda p: p.stem)
def test_release_leaf_uses_its_release_base(leaf):
    cfg = Config.fromfile(str(leaf))
    base = Config.fromfile(str(RELEASE_BASES / f'{_release_of(leaf)}.py'))
    backbone = cfg.model.backbone
    assert {k: backbone[k] for k in base.radio_backbone} == base.radio_backbone
    head = cfg.model.get('neck') or cfg.model.decode_head
    assert head.in_channels == base.radio_width
