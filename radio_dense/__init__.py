"""radio_dense: NVIDIA RADIO as a backbone for dense prediction.

``import radio_dense`` gives the framework-free model API (torch + timm only) and nothing else:
it imports no OpenMMLab package or segment_anything and changes no global torch state.

* :mod:`radio_dense.radio`      the RADIO model, its checkpoints and zoo (``load_radio``)
* :mod:`radio_dense.sam`        SAM prompting on RADIO features (needs segment_anything)
* :mod:`radio_dense.openmmlab`  OpenMMLab modules; configs load it with ``custom_imports``
* :mod:`radio_dense.analysis`   feature analysis, FLOPs and benchmarks behind ``tools/analysis``
* :mod:`radio_dense.data`       the synthetic demo data set
"""
from .radio import (RADIO_ZOO, RADIOModel, RadioCheckpointError, RadioOutput, create_radio, load_radio,
                    radio_from_config)

__version__ = '0.1.0'

__all__ = ['RADIO_ZOO', 'RADIOModel', 'RadioCheckpointError', 'RadioOutput', 'create_radio', 'load_radio',
           'radio_from_config']
