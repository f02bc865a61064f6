"""radio_dense: NVIDIA RADIO as a backbone for dense prediction.

``import radio_dense`` gives the framework-free model API (torch + timm only) and nothing else:
it imports no OpenMMLab package or segment_anything and changes no global torch state.

* :mod:`radio_dense.radio`      the RADIO model, its checkpoints and zoo (``load_radio``)
* :mod:`radio_dense.sam`        SAM prompting on RADIO features (needs segment_anything)
* :mod:`radio_dense.openmmlab`  OpenMMLab modules; configs load it with ``custom_imports``
* :mod:`radio_dense.analysis`   feature analysis, FLOPs and benchmarks behind ``tools/analysis``
* :mod:`radio_dense.data`       the synthetic demo data set
"""
import importlib

__version__ = '0.1.0'

__all__ = ['RADIO_ZOO', 'RADIOModel', 'RadioCheckpointError', 'RadioOutput', 'create_radio', 'load_radio',
           'radio_from_config']


def __getattr__(name: str):
    # The model API loads on first use, so that ``import radio_dense.tools`` (the command-line tools)
    # can set process options such as OMP_WAIT_POLICY before torch loads (PEP 562).
    if name in __all__:
        value = getattr(importlib.import_module('.radio', __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted({*globals(), *__all__})
