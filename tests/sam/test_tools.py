"""tools/sam_predict.py and the automatic mask generator."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from radio_dense.analysis.panels import TITLE_HEIGHT
from radio_dense.sam import RadioSamAutomaticMaskGenerator

from .conftest import shapes_image

REPO = Path(__file__).resolve().parents[2]


def test_sam_predict_cli(tmp_path):
    image = tmp_path / 'in.png'
    Image.fromarray(shapes_image(200, 300)).save(image)
    out = tmp_path / 'out' / 'mask.png'
    run = subprocess.run([sys.executable, str(REPO / 'tools' / 'sam_predict.py'), str(image), '--points', '90,90',
                          '200,60,0', '--box', '170,30,280,150', '--resolution', '512', '--no-pad', '--out', str(out)],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'radio_tiny test fixture' in run.stdout and 'RANDOM' in run.stdout
    assert 'canvas 512x352' in run.stdout  # 300x200 -> 512x341, padded to 512x352 (22x32 grid)
    mask = np.asarray(Image.open(out))
    assert mask.shape == (200, 300) and set(np.unique(mask)) <= {0, 255}
    overlay = Image.open(tmp_path / 'out' / 'mask_overlay.png')
    assert overlay.text['Title'] == 'RANDOM WEIGHTS: SAM mask on in.png'
    assert np.asarray(overlay).shape == (TITLE_HEIGHT + 200, 300, 3)  # the title band above the image
    bad = subprocess.run([sys.executable, str(REPO / 'tools' / 'sam_predict.py'), str(image), '--points', '1,2,5'],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert bad.returncode == 2 and 'label 0 or 1' in bad.stderr


def test_automatic_mask_generator(radio_sam):
    generator = RadioSamAutomaticMaskGenerator(radio_sam, resolution=256, points_per_side=4, points_per_batch=8,
                                               pred_iou_thresh=-10.0, stability_score_thresh=0.0)
    assert generator.predictor.resolution == 256
    image = shapes_image(120, 160)
    records = generator.generate(image)
    assert records, 'random decoder with thresholds off must still give masks'
    for r in records:
        assert r['segmentation'].shape == (120, 160) and r['segmentation'].dtype == bool
        assert set(r) >= {'area', 'bbox', 'predicted_iou', 'point_coords', 'stability_score', 'crop_box'}


def test_sam_predict_refuses_points_outside_the_image(tmp_path):
    image = tmp_path / 'in.png'
    Image.fromarray(shapes_image(200, 300)).save(image)
    run = subprocess.run([sys.executable, str(REPO / 'tools' / 'sam_predict.py'), str(image), '--points', '90,90',
                          '350,60', '--out', str(tmp_path / 'm.png')], capture_output=True, text=True, cwd=REPO,
                         timeout=300)
    assert run.returncode == 2 and "outside the 300x200 image" in run.stderr and '(350, 60)' in run.stderr
    assert not (tmp_path / 'm.png').exists()


def test_sam_amg_output_names_are_unique():
    from radio_dense.tools.sam_amg import output_names
    assert output_names(['d/a.png', 'd/a.jpg', 'd/b.png', 'd/a_png.bmp']) == ['a_png', 'a_jpg', 'b', 'a_png_2']
    assert output_names(['d/a.png', 'd/a.PNG']) == ['a_png', 'a_PNG']


def test_sam_amg_cli_png_folders_and_rle_json(tmp_path):
    import json
    from pycocotools import mask as mask_utils
    images = tmp_path / 'images'
    images.mkdir()
    for seed, (h, w) in enumerate([(120, 160), (96, 128)]):
        Image.fromarray(shapes_image(h, w, seed=seed)).save(images / f'img{seed}.png')
    (images / 'notes.txt').write_text('not an image')
    common = [sys.executable, str(REPO / 'tools' / 'sam_amg.py'), '--input', str(images), '--points-per-side', '4',
              '--points-per-batch', '8', '--pred-iou-thresh', '-10', '--stability-score-thresh', '0',
              '--resolution', '256']
    run = subprocess.run(common + ['--output', str(tmp_path / 'png')], capture_output=True, text=True, cwd=REPO,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert '[2/2]' in run.stdout and 'RANDOM' in run.stdout and 'extract_sam_decoder.py' in run.stdout
    folder = tmp_path / 'png' / 'img0'
    rows = (folder / 'metadata.csv').read_text().splitlines()
    assert rows[0].startswith('id,area,bbox_x0') and len(rows) > 1
    first = np.asarray(Image.open(folder / '0.png'))
    assert first.shape == (120, 160) and int(rows[1].split(',')[1]) == int((first > 0).sum())
    overlay = Image.open(tmp_path / 'png' / 'img1_overlay.png')
    assert np.asarray(overlay).shape == (TITLE_HEIGHT + 96, 128, 3)
    assert re.fullmatch(r'RANDOM WEIGHTS: \d+ SAM masks on img1\.png', overlay.text['Title'])

    # #22.2 / #22.4: a corrupt file is skipped (the rest is written, exit 1 listing it); img1.png and img1.jpg
    # get distinct outputs instead of one overwriting the other
    (images / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n' + bytes(64))
    Image.fromarray(shapes_image(64, 80, seed=5)).save(images / 'img1.jpg')
    run = subprocess.run(common + ['--output', str(tmp_path / 'rle'), '--convert-to-rle', '--no-overlay'],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert run.returncode == 1, run.stderr[-2000:]
    assert '[1/4]' in run.stderr and 'broken.png: SKIPPED' in run.stderr and '[4/4]' in run.stdout
    assert run.stderr.strip().splitlines()[-2:] == [
        f'1 of 4 images failed (the others were written to {tmp_path / "rle"}):',
        f'  {images / "broken.png"}: ' + run.stderr.split('broken.png: SKIPPED, ')[1].splitlines()[0]]
    assert sorted(p.name for p in (tmp_path / 'rle').iterdir()) == ['img0.json', 'img1_jpg.json', 'img1_png.json']
    shapes = {n: mask_utils.decode(json.loads((tmp_path / 'rle' / n).read_text())[0]['segmentation']).shape
              for n in ('img1_jpg.json', 'img1_png.json')}
    assert shapes == {'img1_jpg.json': (64, 80), 'img1_png.json': (96, 128)}
    records = json.loads((tmp_path / 'rle' / 'img1_png.json').read_text())
    assert records and isinstance(records[0]['segmentation']['counts'], str)
    decoded = mask_utils.decode(records[0]['segmentation'])
    assert decoded.shape == (96, 128) and int(decoded.sum()) == records[0]['area']
    assert not list((tmp_path / 'rle').glob('*_overlay.png'))
