"""Synthetic demo data: procedural shape scenes, their classes, and writers for mmseg/mmdet layouts.

``DEMO_CLASSES`` / ``DEMO_PALETTE`` (semantic, background = label 0) and ``DEMO_THING_CLASSES``
(instances, COCO ids 1..K) and ``DEMO_PANOPTIC_METAINFO`` (things + background stuff) are what configs import; ``tools/make_demo_data.py`` writes the set.
"""
from .classes import (BACKGROUND_PANOPTIC_ID, DEMO_CLASSES, DEMO_DET_METAINFO, DEMO_PALETTE, DEMO_PANOPTIC_METAINFO,
                      DEMO_SEG_METAINFO, DEMO_THING_CLASSES, SHAPE_CLASSES, ShapeClass)
from .coco import CocoBuilder, coco_categories, encode_mask
from .export import write_demo_dataset, write_split
from .panoptic import PanopticBuilder, ids_to_rgb, panoptic_categories, rgb_to_ids, scene_panoptic
from .synthetic import Instance, Scene, SceneConfig, SyntheticScenes, make_scene, scene_rng

__all__ = ['BACKGROUND_PANOPTIC_ID', 'DEMO_PANOPTIC_METAINFO', 'PanopticBuilder', 'ids_to_rgb', 'panoptic_categories',
           'rgb_to_ids', 'scene_panoptic', 'DEMO_CLASSES', 'DEMO_DET_METAINFO', 'DEMO_PALETTE', 'DEMO_SEG_METAINFO', 'DEMO_THING_CLASSES',
           'SHAPE_CLASSES', 'ShapeClass', 'CocoBuilder', 'coco_categories', 'encode_mask', 'write_demo_dataset',
           'write_split', 'Instance', 'Scene', 'SceneConfig', 'SyntheticScenes', 'make_scene', 'scene_rng']
