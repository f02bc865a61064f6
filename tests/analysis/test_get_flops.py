"""FLOP counting: matches the closed-form count of a ViT; ViTDet saves attention FLOPs."""
import pytest

from radio_dense import create_radio
from radio_dense.analysis.flops import count_flops, count_parameters


def _analytic_vit_flops(spec, tokens_per_attention, num_tokens, patch_tokens):
    """2 FLOPs per multiply-add: qkv + proj + MLP per token, q@k and attn@v per attention group."""
    c, depth, mlp = spec.embed_dim, spec.depth, int(spec.embed_dim * spec.mlp_ratio)
    linear = depth * 2 * num_tokens * (3 * c * c + c * c + 2 * c * mlp)
    attention = sum(2 * 2 * n * n * c for n in tokens_per_attention)
    patch_embed = 2 * patch_tokens * 3 * spec.patch_size ** 2 * c
    return linear + attention + patch_embed, attention


def test_global_count_matches_closed_form():
    model = create_radio('radio-tiny')
    prefix = model.num_summary_tokens
    n = prefix + 4 * 4
    flops = count_flops(model, (1, 3, 64, 64))
    total, attention = _analytic_vit_flops(model.model.spec, [n] * 12, n, 16)
    assert flops.attention == attention
    assert flops.total == total


def test_vitdet_counts_windows_and_padding():
    model = create_radio('radio-tiny')
    glob = count_flops(model, (1, 3, 128, 128))
    model.model.set_vitdet(4)  # 8x8 grid: 4 windows of 16 tokens, no padding (meta-device path)
    win = count_flops(model, (1, 3, 128, 128))
    assert win.attention < glob.attention and win.linear < glob.linear  # prefix tokens skip windowed blocks
    model.model.set_vitdet(3)  # 8x8 grid padded to 9x9: CPU fallback path, padding costs FLOPs
    padded = count_flops(model, (1, 3, 128, 128))
    assert padded.total > 0 and padded.linear > win.linear


def test_get_flops_tool(tool, capsys):
    assert tool('analysis/get_flops.py').main(['--arch', 'radio-tiny', '--resolutions', '64', '--vitdet', '2']) == 0
    out = capsys.readouterr().out
    assert '| radio-tiny | 64x64 | global |' in out and '| radio-tiny | 64x64 | vitdet 2 |' in out
    params = count_parameters(create_radio('radio-tiny').model) / 1e6
    assert f'{params:.1f}' in out


def test_config_without_openmmlab_says_how_to_install(tmp_path):
    try:
        import mmengine  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip('OpenMMLab is installed; the error path is not reachable')
    from radio_dense.openmmlab.model_flops import count_mm_flops
    with pytest.raises(ImportError, match='setup_env'):
        count_mm_flops(str(tmp_path / 'config.py'), 64, 64)


def test_config_counts_whole_model():
    pytest.importorskip('mmseg')
    from tests.analysis.conftest import REPO_ROOT
    config = REPO_ROOT / 'configs' / 'demo' / 'radio-tiny_upernet_1xb4-300_synthetic-192x192.py'
    if not config.is_file():
        pytest.skip(f'{config} is missing')
    from radio_dense.openmmlab.model_flops import count_mm_flops
    params, flops = count_mm_flops(str(config), 64, 64)
    backbone = count_flops(create_radio('radio-tiny'), (1, 3, 64, 64))
    assert params > count_parameters(create_radio('radio-tiny').model)
    assert flops.total > backbone.total  # neck + head on top of the backbone


@pytest.mark.parametrize('name', ['radio-tiny_adapter-mask2former_1xb4-300_synthetic-192x192.py',
                                  'radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py'])
def test_config_counts_mask2former_models(name):
    """mmseg's Mask2FormerHead needs the data samples in forward; mmdet's Mask2Former is a detector."""
    pytest.importorskip('mmdet')
    from tests.analysis.conftest import REPO_ROOT
    from radio_dense.openmmlab.model_flops import count_mm_flops
    params, flops = count_mm_flops(str(REPO_ROOT / 'configs' / 'demo' / name), 64, 96)
    backbone = count_flops(create_radio('radio-tiny'), (1, 3, 64, 96))
    assert params > 1.3 * count_parameters(create_radio("radio-tiny").model)  # adapter + pixel decoder + decoder
    assert flops.total > 1.2 * backbone.total


def test_blocks_counted_apart_give_the_whole_model_count():
    """count_mm_flops counts RADIO's blocks on the meta device and the rest on the CPU: same total."""
    pytest.importorskip('mmdet')
    from tests.analysis.conftest import REPO_ROOT
    from radio_dense.openmmlab import model_flops as mm_flops
    config = str(REPO_ROOT / 'configs' / 'demo' / 'radio-tiny_adapter-mask2former_1xb4-300_synthetic-192x192.py')
    _, split = mm_flops.count_mm_flops(config, 64, 96)
    from radio_dense.openmmlab.config_model import build_model, load_config
    model = build_model(load_config(config))
    sample = mm_flops._data_sample('mmdet', (64, 96))
    whole = count_flops(model, (1, 3, 64, 96), forward=lambda m, x: mm_flops._forward(m, x, sample))
    assert (split.total, split.attention) == (whole.total, whole.attention)
    assert len(model.backbone.radio.model.blocks) == 12 and not isinstance(model.backbone.radio.model.blocks[0],
                                                                            mm_flops._SkippedBlock)
