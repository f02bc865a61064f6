"""The synthetic shapes set as a registered mmseg dataset (tools/make_demo_data.py writes it).

A class with ``METAINFO`` (rather than ``BaseSegDataset`` plus a ``metainfo`` dict in the config)
is what mmseg's own tools expect: ``confusion_matrix.py`` and ``browse_dataset.py`` read
``dataset.METAINFO['classes']``.
"""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..data import DEMO_SEG_METAINFO


@DATASETS.register_module()
class SyntheticShapesDataset(BaseSegDataset):
    """Synthetic shapes in the ADE20K layout: ``images/{split}/*.jpg`` and ``annotations/{split}/*.png``.

    Label 0 is ``background``, a real class (``reduce_zero_label=False``), then the six shapes.
    """

    METAINFO = dict(classes=tuple(DEMO_SEG_METAINFO['classes']), palette=[list(c) for c in DEMO_SEG_METAINFO['palette']])

    def __init__(self, img_suffix: str = '.jpg', seg_map_suffix: str = '.png', reduce_zero_label: bool = False,
                 **kwargs):
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, reduce_zero_label=reduce_zero_label,
                         **kwargs)
