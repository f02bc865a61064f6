"""OpenMMLab support for RADIO: the only part of radio_dense that imports mmengine / mmcv / mmseg / mmdet.

Configs load it through ``custom_imports`` (nothing is registered by ``import radio_dense``),
one module per codebase, each of which also imports this package::

    custom_imports = dict(imports=['radio_dense.openmmlab.seg'])  # mmsegmentation configs
    custom_imports = dict(imports=['radio_dense.openmmlab.det'])  # mmdetection configs
    custom_imports = dict(imports=['radio_dense.openmmlab.sam'])  # SAM neck training (mmengine only)

Each class is registered once, with ``@REGISTRY.register_module()``, in the registry of the
codebase that uses it. Modules that both mmseg and mmdet build (``RADIOBackbone``, ``RADIOAdapter``, ``SimpleFPN``,
``LN2d``, ``RADIOLayerDecayOptimizerConstructor``) go into mmengine's root registries, which
every codebase's registry falls back to; ``LinearBNHead`` goes into mmseg's, ``ContiguousRoIExtractor``
into mmdet's. Importing this package also adds mmengine's checkpoint classes to torch's
``weights_only`` allow-list (see :mod:`.checkpoint_allowlist`), which mmengine's resume needs, and
makes mmcv's RoIAlign and deformable attention run in float32 under bf16 autocast (:mod:`.mmcv_precision`).
"""
try:
    import mmengine  # noqa: F401
    import mmcv  # noqa: F401
except ImportError as _err:  # say how to get them instead of a bare "No module named"
    raise ImportError(f'radio_dense.openmmlab needs OpenMMLab (mmengine, mmcv with compiled ops, mmsegmentation, '
                      f'mmdetection): {_err}. Install them with `bash tools/setup_env.sh` (or '
                      f'`pip install radio_dense[mm]` after building mmcv against your torch).') from _err

from .adapter import RADIOAdapter  # noqa: E402
from .amp import CPUAutocastOptimWrapper  # noqa: E402
from .atomic_checkpoint import AtomicCheckpointHook  # noqa: E402
from .backbone import RADIOBackbone  # noqa: E402
from .checkpoint_allowlist import allow_mmengine_checkpoints  # noqa: E402
from .mmcv_precision import patch_mmcv_ops_precision  # noqa: E402
from .necks import SimpleFPN  # noqa: E402
from .norm import LayerNorm2d  # noqa: E402
from .optim import RADIOLayerDecayOptimizerConstructor  # noqa: E402

allow_mmengine_checkpoints()
patch_mmcv_ops_precision()  # RoIAlign / deformable attention in fp32 under bf16 autocast

__all__ = ['AtomicCheckpointHook', 'CPUAutocastOptimWrapper', 'RADIOAdapter', 'RADIOBackbone', 'SimpleFPN', 'LayerNorm2d', 'RADIOLayerDecayOptimizerConstructor',
           'allow_mmengine_checkpoints']
