"""Everything radio_dense registers for mmsegmentation; segmentation configs import this module.

``custom_imports = dict(imports=['radio_dense.openmmlab.seg'])`` registers the shared modules of
:mod:`radio_dense.openmmlab` (mmengine's root registries) and the mmseg-only ones (mmseg's registries).
"""
from .datasets.surface_normals import LoadNormalAnnotation, PackNormalInputs, RandomFlipNormals
from .datasets.synthetic_seg import SyntheticShapesDataset
from .evaluation.normal_metric import NormalMetric
from .models.angular_loss import AngularLoss
from .models.dense_probe_heads import DPTRegressionHead, MultiLayerLinearHead
from .models.seg_heads import LinearBNHead
from .models.zero_shot_seg import RADIOZeroShotSegmentor, ZeroShotClassesHook

__all__ = ['AngularLoss', 'DPTRegressionHead', 'LoadNormalAnnotation', 'MultiLayerLinearHead', 'NormalMetric', 'PackNormalInputs',
           'RandomFlipNormals', 'LinearBNHead', 'RADIOZeroShotSegmentor', 'SyntheticShapesDataset', 'ZeroShotClassesHook']
