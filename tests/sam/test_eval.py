"""The SAM-COCO protocol and tools/sam_eval.py on the synthetic set."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from radio_dense.sam import RadioSamPredictor
from radio_dense.sam.utils.coco_instances import CocoInstanceSet, resize_sample
from radio_dense.sam.evaluation import evaluate_sam_coco, format_results_table, mask_iou

REPO = Path(__file__).resolve().parents[2]


def test_mask_iou():
    a = torch.zeros(2, 4, 4, dtype=torch.bool)
    b = torch.zeros(2, 4, 4, dtype=torch.bool)
    a[0, :2] = True
    b[0, 1:3] = True
    assert mask_iou(a, b).tolist() == [pytest.approx(1 / 3), 1.0]


def test_coco_instances(demo_data):
    data = CocoInstanceSet(str(demo_data / 'annotations' / 'instances_val.json'), str(demo_data / 'images' / 'validation'))
    sample = data[0]
    assert sample.image.shape == (128, 128, 3) and sample.masks.dtype == bool
    assert len(sample.masks) == len(sample.boxes) >= 1 and sample.masks.shape[1:] == (128, 128)
    x0, y0, x1, y1 = sample.boxes[0]
    ys, xs = np.nonzero(sample.masks[0])
    assert (x0, y0, x1, y1) == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    resized = resize_sample(sample, 256)
    assert resized.image.shape == (256, 256, 3) and resized.masks.shape[1:] == (256, 256)
    np.testing.assert_allclose(resized.boxes, sample.boxes * 2)
    assert abs(resized.masks[0].sum() / 4 - sample.masks[0].sum()) < 0.1 * sample.masks[0].sum()


def test_oracle_predictor_scores_one(demo_data, radio_sam, monkeypatch):
    """A predictor that returns the ground truth gets mIoU 1: the protocol's bookkeeping is right."""
    ann = str(demo_data / 'annotations' / 'instances_val.json')
    img_dir = str(demo_data / 'images' / 'validation')
    data = CocoInstanceSet(ann, img_dir)
    truth = {}

    original_set_image = RadioSamPredictor.set_image

    def set_image(self, image):
        original_set_image(self, image)
        truth['masks'] = next(s.masks for s in (data[i] for i in range(len(data))) if np.array_equal(s.image, image))

    def predict_torch(self, point_coords, point_labels, boxes=None, mask_input=None, multimask_output=True,
                      return_logits=False):
        masks = torch.as_tensor(truth['masks'])[:, None]
        n = 3 if multimask_output else 1
        return masks.repeat(1, n, 1, 1), torch.ones(len(masks), n), None

    monkeypatch.setattr(RadioSamPredictor, 'set_image', set_image)
    monkeypatch.setattr(RadioSamPredictor, 'predict_torch', predict_torch)
    result = evaluate_sam_coco(radio_sam, ann, img_dir, [256], progress=False)[0]
    assert result.num_images == len(data) and result.num_instances == sum(len(data[i].masks) for i in range(len(data)))
    assert all(v == pytest.approx(1.0) for v in result.miou.values())


def test_evaluate_random_decoder_two_resolutions(demo_data, radio_sam):
    results = evaluate_sam_coco(radio_sam, str(demo_data / 'annotations' / 'instances_val.json'),
                                str(demo_data / 'images' / 'validation'), [128, 256], max_images=2, progress=False)
    assert [r.resolution for r in results] == [128, 256]
    for r in results:
        assert r.num_images == 2 and r.num_instances >= 2
        assert set(r.miou) == {'box/first', 'box/best', 'point/first', 'point/best'}
        assert all(0.0 <= v <= 1.0 for v in r.miou.values())
        assert r.miou['box/best'] >= 0 and r.embed_seconds > 0
    table = format_results_table(results)
    assert 'mIoU box/first' in table and len(table.splitlines()) == 4


def test_sam_eval_cli(demo_data, tmp_path):
    out_csv, out_json = tmp_path / 'r.csv', tmp_path / 'r.json'
    run = subprocess.run([sys.executable, str(REPO / 'tools' / 'sam_eval.py'),
                          '--ann-file', str(demo_data / 'annotations' / 'instances_val.json'),
                          '--img-dir', str(demo_data / 'images' / 'validation'), '--resolutions', '128', '256',
                          '--no-pad', '--max-images', '2', '--out-csv', str(out_csv), '--out-json', str(out_json)],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'RANDOM' in run.stdout and 'mIoU box/first' in run.stdout
    rows = json.loads(out_json.read_text())['results']
    assert [r['resolution'] for r in rows] == [128, 256] and rows[0]['pad_to_square'] is False
    assert out_csv.read_text().splitlines()[0].startswith('resolution,pad_to_square')
    assert 'SAM-COCO @128' in run.stderr  # the progress bar
