"""configs/radio_sam: every config parses, inherits the right geometry and builds a RadioSam."""
from pathlib import Path

import pytest

pytest.importorskip('mmengine')
from mmengine.config import Config  # noqa: E402

from radio_dense.sam import RadioSam  # noqa: E402
from radio_dense.openmmlab.sam import radio_sam_from_config  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parents[2] / 'configs' / 'radio_sam'
EXPECTED = {
    'radio-v2.5-b_sam-vit-h-decoder_1024.py': ('radio_v2.5-b', 1024, True, None),
    'radio-v2.5-b_sam-vit-h-decoder_512.py': ('radio_v2.5-b', 512, True, None),
    'radio-v2.5-b_sam-vit-h-decoder_2048.py': ('radio_v2.5-b', 2048, True, None),
    'radio-v2.5-l_sam-vit-h-decoder_1024.py': ('radio_v2.5-l', 1024, True, None),
    'radio-v2.5-l_sam-vit-h-decoder_512.py': ('radio_v2.5-l', 512, True, None),
    'radio-v2.5-l_sam-vit-h-decoder_2048.py': ('radio_v2.5-l', 2048, True, None),
    'radio-v2.5-l_sam-vit-h-decoder_1024-aspect.py': ('radio_v2.5-l', 1024, False, None),
    'radio-v2.5-l-vitdet16_sam-vit-h-decoder_2048.py': ('radio_v2.5-l', 2048, True, 16),
}


def test_every_config_is_covered():
    inference = {p.name for p in CONFIG_DIR.glob('radio-v2.5-*.py') if 'coco' not in p.name}
    assert inference == set(EXPECTED)


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_inference_configs(name):
    source, resolution, pad, window = EXPECTED[name]
    model = Config.fromfile(str(CONFIG_DIR / name)).model
    assert model.type == 'build_radio_sam' and model.neck.type == 'adaptor' and model.neck.adaptor_name == 'sam'
    assert (model.encoder.source, model.resolution, model.pad_to_square) == (source, resolution, pad)
    assert model.encoder.get('vitdet_window_size') == window
    assert model.decoder_checkpoint.endswith('sam_vit_h_decoder.safetensors')


def test_config_builds_with_local_weights(hub_checkpoint):
    """The 512 config, with the fixture instead of the (downloaded) RADIOv2.5-B and a random decoder."""
    cfg = Config.fromfile(str(CONFIG_DIR / 'radio-v2.5-b_sam-vit-h-decoder_512.py'))
    cfg.model.encoder.source = hub_checkpoint
    model = radio_sam_from_config(cfg, decoder_checkpoint=None)
    assert isinstance(model, RadioSam) and model.resolution == 512 and model.pad_to_square
    with pytest.raises(FileNotFoundError, match='extract_sam_decoder.py'):
        radio_sam_from_config(cfg, decoder_checkpoint='checkpoints/does-not-exist.safetensors')


def test_coco_finetune_config():
    cfg = Config.fromfile(str(CONFIG_DIR / 'radio-v2.5-b_conv-neck_sam-vit-h-decoder_1xb2-20k_coco-1024.py'))
    assert cfg.model.type == 'RadioSamModel' and cfg.model.sam.neck == 'conv' and cfg.model.sam.resolution == 1024
    assert cfg.train_dataloader.dataset.type == 'SamCocoDataset' and cfg.val_evaluator.type == 'SamPromptIoUMetric'


def test_sam3_configs_feed_the_sam3_tools():
    import argparse
    from mmengine.registry import MODELS
    from radio_dense.openmmlab.sam import sam3_settings_from_config
    from radio_dense.tools.common.sam3_model_args import _apply_config
    for release in ('c-radio_v4-h', 'c-radio_v4-so400m'):
        settings = sam3_settings_from_config(str(CONFIG_DIR / f'{release}_sam3_1152.py'))
        assert settings == dict(radio=release, vitdet=None, sam3_checkpoint='checkpoints/sam3.pt', resolution=1152)
    args = argparse.Namespace(config=str(CONFIG_DIR / 'c-radio_v4-h_sam3_1152.py'), radio=None, vitdet=16,
                              sam3_checkpoint=None)
    assert _apply_config(args) == 1152  # the command line wins over the config
    assert (args.radio, args.vitdet, args.sam3_checkpoint) == ('c-radio_v4-h', 16, 'checkpoints/sam3.pt')
    with pytest.raises(ValueError, match="model.type 'build_radio_sam3', got 'build_radio_sam'.*sam_predict"):
        sam3_settings_from_config(str(CONFIG_DIR / 'radio-v2.5-b_sam-vit-h-decoder_1024.py'))
    assert MODELS.get('build_radio_sam3') is not None
