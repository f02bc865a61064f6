"""Each config family has an OpenMMLab metafile.yaml listing exactly its configs; targets are published numbers."""
from pathlib import Path

import pytest
import yaml

CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
FAMILIES = ['radio_seg', 'radio_det', 'radio_sam', 'radio_zero_shot']


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
