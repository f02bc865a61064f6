"""RADIO (radio_tiny with a sam3-style adaptor) as SAM3's vision trunk: any resolution, non-square, ViTDet."""
import pytest
import torch

from radio_dense.radio import load_radio
from radio_dense.sam3 import SAM3_TINY, RadioSam3Trunk, Sam3Predictor, build_radio_sam3

from .conftest import scene_image

HEIGHT, WIDTH = 200, 300


@pytest.fixture(scope='module')
def radio_sam3_vitdet(sam3_radio_checkpoint):
    return build_radio_sam3(dict(source=sam3_radio_checkpoint, vitdet_window_size=4), size=SAM3_TINY, seed=0)


def test_trunk_is_the_sam3_adaptor_of_radio(sam3_radio_checkpoint):
    radio = load_radio(sam3_radio_checkpoint, adaptor_names=['sam3'])
    trunk = RadioSam3Trunk(radio)
    assert trunk.channel_list == [SAM3_TINY.vit_dim] and trunk.patch_size == 16
    unit = torch.rand(1, 3, 176, 240)
    features, = trunk(unit * 2 - 1)  # SAM3 normalisation: mean 0.5, std 0.5
    expected = radio(unit, feature_fmt='NCHW')['sam3'].features
    assert features.shape == (1, SAM3_TINY.vit_dim, 11, 15)
    assert (features - expected).abs().max().item() < 1e-5


@pytest.mark.parametrize('mode, resolution, canvas, grid', [
    ('fit', 320, (224, 320), (14, 20)),    # 300x200 -> 320x213, padded to 320x224: non-square
    ('pad', 288, (288, 288), (18, 18)),    # square padding, not 1152
    ('stretch', 256, (256, 256), (16, 16)),
])
def test_vitdet_radio_sam3_masks_at_original_size(radio_sam3_vitdet, mode, resolution, canvas, grid):
    trunk = radio_sam3_vitdet.backbone.vision_backbone.trunk
    assert trunk.radio.window_size == 4
    predictor = Sam3Predictor(radio_sam3_vitdet, resolution=resolution, mode=mode, confidence_threshold=0.0)
    predictor.set_image(scene_image(HEIGHT, WIDTH))
    assert predictor.geometry.canvas_size == canvas
    assert tuple(predictor.get_image_features().shape) == (1, SAM3_TINY.d_model, *grid)
    result = predictor.predict('disc', boxes=[[40, 40, 110, 100]])
    assert len(result) == SAM3_TINY.num_queries  # threshold 0 keeps every query
    assert result.masks.shape == (SAM3_TINY.num_queries, HEIGHT, WIDTH) and result.masks.dtype == torch.bool
    assert result.mask_probs.min() >= 0 and result.mask_probs.max() <= 1
    assert torch.all(result.scores[:-1] >= result.scores[1:])
    assert result.boxes.shape == (SAM3_TINY.num_queries, 4) and torch.isfinite(result.boxes).all()


def test_windows_change_the_features(sam3_radio_checkpoint, radio_sam3_vitdet):
    """The same weights without ViTDet give other features: the window setting really reaches RADIO."""
    plain = build_radio_sam3(dict(source=sam3_radio_checkpoint), size=SAM3_TINY, seed=0)
    image = scene_image(HEIGHT, WIDTH)
    feats = []
    for model in (plain, radio_sam3_vitdet):
        predictor = Sam3Predictor(model, resolution=320, mode='fit')
        predictor.set_image(image)
        feats.append(predictor.get_image_features())
    assert feats[0].shape == feats[1].shape
    assert not torch.allclose(feats[0], feats[1], atol=1e-4)


def test_default_resolution_is_sam3_grid_at_16px(radio_sam3_vitdet):
    assert Sam3Predictor(radio_sam3_vitdet).resolution == SAM3_TINY.radio_resolution == 256
    with pytest.raises(ValueError, match='multiple of the trunk\'s patch size 16'):
        Sam3Predictor(radio_sam3_vitdet, resolution=1000)


def test_radio_without_sam3_adaptor_is_refused(hub_checkpoint):
    with pytest.raises(ValueError, match="no 'sam3' adaptor"):
        RadioSam3Trunk(load_radio(hub_checkpoint, adaptor_names=['sam']))
    with pytest.raises(ValueError, match='Unknown adaptor'):
        build_radio_sam3(dict(source=hub_checkpoint), size=SAM3_TINY)


def test_c_radio_v4_layout_with_upsampling_sam3_adaptor():
    """#9's upstream-made C-RADIOv4 fixture (siglip2-g, dino_v3 attention head, sam3 head upsampling 2x)."""
    from pathlib import Path
    fixture = Path(__file__).resolve().parents[1] / 'fixtures' / 'upstream' / 'cradio_v4' / 'model.pth.tar'
    radio = load_radio(str(fixture), adaptor_names=['sam3'], vitdet_window_size=2)
    trunk = RadioSam3Trunk(radio)
    assert trunk.upsample == 2 and trunk.patch_size == 8 and trunk.min_resolution_step == 16
    size = SAM3_TINY.scaled(vit_dim=trunk.channel_list[0])
    model = build_radio_sam3(radio, size=size, seed=0)
    predictor = Sam3Predictor(model, resolution=128, mode='fit', confidence_threshold=0.0)
    predictor.set_image(scene_image(100, 150))
    assert predictor.geometry.canvas_size == (96, 128)
    assert tuple(predictor.get_image_features().shape[-2:]) == (12, 16)  # 6 x 8 tokens, upsampled 2x
    result = predictor.predict('disc', boxes=[[20, 20, 60, 60]])
    assert result.masks.shape == (size.num_queries, 100, 150)
