"""Per-release configs: every leaf names a zoo release through its release base (configs/_base_/releases), and
each release base builds that release's real architecture without weights (meta device): the trunk's
parameter names and shapes equal those upstream's own model code builds from the release's arguments
(tests/fixtures/upstream/releases, made by tools/dev/make_upstream_fixture.py --case releases)."""
import json
from functools import lru_cache
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from radio_dense.radio.release_layouts import RELEASE_LAYOUTS
from radio_dense.radio.windows import global_block_schedule
from radio_dense.radio.zoo import RADIO_ZOO

REPO = Path(__file__).resolve().parents[2]
RELEASE_BASES = REPO / 'configs/_base_/releases'
RELEASES = sorted(p.stem for p in RELEASE_BASES.glob('*.py'))
UPSTREAM = REPO / 'tests/fixtures/upstream/releases'
FAMILIES = ('radio_seg', 'radio_det', 'radio_sam')
# Tensors upstream's trunk holds but RADIO's forward never uses (timm's register token of the *_v2 trunks).
UNUSED_BY_UPSTREAM = ('reg_token',)


def _release_of(leaf: Path):
    """The release a leaf is named after (``radio-v2.5-b_*`` is the older spelling of ``radio_v2.5-b``)."""
    for release in sorted(RELEASES, key=len, reverse=True):
        for prefix in {release, release.replace('radio_', 'radio-', 1)}:
            if leaf.name.startswith((prefix + '_', prefix + '-')):
                return release
    return None


LEAVES = sorted(p for f in FAMILIES for p in (REPO / 'configs' / f).glob('*.py') if _release_of(p))


@lru_cache(maxsize=None)
def _base(release: str) -> Config:
    return Config.fromfile(str(RELEASE_BASES / f'{release}.py'))


def test_every_release_base_names_a_zoo_release_and_has_leaves():
    assert set(RELEASES) >= {'c-radio_v4-h', 'c-radio_v4-so400m', 'c-radio_v3-b', 'c-radio_v3-l', 'c-radio_v3-h',
                             'c-radio_v3-g', 'radio_v2.5-b', 'radio_v2.5-l', 'radio_v2.5-h', 'radio_v2.5-g'}
    assert set(RELEASES) <= set(RADIO_ZOO)
    assert {_release_of(p) for p in LEAVES} == set(RELEASES)


def _meta_backbone(backbone: dict):
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401  (registers RADIOBackbone)
    with torch.device('meta'):
        return MODELS.build(dict(type='RADIOBackbone', **dict(backbone, checkpoint=None)))


@pytest.mark.parametrize('release', RELEASES)
def test_release_base_builds_the_release_architecture_on_meta(release):
    base = _base(release)
    assert base.radio_zoo_name == base.radio_backbone.checkpoint == release
    radio = _meta_backbone(base.radio_backbone).radio
    assert (radio.embed_dim, len(radio.blocks)) == (base.radio_width, base.radio_depth)
    assert radio.patch_size == RADIO_ZOO[release].patch_size
    if release in RELEASE_LAYOUTS:  # the B/L bases keep the long-standing random-init 'vit-b-16' / 'vit-l-16'
        assert base.radio_backbone.arch == release
        upstream = json.loads((UPSTREAM / f'{release}.json').read_text())
        expected = {k: v for k, v in upstream['parameters'].items() if not k.startswith(UNUSED_BY_UPSTREAM)}
        assert {k: list(v.shape) for k, v in radio.model.state_dict().items()} == expected


def test_every_release_with_a_layout_has_an_upstream_fixture():
    assert {p.stem for p in UPSTREAM.glob('*.json')} == set(RELEASE_LAYOUTS)
    for release, layout in RELEASE_LAYOUTS.items():
        assert json.loads((UPSTREAM / f'{release}.json').read_text())['args'] == json.loads(
            json.dumps(layout.upstream_args()))  # the fixture was made from today's table


@pytest.mark.parametrize('release', RELEASES)
def test_vitdet_settings_follow_upstream(release):
    vitdet = _base(release).radio_vitdet
    if RADIO_ZOO[release].supports_vitdet:
        trunk = _meta_backbone(_base(release).radio_det_backbone).radio.model
        assert trunk.window_size == vitdet.vitdet_window_size == 16
        assert vitdet.num_global == (RADIO_ZOO[release].vitdet_num_global or 4)  # upstream's default: 4
        assert trunk.is_global == global_block_schedule(len(trunk.blocks), vitdet.num_global) and trunk.is_global[-1]
        return
    assert vitdet.vitdet_window_size is None
    with pytest.raises(ValueError, match=rf'{release} does not support ViTDet.*upstream NVlabs/RADIO refuses it.*'
                                         r'vitdet_window_size=None.*c-radio_v4-h'):
        _meta_backbone(dict(_base(release).radio_backbone, vitdet_window_size=16))


