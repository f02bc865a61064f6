"""Careless inputs to the RADIO core give the right result or a named error (issue #11 cases 11-17)."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import warnings

import pytest
import torch

from radio_dense import RadioCheckpointError, create_radio, load_radio
from radio_dense.radio.checkpoint import read_checkpoint

from ..conftest import REPO_ROOT


@pytest.fixture(scope='module')
def model(hub_checkpoint):
    return load_radio(hub_checkpoint)


def _hub_state(hub_checkpoint):
    with torch.serialization.safe_globals([argparse.Namespace]):
        return torch.load(hub_checkpoint, weights_only=True)


# ----- 11. input dtypes -----
def test_case11_uint8_images_are_rescaled(model):
    pixels = torch.randint(0, 256, (1, 3, 64, 64), dtype=torch.uint8)
    with torch.no_grad():
        from_uint8 = model(pixels)
        reference = model(pixels.float() / 255)
    cosine = torch.nn.functional.cosine_similarity(from_uint8.features.flatten(), reference.features.flatten(), dim=0)
    assert cosine > 0.9999 and torch.allclose(from_uint8.summary, reference.summary, atol=1e-5)


def test_case11_float64_and_bool_are_refused(model):
    with pytest.raises(TypeError, match=r'float64.*x\.float\(\)'):
        model(torch.rand(1, 3, 64, 64, dtype=torch.float64))
    with pytest.raises(TypeError, match='bool'):
        model(torch.zeros(1, 3, 64, 64, dtype=torch.bool))
    with pytest.raises(TypeError, match='bool'):
        model.forward_intermediates(torch.zeros(1, 3, 64, 64, dtype=torch.bool), indices=1)


# ----- 12. non-finite inputs and weights -----
def test_case12_nan_input_is_refused(model):
    x = torch.rand(1, 3, 64, 64)
    x[0, 1, 5, 5] = float('nan')
    with pytest.raises(ValueError, match=r'1 NaN/inf value'):
        model(x)
    x[0, 1, 5, 5] = float('inf')
    with pytest.raises(ValueError, match='NaN/inf'):
        model.forward_intermediates(x, indices=2)


def test_case12_nan_weights_warn_at_load(tmp_path, hub_checkpoint):
    chk = _hub_state(hub_checkpoint)
    chk['state_dict']['base_model.blocks.1.mlp.fc1.weight'][0, 0] = float('nan')
    path = tmp_path / 'nan.pth.tar'
    torch.save(chk, path)
    with pytest.warns(RuntimeWarning, match=r'NaN/inf values in 1 tensor.*blocks\.1\.mlp\.fc1\.weight'):
        load_radio(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        load_radio(hub_checkpoint)  # a clean checkpoint: no warning


# ----- 15. ViTDet window bigger than the grid, fractional windows -----
def test_case15_window_larger_than_grid_is_clamped(hub_checkpoint):
    small = load_radio(hub_checkpoint, vitdet_window_size=4)
    huge = load_radio(hub_checkpoint, vitdet_window_size=64)
    seen = []
    huge.model.blocks[0].register_forward_pre_hook(lambda m, args: seen.append(tuple(args[0].shape)))
    assert not huge.model.is_global[0]
    x = torch.rand(1, 3, 64, 64)  # a 4x4 grid
    with torch.no_grad():
        a, b = small(x), huge(x)
    assert seen == [(1, 16, 192)], f'windowed block saw {seen} tokens (a 64x64 window is 4096 mostly padded tokens)'
    assert torch.allclose(a.features, b.features, atol=1e-5) and torch.allclose(a.summary, b.summary, atol=1e-5)


@pytest.mark.parametrize('window', [2.5, '4', True, 0])
def test_case15_non_integer_window_is_refused(hub_checkpoint, window):
    with pytest.raises((ValueError, TypeError), match='vitdet_window_size'):
        load_radio(hub_checkpoint, vitdet_window_size=window)
    with pytest.raises((ValueError, TypeError), match='vitdet_window_size'):
        create_radio('radio-tiny', vitdet_window_size=window)


def test_case15_whole_float_window_is_accepted(hub_checkpoint):
    assert load_radio(hub_checkpoint, vitdet_window_size=4.0).window_size == 4


# ----- 16. unclear errors -----
def test_case16_missing_path_is_not_an_unknown_version(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'No RADIO checkpoint at .*nope/radio\.pth\.tar: no such file'):
        load_radio(str(tmp_path / 'nope' / 'radio.pth.tar'))
    with pytest.raises(FileNotFoundError, match='no such file'):
        load_radio('checkpoints/radio-v2.5-b_half.pth.tar')


def test_case16_random_bytes_are_not_called_pickles(tmp_path):
    path = tmp_path / 'download.pth.tar'
    path.write_bytes(b'\x00\x17' + os.urandom(4094))
    with pytest.raises(RadioCheckpointError, match=r'download\.pth\.tar is not a torch checkpoint: it is not a known'):
        load_radio(str(path))
    html = tmp_path / 'page.pth.tar'
    html.write_bytes(b'<!DOCTYPE html><html><body>Sign in</body></html>')
    with pytest.raises(RadioCheckpointError, match='an HTML page'):
        load_radio(str(html))


def test_case16_size_mismatch_names_the_file(tmp_path, hub_checkpoint):
    chk = _hub_state(hub_checkpoint)
    chk['state_dict']['base_model.blocks.2.attn.qkv.weight'] = torch.zeros(3, 3)
    path = tmp_path / 'edited.pth.tar'
    torch.save(chk, path)
    with pytest.raises(RadioCheckpointError, match=r'edited\.pth\.tar.*blocks\.2\.attn\.qkv\.weight'):
        load_radio(str(path))


def test_case16_config_json_list(tmp_path, hf_snapshot):
    shutil.copy(os.path.join(hf_snapshot, 'model.safetensors'), tmp_path / 'model.safetensors')
    (tmp_path / 'config.json').write_text(json.dumps([1, 2, 3]))
    with pytest.raises(RadioCheckpointError, match=r'config\.json holds a JSON list'):
        read_checkpoint(str(tmp_path))


def test_case16_float_intermediate_index(model):
    with pytest.raises(TypeError, match='integer block indices'):
        model.forward_intermediates(torch.rand(1, 3, 32, 32), indices=[1.5])
    with pytest.raises(TypeError, match='integer'):
        model.forward_intermediates(torch.rand(1, 3, 32, 32), indices=2.0)


def test_case16_empty_batch_in_backbone():
    pytest.importorskip('mmengine')
    from radio_dense.openmmlab.models.backbone import RADIOBackbone
    backbone = RADIOBackbone(arch='radio-tiny')
    with pytest.raises(ValueError, match=r'RADIOBackbone got an empty batch \(0, 3, 64, 64\)'):
        backbone(torch.rand(0, 3, 64, 64))


# ----- 17. offline mode -----
_COUNT_CONNECTIONS = r'''
import socket, sys
calls = []
real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
def getaddrinfo(host, *a, **k):
    calls.append(('dns', host))
    raise OSError('network disabled in this test')
def connect(self, address):
    calls.append(('connect', address))
    raise OSError('network disabled in this test')
socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
from radio_dense.radio import RadioCheckpointError, load_radio
try:
    load_radio('nvidia/RADIO-L')
except RadioCheckpointError as err:
    print('ERROR', str(err)[:300])
print('CALLS', len(calls), calls[:3])
'''


def test_case17_offline_means_no_network(tmp_path):
    env = dict(os.environ, RADIO_DENSE_OFFLINE='1', HF_HOME=str(tmp_path / 'hf'), PYTHONPATH=str(REPO_ROOT))
    env.pop('HF_HUB_OFFLINE', None)
    proc = subprocess.run([sys.executable, '-c', _COUNT_CONNECTIONS], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'CALLS 0 ' in proc.stdout, proc.stdout
    assert 'ERROR' in proc.stdout
