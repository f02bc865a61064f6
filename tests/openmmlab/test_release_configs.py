"""Per-release configs: each leaf names a zoo release and builds that release's trunk without weights (meta device)."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from radio_dense.radio.zoo import RADIO_ZOO

REPO = Path(__file__).resolve().parents[2]
RELEASES = sorted(p.stem for p in (REPO / 'configs/_base_/releases').glob('*.py'))
LEAVES = sorted(p for p in (REPO / 'configs/radio_seg').glob('*.py') if any(p.name.startswith(r + '_') for r in RELEASES))


def _release_of(leaf: Path) -> str:
    return next(r for r in RELEASES if leaf.name.startswith(r + '_'))


def test_every_release_base_names_a_zoo_release_and_has_leaves():
    assert set(RELEASES) >= {'c-radio_v4-h', 'c-radio_v4-so400m', 'c-radio_v3-b', 'c-radio_v3-l', 'c-radio_v3-h',
                             'c-radio_v3-g', 'radio_v2.5-h', 'radio_v2.5-g'}
    assert set(RELEASES) <= set(RADIO_ZOO)
    assert {_release_of(p) for p in LEAVES} == set(RELEASES)


@pytest.mark.parametrize('leaf', LEAVES, ids=lambda p: p.stem)
def test_release_leaf_builds_the_release_trunk_on_meta(leaf):
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401  (registers RADIOBackbone)
    cfg = Config.fromfile(str(leaf))
    release = _release_of(leaf)
    backbone = cfg.model.backbone
    assert backbone.checkpoint == release == cfg.radio_zoo_name
    with torch.device('meta'):
        built = MODELS.build(dict(backbone, checkpoint=None))
    radio = built.radio
    assert radio.embed_dim == cfg.radio_width and len(radio.blocks) == cfg.radio_depth
    assert radio.patch_size == RADIO_ZOO[release].patch_size
    head = cfg.model.get('neck') or cfg.model.decode_head
    assert head.in_channels == radio.embed_dim