def test_vitdet_on_c_radio_v3_is_refused_before_any_download(monkeypatch):
    import radio_dense.radio.loader as loader
    monkeypatch.setattr(loader, 'fetch_zoo_checkpoint', lambda *a, **k: pytest.fail('downloaded first'))
    with pytest.raises(ValueError, match=r'c-radio_v3-g does not support ViTDet'):
        loader.load_radio('c-radio_v3-g', vitdet_window_size=16)


def _backbone_of(cfg: Config) -> dict:
    model = cfg.model
    if 'backbone' in model:
        return model.backbone
    encoder = (model.get('sam') or model).encoder  # SAM configs: the RADIO encoder
    return dict(checkpoint=encoder.source)


def _head_channels(cfg: Config):
    head = cfg.model.get('neck') or cfg.model.get('decode_head') or cfg.model.get('panoptic_head')
    channels = (head or {}).get('in_channels')  # SAM configs' `adaptor` neck has none
    if channels is None:
        return None
    return set(channels) if isinstance(channels, (list, tuple)) else {channels}


@pytest.mark.parametrize('leaf', LEAVES, ids=lambda p: p.stem)
def test_release_leaf_uses_its_release_base(leaf):
    cfg = Config.fromfile(str(leaf))
    release = _release_of(leaf)
    base = _base(release)
    backbone = _backbone_of(cfg)
    expected = {k: base.radio_backbone[k] for k in backbone if k in base.radio_backbone}
    assert expected and {k: backbone[k] for k in expected} == expected
    assert _head_channels(cfg) in (None, {base.radio_width})
    if backbone.get('vitdet_window_size') is not None:
        assert RADIO_ZOO[release].supports_vitdet, f'{leaf.name}: {release} has no ViTDet mode'
    if 'interaction_indexes' in backbone:
        assert backbone.interaction_indexes[-1][-1] == base.radio_depth - 1


#: the release x task matrix issue #21 asks for (RADIOv2.5-B/L keep their own, older set)
MATRIX = {
    'radio_seg': ['linear_8xb2-80k_ade20k-512x512', 'linear_8xb2-80k_voc12-512x512', 'upernet_8xb2-80k_ade20k-512x512'],
    'radio_seg_m2f': ['adapter-mask2former_8xb2-160k_ade20k-512x512'],
    'radio_det_m2f': ['adapter-mask2former_8xb2-lsj-50e_coco-panoptic-1024'],
    'radio_det': ['{vitdet}mask-rcnn_32xb2-lsj-100e_coco-1024', '{vitdet}cascade-mask-rcnn_32xb2-lsj-100e_coco-1024'],
    'radio_sam': ['sam-vit-h-decoder_1024'],
    'radio_sam3': ['sam3_1152'],
}


@pytest.mark.parametrize('release', [r for r in RELEASES if r in RELEASE_LAYOUTS])
def test_release_has_its_task_matrix(release):
    names = {p.stem for p in LEAVES if _release_of(p) == release}
    vitdet = 'vitdet_' if RADIO_ZOO[release].supports_vitdet else ''
    wanted = [n.format(vitdet=vitdet) for n in MATRIX['radio_seg'] + MATRIX['radio_det']]
    if release.startswith(('c-radio_v4', 'c-radio_v3-h', 'c-radio_v3-g')):
        wanted += MATRIX['radio_seg_m2f'] + MATRIX['radio_det_m2f']
    wanted += MATRIX['radio_sam3' if release.startswith('c-radio_v4') else 'radio_sam']  # v4: sam3 adaptor, no sam
    assert {f'{release}_{n}' for n in wanted} <= names


@pytest.mark.parametrize('release', [r for r in RELEASES if r.startswith(('c-radio_v4', 'c-radio_v3-h', 'c-radio_v3-g'))])
def test_release_adapter_builds_on_meta(release):
    from mmseg.registry import MODELS
    import radio_dense.openmmlab.seg  # noqa: F401
    from radio_dense.openmmlab.models.adapter import RADIOAdapter  # noqa: F401  (registration)
    base = _base(release)
    leaf = Config.fromfile(str(REPO / f'configs/radio_seg/{release}_adapter-mask2former_8xb2-160k_ade20k-512x512.py'))
    with torch.device('meta'):
        adapter = MODELS.build(dict(leaf.model.backbone, checkpoint=None))
    assert adapter.radio.embed_dim == base.radio_width and len(adapter.radio.blocks) == base.radio_depth
    assert adapter.interaction_indexes[-1][-1] == base.radio_depth - 1 and adapter.with_cp
