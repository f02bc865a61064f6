"""Let torch>=2.6 (``weights_only=True`` by default) load mmengine checkpoints safely.

mmengine 0.10.7 calls ``torch.load`` without ``weights_only``; its checkpoints hold a few
non-tensor objects (``message_hub`` history buffers with numpy arrays, numpy scalars/dtypes).
Instead of switching the safety off, we allow-list exactly those classes.
"""
from typing import List

import numpy as np
import torch


def mmengine_checkpoint_globals() -> List:
    """The classes mmengine checkpoints pickle besides tensors and plain containers."""
    from mmengine.logging.history_buffer import HistoryBuffer
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in ('float64', 'float32', 'float16', 'int64', 'int32', 'int8',
                                                  'uint8', 'bool')]
    return [HistoryBuffer, np.ndarray, np.dtype, _reconstruct, scalar, *dtype_classes]


def allow_mmengine_checkpoints() -> None:
    """Add the mmengine checkpoint classes to torch's ``weights_only`` allow-list (idempotent)."""
    torch.serialization.add_safe_globals(mmengine_checkpoint_globals())
