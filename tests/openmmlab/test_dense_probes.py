"""Depth / surface-normal heads, AngularLoss, NormalMetric and the normals' file format (no training)."""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.registry import METRICS, MODELS
from mmseg.structures import SegDataSample

import radio_dense.openmmlab.seg  # noqa: F401  (registers the heads, loss and metric)
from radio_dense.data.geometry import decode_normals, encode_normals


def _rotated(normals: torch.Tensor, degrees: float) -> torch.Tensor:
    """Rotate (3, H, W) normals about the y axis by ``degrees``."""
    a = math.radians(degrees)
    rot = torch.tensor([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    return torch.einsum('ij,jhw->ihw', rot, normals)


def _facing(h=4, w=5):
    n = torch.zeros(3, h, w)
    n[2] = -1
    return n


def test_angular_loss_is_the_mean_angle_over_labelled_pixels():
    loss = MODELS.build(dict(type='AngularLoss'))
    gt = _facing()[None]
    assert float(loss(gt.clone(), gt)) == pytest.approx(0.0, abs=1e-5)
    pred = _rotated(gt[0], 30)[None]
    gt_half = gt.clone()
    gt_half[:, :, :2] = 0  # unlabelled rows do not count
    assert float(loss(pred, gt_half)) == pytest.approx(math.radians(30), abs=1e-5)
    pred.requires_grad_(True)
    loss(gt.clone().requires_grad_(True), gt).backward()  # finite gradient at a perfect match
    with pytest.raises(ValueError, match='AngularLoss needs'):
        loss(pred[:, :2], gt[:, :2])


def test_normal_metric_mean_median_and_thresholds():
    metric = METRICS.build(dict(type='NormalMetric'))
    gt = _facing(10, 10)
    pred = gt.clone()
    # rows 0-3: 5 degrees, rows 4-7: 20 degrees, rows 8-9: 40 degrees off
    for rows, deg in ((slice(0, 4), 5), (slice(4, 8), 20), (slice(8, 10), 40)):
        pred[:, rows] = _rotated(gt, deg)[:, rows]
    sample = dict(pred_depth_map=dict(data=pred), gt_depth_map=dict(data=gt))
    metric.process({}, [sample])
    out = metric.compute_metrics(metric.results)
    assert out['mean'] == pytest.approx((40 * 5 + 40 * 20 + 20 * 40) / 100, abs=1e-3)
    assert out['median'] == pytest.approx(20, abs=0.02)
    assert out['within_11.25'] == pytest.approx(40)
    assert out['within_22.5'] == pytest.approx(80)
    assert out['within_30'] == pytest.approx(80)
    assert out['rmse'] == pytest.approx(math.sqrt((40 * 25 + 40 * 400 + 20 * 1600) / 100), abs=1e-3)


def test_normals_png_round_trip_and_unlabelled_pixels():
    rng = np.random.default_rng(0)
    n = rng.normal(size=(6, 7, 3))
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    valid = rng.random((6, 7)) > 0.2
    back = decode_normals(encode_normals(n, valid))
    assert np.all(back[~valid] == 0)
    cos = np.clip((back[valid] * n[valid]).sum(-1), -1, 1)
    assert np.degrees(np.arccos(cos)).max() < 0.7  # 8-bit quantisation


def _features(n=2, c=16, h=6, w=5, layers=4):
    g = torch.Generator().manual_seed(0)
    return [torch.randn(n, c, h, w, generator=g) for _ in range(layers)]


@pytest.mark.parametrize('head', [
    dict(type='MultiLayerLinearHead', in_channels=[16] * 4, in_index=[0, 1, 2, 3], channels=64),
    dict(type='DPTRegressionHead', in_channels=[16] * 4, in_index=[0, 1, 2, 3], channels=8),
])
@pytest.mark.parametrize('target', ['depth', 'normal'])
def test_heads_predict_bounded_depth_or_unit_normals_and_learn(head, target):
    torch.manual_seed(0)
    model = MODELS.build(dict(head, target=target, num_bins=16, min_depth=0.5, max_depth=8.0,
                              norm_cfg=dict(type='BN'), align_corners=False))
    feats = _features()
    out = model(feats)
    stride = 1 if head['type'] == 'MultiLayerLinearHead' else 8
    assert out.shape == (2, 1 if target == 'depth' else 3, 6 * stride, 5 * stride)
    if target == 'depth':
        assert 0.5 <= float(out.min()) and float(out.max()) <= 8.0
        gt = torch.full((1, 24, 20), 3.0)
    else:
        assert torch.allclose(out.norm(dim=1), torch.ones(1), atol=1e-4)
        gt = _rotated(_facing(24, 20), 25)
    samples = [SegDataSample(gt_depth_map=PixelData(data=gt)) for _ in range(2)]
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(15):
        loss = sum(model.loss(feats, samples, {}).values())
        first = float(loss) if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss) < 0.5 * first


def test_head_refuses_a_ground_truth_of_the_other_task():
    model = MODELS.build(dict(type='MultiLayerLinearHead', target='normal', in_channels=[16] * 4,
                              in_index=[0, 1, 2, 3], channels=64))
    samples = [SegDataSample(gt_depth_map=PixelData(data=torch.ones(1, 6, 5)))]
    with pytest.raises(ValueError, match='normal head predicts 3 channel'):
        model.loss(_features(n=1), samples, {})
    with pytest.raises(ValueError, match='target must be one of'):
        MODELS.build(dict(type='DPTRegressionHead', target='segmentation', in_channels=[16] * 4,
                          in_index=[0, 1, 2, 3], channels=8))


def test_pictures_say_what_they_show():
    from radio_dense.analysis.dense_panels import depth_panel, normals_panel
    image = np.zeros((32, 40, 3), np.uint8)
    gt = np.full((32, 40), 3.0)
    gt[:4] = 0  # unlabelled
    picture = depth_panel(image, gt, gt + 0.5, 'depth')
    assert picture.size[0] > 4 * 40
    n = np.zeros((32, 40, 3))
    n[..., 2] = -1
    tilted = _rotated(torch.from_numpy(n.transpose(2, 0, 1)).float(), 20).numpy().transpose(1, 2, 0)
    picture, mean = normals_panel(image, n, tilted, 'normals')
    assert mean == pytest.approx(20, abs=0.01) and picture.size[0] > 5 * 40
