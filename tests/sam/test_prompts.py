"""Prompts from ground-truth masks."""
import numpy as np
import torch

from radio_dense.sam.utils.prompts import (boxes_from_masks, correction_points, interior_point, jitter_boxes, mask_to_box,
                                     sample_points)


def test_interior_point_is_inside_and_central():
    mask = np.zeros((40, 60), bool)
    mask[10:30, 5:45] = True  # 20 x 40 rectangle: centre row 19.5
    x, y = interior_point(mask)
    assert mask[int(y), int(x)] and 19 <= y <= 20 and 14 <= x <= 35
    ring = np.zeros((50, 50), bool)  # an annulus: the centroid is outside, the interior point is not
    yy, xx = np.mgrid[:50, :50]
    ring[((yy - 25) ** 2 + (xx - 25) ** 2 < 20 ** 2) & ((yy - 25) ** 2 + (xx - 25) ** 2 > 12 ** 2)] = True
    x, y = interior_point(ring)
    assert ring[int(y), int(x)] and not ring[25, 25]
    edge = np.zeros((10, 10), bool)
    edge[:, :3] = True  # the image border counts as border
    assert interior_point(edge)[0] == 1


def test_boxes():
    masks = torch.zeros(3, 20, 30, dtype=torch.bool)
    masks[0, 2:5, 3:9] = True
    masks[1, 10:20, 0:1] = True
    np.testing.assert_array_equal(boxes_from_masks(masks).numpy(), [[3, 2, 9, 5], [0, 10, 1, 20], [0, 0, 0, 0]])
    np.testing.assert_array_equal(mask_to_box(masks[0].numpy()), [3, 2, 9, 5])
    g = torch.Generator().manual_seed(0)
    boxes = torch.tensor([[10.0, 10, 110, 60]])
    jittered = jitter_boxes(boxes.repeat(200, 1), 0.1, 20, g)
    assert (jittered[:, 2] >= jittered[:, 0]).all() and (jittered - boxes).abs().max() <= 20
    assert 3 < (jittered - boxes)[:, 0].std() < 15  # ~10% of the 100 px side


def test_points_and_corrections():
    g = torch.Generator().manual_seed(0)
    target = torch.zeros(2, 16, 16, dtype=torch.bool)
    target[:, 4:12, 4:12] = True
    coords, found = sample_points(target, g)
    assert found.all() and target[torch.arange(2), coords[:, 1].long(), coords[:, 0].long()].all()
    pred = target.clone()
    pred[0, 4:12, 4:8] = False  # missed foreground -> positive click
    coords, labels = correction_points(pred, target, g)
    assert labels[0] == 1 and 4 <= coords[0, 0] < 8 and labels[1] == -1  # no error in the second mask
    pred[1, 0:2, 0:2] = True  # spurious -> negative click
    coords, labels = correction_points(pred, target, g)
    assert labels[1] == 0 and coords[1, 0] < 2 and coords[1, 1] < 2
