"""Everything radio_dense registers for mmdetection; detection configs import this module.

``custom_imports = dict(imports=['radio_dense.openmmlab.det'])`` registers the shared modules of
:mod:`radio_dense.openmmlab` (mmengine's root registries) and the mmdet-only ones (mmdet's registries).
"""
from .datasets.synthetic_det import SyntheticShapesCocoDataset
from .models.contiguous_roi_extractor import ContiguousRoIExtractor

__all__ = ['ContiguousRoIExtractor', 'SyntheticShapesCocoDataset']
