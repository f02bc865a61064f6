"""Depth / normals of the synthetic scenes: known planes, written in NYU's layout, segmentation bytes untouched."""
import cv2
import numpy as np

from radio_dense.data import SceneConfig, SyntheticScenes, write_demo_dataset
from radio_dense.data.geometry import (BACKGROUND_DEPTH_M, OBJECT_DEPTH_M, decode_normals, geometry_rng,
                                       scene_geometry)


def test_geometry_is_planes_nearer_when_drawn_later_and_deterministic():
    scenes = SyntheticScenes(6, SceneConfig(size=64), seed=3, split='val')
    for i, scene in enumerate(scenes):
        geo = scene_geometry(scene, geometry_rng(3, i, 'val'))
        again = scene_geometry(scene, geometry_rng(3, i, 'val'))
        assert np.array_equal(geo.depth, again.depth) and np.array_equal(geo.image, again.image)
        assert np.allclose(np.linalg.norm(geo.normals, axis=2), 1, atol=1e-5) and (geo.normals[..., 2] < 0).all()
        background = scene.label == 0
        assert geo.depth[background].min() > geo.depth[~background].max(initial=0)  # behind every object
        assert geo.depth[background].max() < BACKGROUND_DEPTH_M[1] + 1.5
        medians = [np.median(geo.depth[inst.mask]) for inst in scene.instances if inst.mask.any()]
        assert medians == sorted(medians, reverse=True)  # later (on top) is nearer
        for inst in scene.instances:  # one plane per object: a single normal
            if inst.mask.any():
                assert np.ptp(geo.normals[inst.mask], axis=0).max() < 1e-5


def test_writer_adds_the_nyu_layout_and_keeps_segmentation_bytes(tmp_path):
    write_demo_dataset(str(tmp_path / 'plain'), 3, 1, size=64, progress=False)
    write_demo_dataset(str(tmp_path / 'geo'), 3, 1, size=64, progress=False, geometry=True)
    for rel in ('images/training/000002.jpg', 'annotations/training/000002.png', 'annotations/instances_train.json'):
        assert (tmp_path / 'plain' / rel).read_bytes() == (tmp_path / 'geo' / rel).read_bytes()
    assert not (tmp_path / 'plain' / 'depth').exists()
    depth = cv2.imread(str(tmp_path / 'geo/depth/depth/validation/000000.png'), cv2.IMREAD_UNCHANGED)
    normals = decode_normals(cv2.imread(str(tmp_path / 'geo/depth/normals/training/000001.png'))[..., ::-1])
    assert depth.dtype == np.uint16 and depth.shape == (64, 64)
    assert 1000 * OBJECT_DEPTH_M[0] - 500 < depth.min() and depth.max() < 1000 * (BACKGROUND_DEPTH_M[1] + 1.5)
    assert np.allclose(np.linalg.norm(normals, axis=2), 1, atol=1e-5)
    assert len(list((tmp_path / 'geo/depth/images/training').glob('*.jpg'))) == 3
