"""OpenMMLab side of SAM prompting: train and validate a RadioSam with mmengine's Runner.

Configs load it with ``custom_imports = dict(imports=['radio_dense.openmmlab.sam'])``. It registers,
in mmengine's root registries (found from any scope): ``MODELS`` ``'build_radio_sam'``, ``'build_radio_sam3'`` and
``'RadioSamModel'``, ``DATASETS`` ``'SamCocoDataset'``, ``METRICS`` ``'SamPromptIoUMetric'``.
"""
from .. import allow_mmengine_checkpoints  # noqa: F401  (mmengine resume needs the allow-list)
from .dataset import SamCocoDataset
from .metric import SamPromptIoUMetric
from .model import RadioSamModel, radio_sam_from_config, sam3_settings_from_config

__all__ = ['SamCocoDataset', 'SamPromptIoUMetric', 'RadioSamModel', 'radio_sam_from_config', 'sam3_settings_from_config']
