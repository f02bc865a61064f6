"""Register one class in the model registries of every installed OpenMMLab codebase."""
from typing import Callable, List, Type


def _model_registries() -> List:
    regs = []
    from mmengine.registry import MODELS as ENGINE_MODELS
    regs.append(ENGINE_MODELS)
    for mod in ('mmseg.registry', 'mmdet.registry'):
        try:
            regs.append(__import__(mod, fromlist=['MODELS']).MODELS)
        except ImportError:
            pass
    return regs


def _constructor_registries() -> List:
    regs = []
    from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS
    regs.append(OPTIM_WRAPPER_CONSTRUCTORS)
    for mod in ('mmseg.registry', 'mmdet.registry'):
        try:
            regs.append(__import__(mod, fromlist=['OPTIM_WRAPPER_CONSTRUCTORS']).OPTIM_WRAPPER_CONSTRUCTORS)
        except ImportError:
            pass
    return regs


def _register_everywhere(registries: List) -> Callable[[Type], Type]:
    def decorator(cls: Type) -> Type:
        for reg in registries:
            reg.register_module(module=cls, force=True)
        return cls
    return decorator


def register_model(cls: Type) -> Type:
    """Class decorator: usable as ``type='Name'`` in mmengine, mmseg and mmdet model configs."""
    return _register_everywhere(_model_registries())(cls)


def register_optim_constructor(cls: Type) -> Type:
    """Class decorator for optimizer wrapper constructors (mmengine, mmseg, mmdet)."""
    return _register_everywhere(_constructor_registries())(cls)
