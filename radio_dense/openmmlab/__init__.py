"""OpenMMLab support for RADIO: the only part of radio_dense that imports mmengine / mmcv / mmseg / mmdet.

Configs load it through ``custom_imports`` (nothing is registered by ``import radio_dense``),
one module per codebase, each of which also imports this package::

    custom_imports = dict(imports=['radio_dense.openmmlab.seg'])  # mmsegmentation configs
    custom_imports = dict(imports=['radio_dense.openmmlab.det'])  # mmdetection configs
    custom_imports = dict(imports=['radio_dense.openmmlab.sam'])  # SAM neck training (mmengine only)

Layout: ``models/`` (backbones, necks, heads, segmentors), ``datasets/``, ``engine/`` (optimizer
constructor, schedules, precision, crash-safe checkpoints and resume, the training-checkpoint reader),
``export/`` (ONNX, publishing), ``sam/`` (SAM-decoder training), and at the top the config-to-model path.

Each class is registered once, with ``@REGISTRY.register_module()``, in the registry of the
codebase that uses it. Modules that both mmseg and mmdet build (``RADIOBackbone``, ``RADIOAdapter``, ``SimpleFPN``,
``LN2d``, ``RADIOLayerDecayOptimizerConstructor``) go into mmengine's root registries, which
every codebase's registry falls back to; ``LinearBNHead`` goes into mmseg's, ``ContiguousRoIExtractor``
into mmdet's. Importing this package also adds mmengine's checkpoint classes to torch's
``weights_only`` allow-list (see :mod:`.engine.checkpoint_allowlist`), which mmengine's resume needs, and
makes mmcv's RoIAlign and deformable attention run in float32 under bf16 autocast (:mod:`.engine.mmcv_fp32_ops`).
"""
try:
    import mmengine  # noqa: F401
    import mmcv  # noqa: F401
except ImportError as _err:  # say how to get them instead of a bare "No module named"
    raise ImportError(f'radio_dense.openmmlab needs OpenMMLab (mmengine, mmcv with compiled ops, mmsegmentation, '
                      f'mmdetection): {_err}. Install them with `bash tools/setup_env.sh` (or '
                      f'`pip install radio_dense[mm]` after building mmcv against your torch).') from _err

from .engine.atomic_checkpoint import AtomicCheckpointHook  # noqa: E402
from .engine.checkpoint_allowlist import allow_mmengine_checkpoints  # noqa: E402
from .engine.cpu_amp import CPUAutocastOptimWrapper  # noqa: E402
from .engine.layer_decay import RADIOLayerDecayOptimizerConstructor  # noqa: E402
from .engine.mmcv_fp32_ops import patch_mmcv_ops_precision  # noqa: E402
from .models.adapter import RADIOAdapter  # noqa: E402
from .models.backbone import RADIOBackbone  # noqa: E402
from .models.layer_norm_2d import LayerNorm2d  # noqa: E402
from .models.necks import SimpleFPN  # noqa: E402

allow_mmengine_checkpoints()
patch_mmcv_ops_precision()  # RoIAlign / deformable attention in fp32 under bf16 autocast

__all__ = ['AtomicCheckpointHook', 'CPUAutocastOptimWrapper', 'RADIOAdapter', 'RADIOBackbone', 'SimpleFPN', 'LayerNorm2d', 'RADIOLayerDecayOptimizerConstructor',
           'allow_mmengine_checkpoints']
