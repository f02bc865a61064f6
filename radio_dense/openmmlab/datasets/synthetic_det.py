"""The synthetic shapes data set (``tools/make_demo_data.py``) as an mmdet COCO dataset type."""
from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from ...data import DEMO_DET_METAINFO


@DATASETS.register_module()
class SyntheticShapesCocoDataset(CocoDataset):
    """Synthetic shapes as COCO instances (boxes + RLE masks); classes and palette from :mod:`radio_dense.data`."""

    METAINFO = dict(classes=DEMO_DET_METAINFO['classes'], palette=[tuple(c) for c in DEMO_DET_METAINFO['palette']])
