"""The synthetic shapes data set (``tools/make_demo_data.py``) as an mmseg dataset type."""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ...data import DEMO_SEG_METAINFO


@DATASETS.register_module()
class SyntheticShapesDataset(BaseSegDataset):
    """Synthetic shapes in the ADE20K folder layout; classes and palette from :mod:`radio_dense.data`.

    Background is label 0 and a real class (``reduce_zero_label=False``); images ``.jpg``, label
    maps ``.png``.
    """

    METAINFO = dict(classes=DEMO_SEG_METAINFO['classes'], palette=[list(c) for c in DEMO_SEG_METAINFO['palette']])

    def __init__(self, img_suffix: str = '.jpg', seg_map_suffix: str = '.png', reduce_zero_label: bool = False,
                 **kwargs):
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix,
                         reduce_zero_label=reduce_zero_label, **kwargs)
