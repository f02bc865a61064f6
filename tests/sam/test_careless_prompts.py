"""Careless prompts, images and files for SAM prompting: named errors or correct results (issue #11)."""
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from radio_dense.sam import RadioSamPredictor, build_radio_sam
from radio_dense.apps.sam_web.upload import decode_upload
from radio_dense.sam.utils.image_io import UnsupportedImageError, read_rgb
from radio_dense.sam.utils.prompt_checks import PromptError

from ..conftest import REPO_ROOT
from .conftest import shapes_image


@pytest.fixture(scope='module')
def predictor(radio_sam):
    p = RadioSamPredictor(radio_sam, 256)
    p.set_image(shapes_image())  # 320 x 240
    return p


# ----- 12. non-finite prompts -----
@pytest.mark.parametrize('kwargs', [
    dict(point_coords=[[float('nan'), 10.0]], point_labels=[1]),
    dict(point_coords=[[10.0, float('inf')]], point_labels=[1]),
    dict(box=[0, 0, float('nan'), 50]),
])
def test_case12_non_finite_prompts_are_refused(predictor, kwargs):
    with pytest.raises(PromptError, match='NaN or infinity'):
        predictor.predict(**kwargs)


def test_case12_non_finite_mask_input_and_torch_prompts(predictor):
    _, _, low_res = predictor.predict([[96, 108]], [1], multimask_output=False)
    bad = low_res.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(PromptError, match='mask_input contains NaN'):
        predictor.predict([[96, 108]], [1], mask_input=bad)
    coords = torch.tensor([[[float('nan'), 3.0]]])
    with pytest.raises(PromptError, match='point_coords contain NaN'):
        predictor.predict_torch(coords, torch.ones(1, 1, dtype=torch.int))


def test_case12_cli_refuses_nan_points(tmp_path):
    image = tmp_path / 'img.png'
    Image.fromarray(shapes_image()).save(image)
    proc = subprocess.run([sys.executable, str(REPO_ROOT / 'tools/sam_predict.py'), str(image), '--points', 'nan,nan',
                           '--out', str(tmp_path / 'mask.png')], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and 'finite' in proc.stderr
    assert not (tmp_path / 'mask.png').exists()


# ----- 13. 16-bit and float images -----
def _gradient(dtype, high):
    return (np.linspace(0, 1, 64 * 48).reshape(48, 64) * high).astype(dtype)


def test_case13_sixteen_bit_png_is_scaled(tmp_path):
    values = _gradient(np.uint16, 65535)
    path = tmp_path / 'deep.png'
    Image.fromarray(values).save(path)
    rgb = read_rgb(str(path))
    assert rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8
    expected = np.rint(values / 257.0)
    assert np.abs(rgb[..., 0].astype(int) - expected).max() <= 1
    assert (rgb == 255).mean() < 0.01  # not saturated
    pixels, size = decode_upload(path.read_bytes(), 1 << 20, 10 ** 6)
    assert size == (48, 64) and np.abs(pixels[..., 1].astype(int) - expected).max() <= 1


def test_case13_float_tiff_is_scaled_or_refused(tmp_path):
    unit = _gradient(np.float32, 1.0)
    path = tmp_path / 'unit.tif'
    Image.fromarray(unit, mode='F').save(path)
    rgb = read_rgb(str(path))
    assert np.abs(rgb[..., 2].astype(float) - unit * 255).max() <= 1 and rgb.max() == 255
    odd = tmp_path / 'odd.tif'
    Image.fromarray(unit * 4000 - 7, mode='F').save(odd)
    with pytest.raises(UnsupportedImageError, match=r'odd\.tif: a float image with values in \[-7'):
        read_rgb(str(odd))


@pytest.mark.parametrize('mode', ['L', 'LA', 'RGBA', 'P'])
def test_case13_eight_bit_modes_convert_as_before(tmp_path, mode):
    img = Image.fromarray(shapes_image(48, 64)).convert(mode)
    path = tmp_path / f'img_{mode}.png'
    img.save(path)
    with Image.open(path) as reread:
        expected = np.asarray(reread.convert('RGB'))
    assert np.array_equal(read_rgb(str(path)), expected)


# ----- 14. prompts that cannot be right -----
def test_case14_bad_labels_boxes_and_points(predictor):
    with pytest.raises(PromptError, match=r'point_labels must be 1 \(object\), 0 \(background\) or -1'):
        predictor.predict([[96, 108]], [2])
    with pytest.raises(PromptError, match='zero or negative area'):
        predictor.predict(box=[200, 40, 100, 180])
    with pytest.raises(PromptError, match='zero or negative area'):
        predictor.predict(box=[100, 40, 100, 180])
    with pytest.raises(PromptError, match=r'outside the 320x240 image'):
        predictor.predict([[96, 108], [400, 10]], [1, 1])
    with pytest.raises(PromptError, match='outside'):
        predictor.predict([[-5, 10]], [0])
    masks, _, _ = predictor.predict([[96, 108], [-100, -100]], [1, -1], multimask_output=False)  # -1: padding
    assert masks.shape == (1, 240, 320)


# ----- 16. unclear errors -----
def test_case16_bad_safetensors_names_the_path(tmp_path, hub_checkpoint):
    bad = tmp_path / 'weights.safetensors'
    bad.write_bytes(b'\x10\x00\x00\x00\x00\x00\x00\x00{"a": broken}')
    with pytest.raises(ValueError, match=r'weights\.safetensors is not a readable safetensors file'):
        build_radio_sam(dict(source=hub_checkpoint), checkpoint=str(bad), resolution=256)
    with pytest.raises(ValueError, match=r'weights\.safetensors is not a readable safetensors file'):
        build_radio_sam(dict(source=hub_checkpoint), decoder_checkpoint=str(bad), resolution=256)


def test_case16_mask_input_with_three_masks(predictor):
    _, _, low_res = predictor.predict([[96, 108]], [1], multimask_output=True)
    assert low_res.shape[0] == 3
    with pytest.raises(PromptError, match=r'one low-res mask per prompt.*low_res_logits\[best\]\[None\]'):
        predictor.predict([[96, 108]], [1], mask_input=low_res)


def test_case16_resolution_too_small_for_a_thin_image(radio_sam):
    thin = RadioSamPredictor(radio_sam, 16)
    with pytest.raises(ValueError, match=r'At resolution 16 the 4000x2 image.*use resolution >= 1008'):
        thin.set_image(np.zeros((2, 4000, 3), np.uint8))


def test_case16_resolution_zero_is_refused(radio_sam):
    with pytest.raises(ValueError, match=r'resolution must be a positive multiple.*got 0'):
        RadioSamPredictor(radio_sam, 0)
    with pytest.raises(ValueError, match='got 0'):
        radio_sam.geometry((100, 100), 0)
