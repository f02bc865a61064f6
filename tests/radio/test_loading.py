"""load_radio: sources, safe loading, clear errors for bad input."""
import argparse
import os
import shutil

import pytest
import torch

from radio_dense import RADIO_ZOO, RadioCheckpointError, load_radio
from radio_dense.radio import zoo
from radio_dense.radio.checkpoint import read_checkpoint


def test_public_api_is_drop_in(hub_checkpoint):
    model = load_radio(hub_checkpoint)
    assert isinstance(model, torch.nn.Module) and not model.training
    x = torch.rand(2, 3, 224, 320)
    with torch.no_grad():
        summary, features = model(x)
        out = model(x, feature_fmt='NCHW')
    assert summary.shape == (2, 576) and features.shape == (2, 14 * 20, 192)
    assert out.features.shape == (2, 192, 14, 20) and torch.equal(out.summary, summary)
    assert torch.equal(out.features.flatten(2).transpose(1, 2), features)
    assert model.patch_size == 16 and model.min_resolution_step == 16
    assert model.get_nearest_supported_resolution(230, 500) == (224, 496)


def test_external_preprocessor(hub_checkpoint):
    model = load_radio(hub_checkpoint)
    x = torch.rand(1, 3, 128, 128)
    with torch.no_grad():
        ref = model(x).features
        cond = model.make_preprocessor_external()
        ext = model(cond(x)).features
    assert torch.allclose(ref, ext, atol=1e-6)


def test_ema_state_wins_and_adaptor_keys_by_name(tmp_path, hub_checkpoint):
    with torch.serialization.safe_globals([argparse.Namespace]):
        chk = torch.load(hub_checkpoint, weights_only=True)
    state = chk['state_dict']
    teachers = [t['name'] for t in chk['args'].teachers]
    by_name = {}
    for k, v in state.items():
        for src in ('_heads.', '_feature_projections.'):
            if k.startswith(src):
                idx, rest = k[len(src):].split('.', 1)
                k = f'{src}{teachers[int(idx)]}.{rest}'
        by_name[k] = v
    garbage = {k: torch.zeros_like(v) for k, v in state.items()}
    path = tmp_path / 'ema.pth.tar'
    torch.save({'args': chk['args'], 'state_dict': garbage, 'state_dict_ema': by_name}, path)
    x = torch.rand(1, 3, 128, 160)
    with torch.no_grad():
        a = load_radio(hub_checkpoint, adaptor_names='sam')(x)
        b = load_radio(str(path), adaptor_names='sam')(x)
    assert torch.equal(a['sam'].features, b['sam'].features)
    assert torch.equal(a['backbone'].summary, b['backbone'].summary)


def test_unknown_adaptor_lists_teachers(hub_checkpoint):
    with pytest.raises(ValueError, match=r"Unknown adaptor 'dinov3'.*clip.*dino_v2.*sam"):
        load_radio(hub_checkpoint, adaptor_names=['dinov3'])


def test_unknown_zoo_name_lists_versions():
    with pytest.raises(KeyError, match='radio_v2.5-l'):
        load_radio('radio_v9-xl')


def test_wrong_resolution_is_explained(hub_checkpoint):
    model = load_radio(hub_checkpoint)
    with pytest.raises(ValueError, match=r'multiple of min_resolution_step=16.*nearest supported: \(224, 224\)'):
        model(torch.rand(1, 3, 225, 230))
    with pytest.raises(ValueError, match='feature_fmt'):
        model(torch.rand(1, 3, 32, 32), feature_fmt='NHWC')


def test_truncated_file_is_explained(tmp_path, hub_checkpoint):
    data = open(hub_checkpoint, 'rb').read()
    bad = tmp_path / 'radio.pth.tar'
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(RadioCheckpointError, match='truncated or corrupt'):
        load_radio(str(bad))


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def test_pickled_code_is_never_executed(tmp_path):
    path = tmp_path / 'evil.pth.tar'
    torch.save({'args': Evil(), 'state_dict': {}}, path)
    with pytest.raises(RadioCheckpointError, match='not allowed for safe loading'):
        load_radio(str(path))


def test_non_radio_checkpoints_are_refused(tmp_path):
    path = tmp_path / 'resnet.pth'
    torch.save({'conv1.weight': torch.zeros(1)}, path)
    with pytest.raises(RadioCheckpointError, match="expected a dict with 'args'"):
        load_radio(str(path))
    path2 = tmp_path / 'other.pth.tar'
    torch.save({'args': argparse.Namespace(teachers=[]), 'state_dict': {'x': torch.zeros(1)}}, path2)
    with pytest.raises(RadioCheckpointError, match="no 'base_model"):
        load_radio(str(path2))


