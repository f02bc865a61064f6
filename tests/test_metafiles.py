"""Each config family has an OpenMMLab metafile.yaml listing exactly its configs; targets are published numbers."""
from pathlib import Path

import pytest
import yaml

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
FAMILIES = ['radio_seg', 'radio_det', 'radio_sam', 'radio_zero_shot', 'radio_depth']


@pytest.mark.parametrize('family', FAMILIES)
def test_metafile_lists_every_config_of_its_family(family):
    meta = yaml.safe_load((CONFIGS / family / 'metafile.yaml').read_text())
    collections = {c['Name'] for c in meta['Collections']}
    listed = {}
    for model in meta['Models']:
        assert model['In Collection'] in collections
        assert (CONFIGS.parent / model['Config']).is_file(), model['Config']
        assert Path(model['Config']).stem == model['Name']
        assert model['Results'] == [] and model['Weights'] is None  # nothing trained and released yet
        for target in model.get('Targets', []):
            assert all(0 < v < 100 for v in target['Metrics'].values()) and target['Source'].startswith('https://')
        listed[model['Name']] = model
    assert sorted(listed) == sorted(p.stem for p in (CONFIGS / family).glob('*.py'))


def test_linear_probe_targets_are_the_published_radio_numbers():
    models = {m['Name']: m for m in yaml.safe_load((CONFIGS / 'radio_seg' / 'metafile.yaml').read_text())['Models']}
    assert models['radio-v2.5-b_linear_8xb2-80k_ade20k-512x512']['Targets'][0]['Metrics'] == {'mIoU': 48.94}
    assert models['radio-v2.5-l_linear_8xb2-80k_ade20k-512x512']['Targets'][0]['Metrics'] == {'mIoU': 51.47}
    assert models['radio-v2.5-b_linear_8xb2-80k_voc12-512x512']['Targets'][0]['Metrics'] == {'mIoU': 84.35}


def test_every_model_names_its_backbone_weights_url():
    from radio_dense.radio.zoo import RADIO_ZOO
    urls = {e.url for e in RADIO_ZOO.values()}
    for family in FAMILIES:
        for model in yaml.safe_load((CONFIGS / family / 'metafile.yaml').read_text())['Models']:
            url = model['Metadata'].get('Backbone Weights')
            release = next((r for r in RADIO_ZOO if model['Name'].startswith((r + '_', r.replace('radio_', 'radio-', 1) + '_'))), None)
            if release is not None:
                assert url == RADIO_ZOO[release].url, model['Name']
            assert url is None or url in urls, model['Name']


def test_readme_model_zoo_tables_are_current():
    from radio_dense.tools.dev.model_zoo_tables import expected_readmes
    stale = [str(p) for p, text in expected_readmes().items() if not p.exists() or p.read_text() != text]
    assert not stale, f'stale model-zoo tables {stale}: run python tools/dev/model_zoo_tables.py'


def test_a_changed_metafile_makes_its_table_stale(tmp_path):
    from radio_dense.tools.dev.model_zoo_tables import BEGIN, END, expected_readmes
    for family in FAMILIES:
        (tmp_path / 'configs' / family).mkdir(parents=True)
        for name in ('metafile.yaml', 'README.md'):
            (tmp_path / 'configs' / family / name).write_text((CONFIGS / family / name).read_text())
    metafile = tmp_path / 'configs/radio_seg/metafile.yaml'
    metafile.write_text(metafile.read_text().replace('mIoU: 55.2', 'mIoU: 56.3', 1))
    readme = tmp_path / 'configs/radio_seg/README.md'
    new = expected_readmes(tmp_path)[readme]
    assert new != readme.read_text() and 'mIoU 56.3' in new and 'mIoU 55.2' not in new.split(BEGIN)[1]
    assert new.split(BEGIN)[0] == readme.read_text().split(BEGIN)[0] and new.endswith(readme.read_text().split(END)[1])
