"""The one reader of mmengine training checkpoints (``iter_N.pth``, ``epoch_N.pth``, published files).

``weights_only=True`` with mmengine's own checkpoint classes allowed (the message hub's history,
numpy scalars of the logs), nothing else: resume checks, publishing and the checkpoint/model match
all read through here. mmengine's ``CheckpointHook`` writes them (atomically:
:mod:`.atomic_checkpoint`).
"""
from typing import Any, Dict

import torch

from ...radio.safe_io import safe_torch_load, strip_prefix
from .checkpoint_allowlist import allow_mmengine_checkpoints

#: prefixes that training wrappers put in front of every key (DistributedDataParallel's ``module.``)
WRAPPER_PREFIXES = ('module.',)


def read_training_checkpoint(path: str, mmap: bool = False) -> Any:
    """The content of an mmengine checkpoint file (usually a dict with ``meta`` and ``state_dict``).

    Raises ``FileNotFoundError`` or :class:`~radio_dense.radio.safe_io.UnsafeFileError` (what the
    file is and what to do). ``mmap``: map the file instead of reading it all.
    """
    # the global allow-list (idempotent): torch's safe_globals() context would remove these classes
    # again on exit, also when radio_dense.openmmlab had registered them for everyone
    allow_mmengine_checkpoints()
    return safe_torch_load(path, mmap=mmap)


def training_state_dict(content: Any) -> Dict[str, torch.Tensor]:
    """The model tensors of a checkpoint's content (its ``state_dict``, or a plain state dict), unwrapped."""
    state = content.get('state_dict', content) if isinstance(content, dict) else {}
    return strip_prefix({k: v for k, v in state.items() if isinstance(v, torch.Tensor)}, wrappers=WRAPPER_PREFIXES)
