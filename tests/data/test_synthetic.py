"""Synthetic demo data: determinism, label/instance consistency, COCO export, class coverage."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from radio_dense.data import (DEMO_CLASSES, DEMO_PALETTE, DEMO_SEG_METAINFO, DEMO_THING_CLASSES, SceneConfig,
                              SyntheticScenes, make_scene, scene_rng, write_demo_dataset)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob('*')) if p.is_file()}


@pytest.fixture(scope='module')
def demo_set(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo')
    sets = write_demo_dataset(str(root), num_train=24, num_val=8, size=128, seed=3, progress=False,
                              geometry=True)  # what tools/make_demo_data.py writes by default
    return root, sets


def test_classes_and_palette():
    assert DEMO_CLASSES[0] == 'background' and DEMO_CLASSES[1:] == DEMO_THING_CLASSES
    assert 5 <= len(DEMO_THING_CLASSES) <= 8
    assert len(DEMO_PALETTE) == len(DEMO_CLASSES) and len(set(DEMO_PALETTE)) == len(DEMO_PALETTE)
    assert DEMO_SEG_METAINFO['classes'] == DEMO_CLASSES


def test_scene_is_deterministic_and_index_independent():
    a = make_scene(scene_rng(7, 5, 'train'), SceneConfig(size=96))
    b = SyntheticScenes(10, SceneConfig(size=96), seed=7)[5]
    assert np.array_equal(a.image, b.image) and np.array_equal(a.label, b.label)
    assert [i.category_id for i in a.instances] == [i.category_id for i in b.instances]
    other = make_scene(scene_rng(7, 5, 'val'), SceneConfig(size=96))
    assert not np.array_equal(a.image, other.image)


def test_scene_labels_match_instances():
    config = SceneConfig(size=128)
    for scene in SyntheticScenes(20, config, seed=1):
        assert scene.image.shape == (128, 128, 3) and scene.image.dtype == np.uint8
        assert 1 <= len(scene.instances) <= config.max_objects
        rebuilt = np.zeros_like(scene.label)
        for inst in scene.instances:
            assert not (rebuilt[inst.mask] > 0).any(), 'instance masks must not overlap'
            rebuilt[inst.mask] = inst.category_id
            # large objects: each instance spans at least an eighth of the image side
            assert max(inst.bbox[2:]) >= 128 / 8
        assert np.array_equal(rebuilt, scene.label)


def test_class_coverage():
    counts = np.zeros(len(DEMO_CLASSES), int)
    for scene in SyntheticScenes(60, SceneConfig(size=64), seed=0):
        counts += np.bincount(scene.label.ravel(), minlength=len(DEMO_CLASSES)) > 0
    assert (counts[1:] >= 10).all(), f'some classes are rare: {dict(zip(DEMO_CLASSES, counts))}'
    assert counts[0] == 60  # background in every image


def test_written_set_is_consistent(demo_set):
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO
    root, sets = demo_set
    for split, folder in (('train', 'training'), ('val', 'validation')):
        coco = COCO(str(root / 'annotations' / f'instances_{split}.json'))
        assert sorted(c['name'] for c in coco.loadCats(coco.getCatIds())) == sorted(DEMO_THING_CLASSES)
        assert len(coco.getImgIds()) == len(list((root / 'images' / folder).glob('*.jpg')))
        for img in coco.loadImgs(coco.getImgIds()):
            image = cv2.imread(str(root / 'images' / folder / img['file_name']))
            assert image.shape == (img['height'], img['width'], 3)
            label = cv2.imread(str(root / 'annotations' / folder / img['file_name'].replace('.jpg', '.png')),
                               cv2.IMREAD_UNCHANGED)
            assert label.shape == (img['height'], img['width']) and label.max() < len(DEMO_CLASSES)
            rebuilt = np.zeros_like(label)
            for ann in coco.loadAnns(coco.getAnnIds(imgIds=img['id'])):
                mask = coco.annToMask(ann).astype(bool)
                assert ann['area'] == mask.sum() == mask_utils.area(ann['segmentation'])
                x, y, w, h = ann['bbox']
                assert mask[int(y):int(y + h), int(x):int(x + w)].sum() == mask.sum()
                rebuilt[mask] = ann['category_id']
            assert np.array_equal(rebuilt, label)


def test_tool_is_byte_deterministic(tmp_path, demo_set):
    root, _ = demo_set
    out = tmp_path / 'again'
    subprocess.run([sys.executable, str(REPO_ROOT / 'tools' / 'make_demo_data.py'), '--out', str(out),
                    '--num-train', '24', '--num-val', '8', '--size', '128', '--seed', '3', '--quiet'],
                   check=True, cwd=REPO_ROOT, capture_output=True)
    assert _digest(out) == _digest(root)
    assert json.loads((out / 'annotations' / 'instances_val.json').read_text())['images'][0]['file_name'] == '000000.jpg'
    assert os.path.getsize(out / 'annotations' / 'instances_train.json') > 0


def test_written_panoptic_set_matches_labels(demo_set):
    from radio_dense.data import BACKGROUND_PANOPTIC_ID, DEMO_PANOPTIC_METAINFO, rgb_to_ids
    root, sets = demo_set
    for split, folder in (('train', 'training'), ('val', 'validation')):
        data = json.loads((root / 'annotations' / f'panoptic_{split}.json').read_text())
        cats = {c['id']: c for c in data['categories']}
        assert [c['name'] for c in data['categories']] == list(DEMO_PANOPTIC_METAINFO['classes'])
        assert cats[BACKGROUND_PANOPTIC_ID]['isthing'] == 0 and all(cats[i]['isthing'] for i in range(1, 7))
        assert len(data['annotations']) == len(data['images']) == len(sets[split]['images'])
        for img, ann in zip(data['images'], data['annotations']):
            assert ann['image_id'] == img['id'] and ann['file_name'] == img['file_name'].replace('.jpg', '.png')
            rgb = cv2.cvtColor(cv2.imread(str(root / 'annotations' / f'panoptic_{split}' / ann['file_name'])),
                               cv2.COLOR_BGR2RGB)
            ids = rgb_to_ids(rgb)
            label = cv2.imread(str(root / 'annotations' / folder / ann['file_name']), cv2.IMREAD_UNCHANGED)
            assert (ids > 0).all(), 'every pixel belongs to a segment (things or background)'
            assert sorted(np.unique(ids).tolist()) == sorted(s['id'] for s in ann['segments_info'])
            for seg in ann['segments_info']:
                mask = ids == seg['id']
                assert seg['area'] == mask.sum()
                x, y, w, h = seg['bbox']
                assert mask[y:y + h, x:x + w].sum() == mask.sum()
                expected = 0 if seg['category_id'] == BACKGROUND_PANOPTIC_ID else seg['category_id']
                assert (label[mask] == expected).all()
            things = [s for s in ann['segments_info'] if cats[s['category_id']]['isthing']]
            assert len(things) == sum(a['image_id'] == img['id'] for a in sets[split]['annotations'])
