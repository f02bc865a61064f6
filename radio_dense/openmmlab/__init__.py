"""OpenMMLab glue for RADIO: registered on import (mmengine, mmseg and mmdet registries)."""
from .checkpoint_compat import allow_mmengine_checkpoints
from .backbone import RADIOBackbone
from .necks import SimpleFPN
from .norm import LayerNorm2d
from .optim import RADIOLayerDecayOptimizerConstructor

allow_mmengine_checkpoints()

try:  # mmseg-only parts
    from .heads import LinearBNHead  # noqa: F401
except ImportError:
    pass

__all__ = ['RADIOBackbone', 'SimpleFPN', 'LayerNorm2d', 'RADIOLayerDecayOptimizerConstructor',
           'allow_mmengine_checkpoints']
