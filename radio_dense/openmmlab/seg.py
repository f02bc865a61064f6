"""Everything radio_dense registers for mmsegmentation; segmentation configs import this module.

``custom_imports = dict(imports=['radio_dense.openmmlab.seg'])`` registers the shared modules of
:mod:`radio_dense.openmmlab` (mmengine's root registries) and the mmseg-only ones (mmseg's registries).
"""
from .datasets.synthetic_seg import SyntheticShapesDataset
from .models.seg_heads import LinearBNHead
from .models.zero_shot_seg import RADIOZeroShotSegmentor, ZeroShotClassesHook

__all__ = ['LinearBNHead', 'RADIOZeroShotSegmentor', 'SyntheticShapesDataset', 'ZeroShotClassesHook']
