"""resolution_sweep.py: CSV + plot; a resolution compared with itself has cosine 1 and MSE 0."""
import csv
import math

import pytest
import torch
from PIL import Image

from radio_dense import load_radio
from radio_dense.analysis.features import load_images
from radio_dense.analysis.resolution import compare, resolution_range, resolution_sweep
from radio_dense.analysis.teacher import TimmTeacher, load_teacher


def test_resolution_range():
    assert resolution_range(224, 512, 128, 16) == [224, 352, 480, 512]
    assert resolution_range(100, 100, 64, 16) == [96]
    with pytest.raises(ValueError):
        resolution_range(512, 256, 64, 16)


def test_compare_identity():
    x = torch.randn(8, 5, 5)
    assert compare(x, x) == pytest.approx({'cos_sim': 1.0, 'mse': 0.0}, abs=1e-6)


def test_sweep_tool(tool, tmp_path, hub_checkpoint):
    prefix = tmp_path / 'sweep'
    rc = tool('analysis/resolution_sweep.py').main(
        ['--checkpoint', hub_checkpoint, '--min', '64', '--max', '192', '--step', '64', '--reference', '128',
         '--num-synthetic', '1', '--out', str(prefix), '--quiet'])
    assert rc == 0
    rows = list(csv.DictReader(open(f'{prefix}.csv')))
    assert [int(r['resolution']) for r in rows] == [64, 128, 192]
    ref = next(r for r in rows if r['resolution'] == '128')
    assert float(ref['cos_sim']) == pytest.approx(1.0, abs=1e-6) and float(ref['mse']) == pytest.approx(0, abs=1e-9)
    for r in rows:
        assert -1 <= float(r['cos_sim']) <= 1 + 1e-6 and float(r['mse']) >= 0 and math.isfinite(float(r['seconds']))
    picture = Image.open(f'{prefix}.png')
    assert picture.size[0] > 0
    assert picture.text['Title'] == f'RANDOM WEIGHTS: {hub_checkpoint}: backbone, global attention'


def test_sweep_with_teacher(hub_checkpoint):
    timm = pytest.importorskip('timm')
    # a random teacher as wide as the fixture's dino_v2 adaptor (96 channels) exercises the code path offline
    teacher = TimmTeacher(timm.create_model('vit_tiny_patch16_224', pretrained=False, num_classes=0, depth=1,
                                            embed_dim=96, num_heads=3, dynamic_img_size=True), 'random-vit')
    model = load_radio(hub_checkpoint, adaptor_names=['dino_v2'])
    rows = resolution_sweep(model, load_images(num_synthetic=1, size=128), [64, 96], reference=96,
                            adaptor='dino_v2', teacher=teacher, teacher_resolution=64, progress=False)
    assert [r['resolution'] for r in rows] == [64, 96]
    assert all(r['teacher_mse'] > 0 for r in rows)
    same = resolution_sweep(model, load_images(num_synthetic=1, size=128), [64, 96], reference=96,
                            adaptor='dino_v2', teacher=teacher, teacher_resolution='same', progress=False)
    assert same[0]['teacher_mse'] == pytest.approx(rows[0]['teacher_mse'])  # teacher at 64 px either way
    assert same[1]['teacher_mse'] != pytest.approx(rows[1]['teacher_mse'])
    with pytest.raises(ValueError, match='channels'):
        resolution_sweep(model, load_images(num_synthetic=1, size=64), [64], 64, adaptor=None, teacher=teacher,
                         progress=False)


def test_unusable_teacher_is_skipped_with_a_reason():
    teacher, message = load_teacher('torchvision:resnet50')
    assert teacher is None and 'timm:' in message
    teacher, message = load_teacher('timm:no_such_model_anywhere')
    assert teacher is None and 'no_such_model_anywhere' in message
