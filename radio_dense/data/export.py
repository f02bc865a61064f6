"""Write synthetic scenes to disk: ADE20K-style folders for mmseg, COCO instances and panoptic for mmdet.

Layout (``root`` = e.g. ``data/demo``)::

    images/training/000000.jpg ...        RGB images (JPEG, quality 95)
    images/validation/000000.jpg ...
    annotations/training/000000.png ...   label maps: 0 = background, 1..K = DEMO_THING_CLASSES
    annotations/validation/000000.png ...
    annotations/instances_train.json      COCO instances (RLE masks), file_name relative to
    annotations/instances_val.json        images/training/ resp. images/validation/
    annotations/panoptic_train.json       COCO panoptic: segments_info per image (things = shapes,
    annotations/panoptic_val.json         stuff = background)
    annotations/panoptic_train/000000.png ...  segment ids as R + 256 G + 256^2 B
    annotations/panoptic_val/000000.png ...

mmseg: ``BaseSegDataset`` with ``metainfo=DEMO_SEG_METAINFO``, ``img_suffix='.jpg'``,
``seg_map_suffix='.png'``, ``reduce_zero_label=False`` (background is class 0 and is learned
and scored like any other class; ``reduce_zero_label=True`` would turn it into the ignore
index 255 and shift the shapes to 0..K-1). Don't use ``ADE20KDataset``: its 150 fixed classes
don't contain ours. mmdet: ``CocoDataset`` with ``metainfo=DEMO_DET_METAINFO``,
``ann_file='annotations/instances_train.json'``, ``data_prefix=dict(img='images/training/')``;
panoptic: ``CocoPanopticDataset`` with ``metainfo=DEMO_PANOPTIC_METAINFO``,
``ann_file='annotations/panoptic_train.json'``,
``data_prefix=dict(img='images/training/', seg='annotations/panoptic_train/')``.

With ``geometry=True`` (``tools/make_demo_data.py`` default) the same scenes also get depth and normals
(:mod:`radio_dense.data.geometry`), in mmseg's NYU layout (``NYUDataset`` with
``data_prefix=dict(img_path='depth/images/training', depth_map_path='depth/depth/training')``)::

    depth/images/training/000000.jpg ...    the scene shaded by its normals and hazed by its depth
    depth/depth/training/000000.png ...     uint16 depth in millimetres
    depth/normals/training/000000.png ...   RGB normals, (n + 1) / 2 * 255

Output bytes depend only on the arguments (and on the installed OpenCV/zlib/libjpeg).
"""
import json
import os
from typing import Dict, Optional

import cv2
from tqdm import tqdm

from .coco import CocoBuilder
from .geometry import depth_to_png16, encode_normals, geometry_rng, scene_geometry
from .panoptic import PanopticBuilder
from .synthetic import SceneConfig, SyntheticScenes

#: split name in file names -> (folder name, COCO json split name)
SPLIT_FOLDERS = {'train': ('training', 'train'), 'val': ('validation', 'val')}
JPEG_QUALITY = 95


def _write(path: str, ext: str, array, params=()) -> None:
    ok, buf = cv2.imencode(ext, array, list(params))
    if not ok:
        raise IOError(f'OpenCV could not encode {path}')
    with open(path, 'wb') as f:
        f.write(buf.tobytes())


def _write_json(path: str, data: Dict) -> None:
    with open(path, 'w') as f:
        json.dump(data, f, separators=(',', ':'))


def _write_geometry(dirs, name: str, geo) -> None:
    img_dir, depth_dir, normal_dir = dirs
    _write(os.path.join(img_dir, name + '.jpg'), '.jpg', cv2.cvtColor(geo.image, cv2.COLOR_RGB2BGR),
           (cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY))
    _write(os.path.join(depth_dir, name + '.png'), '.png', depth_to_png16(geo.depth), (cv2.IMWRITE_PNG_COMPRESSION, 6))
    _write(os.path.join(normal_dir, name + '.png'), '.png', cv2.cvtColor(encode_normals(geo.normals), cv2.COLOR_RGB2BGR),
           (cv2.IMWRITE_PNG_COMPRESSION, 6))


def write_split(root: str, split: str, num: int, config: SceneConfig, seed: int, progress: bool = True,
                geometry: bool = False) -> Dict:
    """Write ``num`` scenes of ``split`` ('train' | 'val') under ``root``; returns the COCO instances dict.

    ``geometry``: also write the depth / normals set (``depth/``, see the module docstring)."""
    if split not in SPLIT_FOLDERS:
        raise ValueError(f'Unknown split {split!r}; use one of {sorted(SPLIT_FOLDERS)}')
    folder, coco_split = SPLIT_FOLDERS[split]
    img_dir = os.path.join(root, 'images', folder)
    ann_dir = os.path.join(root, 'annotations', folder)
    pan_dir = os.path.join(root, 'annotations', f'panoptic_{coco_split}')
    geo_dirs = [os.path.join(root, 'depth', kind, folder) for kind in ('images', 'depth', 'normals')] if geometry else []
    for d in (img_dir, ann_dir, pan_dir, *geo_dirs):
        os.makedirs(d, exist_ok=True)
    description = f'radio_dense synthetic shapes, {split} split, seed {seed}, {config.size}px'
    coco, panoptic = CocoBuilder(description), PanopticBuilder(description + ', panoptic')
    scenes = SyntheticScenes(num, config, seed, split)
    for i in tqdm(range(num), desc=f'{split} scenes', unit='img', disable=not progress):
        scene = scenes[i]
        name = f'{i:06d}'
        _write(os.path.join(img_dir, name + '.jpg'), '.jpg', cv2.cvtColor(scene.image, cv2.COLOR_RGB2BGR),
               (cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY))
        _write(os.path.join(ann_dir, name + '.png'), '.png', scene.label, (cv2.IMWRITE_PNG_COMPRESSION, 6))
        if geometry:
            _write_geometry(geo_dirs, name, scene_geometry(scene, geometry_rng(seed, i, split)))
        coco.add(scene, name + '.jpg')
        segments = panoptic.add(scene, name + '.jpg', name + '.png')
        _write(os.path.join(pan_dir, name + '.png'), '.png', cv2.cvtColor(segments, cv2.COLOR_RGB2BGR),
               (cv2.IMWRITE_PNG_COMPRESSION, 6))
    data = coco.to_dict()
    _write_json(os.path.join(root, 'annotations', f'instances_{coco_split}.json'), data)
    _write_json(os.path.join(root, 'annotations', f'panoptic_{coco_split}.json'), panoptic.to_dict())
    return data


def write_demo_dataset(root: str, num_train: int = 200, num_val: int = 50, size: int = 256, seed: int = 0,
                       config: Optional[SceneConfig] = None, progress: bool = True,
                       geometry: bool = False) -> Dict[str, Dict]:
    """Write the demo data set (both splits) under ``root``; returns ``{'train': coco, 'val': coco}``.

    ``config`` overrides the scene settings (its ``size`` wins over ``size``); ``geometry`` also writes
    the depth / normals set.
    """
    config = config or SceneConfig(size=size)
    return {split: write_split(root, split, num, config, seed, progress, geometry)
            for split, num in (('train', num_train), ('val', num_val))}
