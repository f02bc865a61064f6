"""Make a training checkpoint publishable: weights and plain metadata only, named after its sha256.

An mmengine checkpoint also holds the optimizer state (2x the weights for AdamW), the parameter
schedulers and the message hub (logged history with numpy objects). A published file keeps
``state_dict`` and the plain parts of ``meta``, so it is a third of the size and loads with
``torch.load(weights_only=True)`` without any allow-list (``load_from``, ``tools/test.py``).
"""
import hashlib
import os
from typing import Any, Dict, Sequence

import torch

from ..engine.training_checkpoint import read_training_checkpoint

DEFAULT_KEYS = ('meta', 'state_dict')
#: ``meta`` entries that may hold non-plain objects (hook messages, the logged history) and are dropped.
DROPPED_META = ('hook_msgs', 'message_hub')


def read_mmengine_checkpoint(path: str) -> Dict[str, Any]:
    """An mmengine checkpoint read with ``weights_only=True``, only mmengine's own classes allowed."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'Checkpoint {path} does not exist')
    try:
        checkpoint = read_training_checkpoint(path)
    except Exception as err:  # noqa: BLE001 - torch raises several types for unreadable files
        raise ValueError(f'{path} cannot be read as a torch checkpoint with weights_only=True: {err}') from err
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        raise ValueError(f'{path} is not an mmengine training checkpoint (no "state_dict" entry)')
    return checkpoint


def _plain(value: Any) -> bool:
    if isinstance(value, (str, int, float, bool, type(None), torch.Tensor)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def strip_checkpoint(checkpoint: Dict[str, Any], keys: Sequence[str] = DEFAULT_KEYS) -> Dict[str, Any]:
    """Only ``keys`` (default: ``meta``, ``state_dict``); ``meta`` keeps its plain-typed entries.

    Raises ``ValueError`` for a key the checkpoint lacks, or when ``state_dict`` is not kept (the file
    would hold no weights)."""
    missing = [k for k in keys if k not in checkpoint]
    if missing:
        raise ValueError(f'--save-keys {" ".join(missing)}: not in the checkpoint (its entries: '
                         f'{", ".join(sorted(map(str, checkpoint)))})')
    if 'state_dict' not in keys:
        raise ValueError('--save-keys must keep state_dict: a published checkpoint without weights loads nothing')
    out = {k: checkpoint[k] for k in keys}
    if 'meta' in out:
        out['meta'] = {k: v for k, v in out['meta'].items() if k not in DROPPED_META and _plain(v)}
    return out


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def publish_checkpoint(in_path: str, out_path: str, keys: Sequence[str] = DEFAULT_KEYS) -> str:
    """Write the stripped checkpoint as ``<out stem>-<first 8 hex digits of its sha256>.pth``; returns that path."""
    published = strip_checkpoint(read_mmengine_checkpoint(in_path), keys)
    stem = out_path[:-len('.pth')] if out_path.endswith('.pth') else out_path
    tmp = stem + '.pth.tmp'
    os.makedirs(os.path.dirname(os.path.abspath(tmp)), exist_ok=True)
    torch.save(published, tmp)
    final = f'{stem}-{sha256_of(tmp)[:8]}.pth'
    os.replace(tmp, final)
    return final
