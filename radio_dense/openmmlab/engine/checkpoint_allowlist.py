"""Let torch>=2.6 (``weights_only=True`` by default) load mmengine checkpoints safely.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; its checkpoints hold a few
non-tensor objects (``message_hub`` history buffers with numpy arrays, numpy scalars/dtypes).
Instead of switching the safety off, we allow-list exactly those classes.

``HistoryBuffer`` pickles its statistics methods as ``getattr(HistoryBuffer, 'min')``. A general
``getattr`` would hand pickled data any attribute of any allowed class, so the allow-listed
``builtins.getattr`` is a restricted stand-in that only resolves those statistics methods.
"""
import pickle
from typing import Any, List

import numpy as np
import torch


HISTORY_BUFFER_STATISTICS = ('min', 'max', 'mean', 'current')


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    from mmengine.logging.history_buffer import HistoryBuffer
    if obj is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'Refusing getattr({obj!r}, {name!r}) while loading a checkpoint: only the statistics methods of '
        f'mmengine HistoryBuffer ({", ".join(HISTORY_BUFFER_STATISTICS)}) are allowed.')


def mmengine_checkpoint_globals() -> List:
    """The classes mmengine checkpoints pickle besides tensors and plain containers."""
    from mmengine.logging.history_buffer import HistoryBuffer
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in ('float64', 'float32', 'float16', 'int64', 'int32', 'int8',
                                                  'uint8', 'bool')]
    return [HistoryBuffer, np.ndarray, np.dtype, _reconstruct, scalar, *dtype_classes,
            (_history_buffer_getattr, 'builtins.getattr')]


def allow_mmengine_checkpoints() -> None:
    """Add the mmengine checkpoint classes to torch's ``weights_only`` allow-list (idempotent)."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
