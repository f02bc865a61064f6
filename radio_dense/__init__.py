"""radio_dense: NVIDIA RADIO as a backbone for dense prediction in the OpenMMLab world.

``from radio_dense import load_radio`` gives the framework-free model. Importing the package
also registers the OpenMMLab modules (backbone, necks, optimizer constructor, SAM model) when
mmengine/mmseg/mmdet are installed.
"""
from .radio import RADIO_ZOO, RADIOModel, RadioCheckpointError, RadioOutput, create_radio, load_radio

__version__ = '0.1.0'


def _register_openmmlab() -> None:
    try:
        import mmengine  # noqa: F401
        import mmcv  # noqa: F401
    except ImportError:  # the RADIO model alone needs only torch + timm
        return
    from . import mm  # noqa: F401
    try:
        import segment_anything  # noqa: F401
    except ImportError:  # SAM prompting is optional
        return
    from . import sam  # noqa: F401


_register_openmmlab()
__all__ = ['RADIO_ZOO', 'RADIOModel', 'RadioCheckpointError', 'RadioOutput', 'create_radio', 'load_radio']
