"""Synthetic demo data: procedural shape scenes, their classes, and writers for mmseg/mmdet layouts.

``DEMO_CLASSES`` / ``DEMO_PALETTE`` (semantic, background = label 0) and ``DEMO_THING_CLASSES``
(instances, COCO ids 1..K) are what configs import; ``tools/make_demo_data.py`` writes the set.
"""
from .classes import (DEMO_CLASSES, DEMO_DET_METAINFO, DEMO_PALETTE, DEMO_SEG_METAINFO, DEMO_THING_CLASSES,
                      SHAPE_CLASSES, ShapeClass)
from .coco import CocoBuilder, coco_categories, encode_mask
from .export import write_demo_dataset, write_split
from .synthetic import Instance, Scene, SceneConfig, SyntheticScenes, make_scene, scene_rng

__all__ = ['DEMO_CLASSES', 'DEMO_DET_METAINFO', 'DEMO_PALETTE', 'DEMO_SEG_METAINFO', 'DEMO_THING_CLASSES',
           'SHAPE_CLASSES', 'ShapeClass', 'CocoBuilder', 'coco_categories', 'encode_mask', 'write_demo_dataset',
           'write_split', 'Instance', 'Scene', 'SceneConfig', 'SyntheticScenes', 'make_scene', 'scene_rng']
