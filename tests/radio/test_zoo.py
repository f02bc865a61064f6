"""The release zoo matches upstream's radio/common.py (commit c0f3701)."""
import os
import shutil

import pytest

from radio_dense import load_radio
from radio_dense.radio import DEFAULT_VERSION, RADIO_ZOO, UnsupportedReleaseError, zoo

# (url, patch, max_resolution, preferred_resolution, supports_vitdet, num_global, num_windowed), copied by hand
# from upstream's RESOURCE_MAP so a change on either side shows up here.
_HF = 'https://huggingface.co/nvidia'
UPSTREAM_RESOURCES = {
    'c-radio_v4-so400m': (f'{_HF}/C-RADIOv4-SO400M/resolve/main/c-radio_v4-so400m_half.pth.tar?download=true',
                          16, 2048, (512, 512), True, None, None),
    'c-radio_v4-h': (f'{_HF}/C-RADIOv4-H/resolve/main/c-radio_v4-h_half.pth.tar?download=true',
                     16, 2048, (512, 512), True, None, None),
    'radio_v1': (f'{_HF}/RADIO/resolve/main/radio_v1.pth.tar?download=true', 14, 1050, (378, 378), True, None, None),
    'e-radio_v2': (f'{_HF}/RADIO/resolve/main/eradio_v2.pth.tar?download=true', 16, 2048, (512, 512), True, None, None),
    'radio_v2.5-g': (f'{_HF}/RADIO/resolve/main/radio_v2.5-g.pth.tar?download=true', 14, 1792, (896, 896), True, 8, None),
    'radio_v2.1': (f'{_HF}/RADIO/resolve/main/radio_v2.1_bf16.pth.tar?download=true', 16, 2048, (432, 432), True, None, 5),
    'c-radio_v3-h': (f'{_HF}/C-RADIOv3-H/resolve/main/c-radio_v3-h_half.pth.tar?download=true',
                     16, 2048, (512, 512), False, None, None),
}


@pytest.mark.parametrize('name', sorted(UPSTREAM_RESOURCES))
def test_zoo_entry_matches_upstream(name):
    url, patch, max_res, preferred, vitdet, num_global, num_windowed = UPSTREAM_RESOURCES[name]
    e = RADIO_ZOO[name]
    assert (e.url, e.patch_size, e.max_resolution, tuple(e.preferred_resolution)) == (url, patch, max_res, preferred)
    assert (e.supports_vitdet, e.vitdet_num_global, e.vitdet_num_windowed) == (vitdet, num_global, num_windowed)


def test_default_version_is_upstreams():
    assert DEFAULT_VERSION == 'c-radio_v4-h'
    assert set(RADIO_ZOO) == {
        'radio_v2.5-b', 'radio_v2.5-l', 'radio_v2.5-h', 'radio_v2.5-h-norm', 'radio_v2.5-g', 'radio_v2.1', 'radio_v2',
        'radio_v1', 'e-radio_v2', 'c-radio_v2-g', 'c-radio_v2-vlm-h', 'c-radio_v3-b', 'c-radio_v3-l', 'c-radio_v3-h',
        'c-radio_v3-g', 'c-radio_v4-so400m', 'c-radio_v4-h'}


def test_load_radio_without_source_gives_the_default(tmp_path, monkeypatch, hub_checkpoint):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    monkeypatch.setenv('RADIO_DENSE_OFFLINE', '1')
    path = str(tmp_path / 'hub' / 'checkpoints' / 'c-radio_v4-h_half.pth.tar')
    assert zoo.cache_path('c-radio_v4-h') == path
    with pytest.raises(FileNotFoundError) as err:
        load_radio()
    assert f'not cached at {path}' in str(err.value)
    assert RADIO_ZOO['c-radio_v4-h'].url in str(err.value)
    os.makedirs(os.path.dirname(path))
    shutil.copy(hub_checkpoint, path)
    model = load_radio(vitdet_window_size=4)
    assert model.preferred_resolution == (512, 512) and model.max_resolution == 2048
    assert [i for i, g in enumerate(model.model.is_global) if g] == [2, 5, 8, 11]


def test_e_radio_is_refused_with_the_supported_list(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    with pytest.raises(UnsupportedReleaseError, match=r'E-RADIO is a hybrid CNN-ViT; radio_dense supports the ViT '
                                                       r'releases: .*radio_v2.5-l.*c-radio_v4-h') as err:
        load_radio('e-radio_v2')
    assert 'e-radio_v2,' not in str(err.value)
    assert not os.path.exists(tmp_path / 'hub'), 'nothing may be downloaded for a release we cannot run'


def test_c_radio_v4_h_without_network_names_the_cache_path(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    import torch.hub
    calls = []

    def no_network(url, dst, progress=True):
        calls.append(url)
        raise OSError('Network is unreachable')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', no_network)
    with pytest.raises(ConnectionError) as err:
        load_radio('c-radio_v4-h')
    assert calls == ['https://huggingface.co/nvidia/C-RADIOv4-H/resolve/main/c-radio_v4-h_half.pth.tar?download=true']
    assert str(tmp_path / 'hub' / 'checkpoints' / 'c-radio_v4-h_half.pth.tar') in str(err.value)