def test_mismatched_weights_name_the_keys(tmp_path, hub_checkpoint):
    with torch.serialization.safe_globals([argparse.Namespace]):
        chk = torch.load(hub_checkpoint, weights_only=True)
    del chk['state_dict']['base_model.blocks.3.attn.qkv.weight']
    path = tmp_path / 'broken.pth.tar'
    torch.save(chk, path)
    with pytest.raises(RadioCheckpointError, match=r"missing keys \['blocks.3.attn.qkv.weight'\]"):
        load_radio(str(path))


def test_hf_snapshot_errors(tmp_path, hf_snapshot):
    with pytest.raises(RadioCheckpointError, match='config.json is missing'):
        read_checkpoint(str(tmp_path))
    shutil.copy(os.path.join(hf_snapshot, 'config.json'), tmp_path / 'config.json')
    with pytest.raises(RadioCheckpointError, match='model.safetensors is missing'):
        read_checkpoint(str(tmp_path))
    (tmp_path / 'model.safetensors').write_bytes(b'\x00' * 100)
    with pytest.raises(RadioCheckpointError, match='not a readable safetensors'):
        read_checkpoint(str(tmp_path))


def test_half_precision_weights_run_in_float32_by_default(hub_checkpoint):
    model = load_radio(hub_checkpoint)
    assert all(p.dtype == torch.float32 for p in model.parameters())
    bf16 = load_radio(hub_checkpoint, dtype=torch.bfloat16)
    with torch.no_grad():
        out = bf16(torch.rand(1, 3, 64, 64))
    assert out.features.dtype == torch.bfloat16


def test_zoo_resolves_to_torch_hub_cache_without_network(tmp_path, monkeypatch, hub_checkpoint):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    monkeypatch.setenv('RADIO_DENSE_OFFLINE', '1')
    path = zoo.cache_path('radio_v2.5-b')
    assert path == str(tmp_path / 'hub' / 'checkpoints' / 'radio-v2.5-b_half.pth.tar')
    with pytest.raises(FileNotFoundError, match=r'not cached at .*radio-v2.5-b_half.pth.tar.*huggingface.co/nvidia/RADIO'):
        load_radio('radio_v2.5-b')
    os.makedirs(os.path.dirname(path))
    shutil.copy(hub_checkpoint, path)
    model = load_radio('radio_v2.5-b', vitdet_window_size=4)
    assert model.max_resolution == 2048 and model.preferred_resolution == (768, 768)
    assert [i for i, g in enumerate(model.model.is_global) if g] == [2, 5, 8, 11]


def test_zoo_download_uses_real_url(tmp_path, monkeypatch, hub_checkpoint):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    calls = []

    def fake_download(url, dst, progress=True):
        calls.append(url)
        shutil.copy(hub_checkpoint, dst)

    monkeypatch.setattr(torch.hub, 'download_url_to_file', fake_download)
    load_radio('radio_v2.5-l')
    load_radio('radio_v2.5-l')  # second time from the cache
    assert calls == [RADIO_ZOO['radio_v2.5-l'].url]
    assert 'huggingface.co/nvidia/RADIO/resolve/main/radio-v2.5-l_half.pth.tar' in calls[0]


def test_versions_without_vitdet_refuse_windows(tmp_path, monkeypatch, hub_checkpoint):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    path = zoo.cache_path('c-radio_v3-l')
    os.makedirs(os.path.dirname(path))
    shutil.copy(hub_checkpoint, path)
    with pytest.raises(ValueError, match='c-radio_v3-l does not support ViTDet windowed attention.*vitdet_window_size=None'):
        load_radio('c-radio_v3-l', vitdet_window_size=8)


def test_hf_repo_id_goes_through_huggingface_hub(monkeypatch, hf_snapshot):
    import huggingface_hub
    seen = {}

    def fake_snapshot_download(repo_id, revision=None, allow_patterns=None):
        seen.update(repo_id=repo_id, allow_patterns=allow_patterns)
        return hf_snapshot

    monkeypatch.setattr(huggingface_hub, 'snapshot_download', fake_snapshot_download)
    model = load_radio('nvidia/RADIO-B', adaptor_names=['sam'])
    assert seen['repo_id'] == 'nvidia/RADIO-B'
    assert not any(p.endswith('.py') for p in seen['allow_patterns'])
    assert 'sam' in model.adaptors
