"""Reading tensor files safely, and selecting keys by prefix: the one place radio_dense calls ``torch.load``.

Nothing here executes pickled code: torch files load with ``weights_only=True`` and an explicit
allow-list that each caller passes (e.g. ``argparse.Namespace`` for the ``args`` of upstream RADIO
checkpoints; nothing for plain state dicts); ``.safetensors`` files hold tensors only.
"""
import os
import pickle
from typing import Any, Dict, Iterable, Sequence

import torch

from .file_kind import describe_file

Tensors = Dict[str, torch.Tensor]

#: Keys under which training frameworks nest the model's state dict.
STATE_DICT_KEYS = ('state_dict', 'model')


class UnsafeFileError(ValueError):
    """A torch file that cannot be read without unpickling arbitrary objects, or not at all."""


def safe_torch_load(path: str, allowed_globals: Iterable[Any] = (), mmap: bool = False) -> Any:
    """``torch.load(path, weights_only=True)``: tensors, plain containers and ``allowed_globals`` only.

    ``mmap``: map the file instead of reading it (cheap when only part of a large file is needed).

    Raises :class:`FileNotFoundError` for a missing file and :class:`UnsafeFileError` (saying
    why and what to do) for a file with other pickled objects or a truncated/corrupt one.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'No such file: {path}')
    allowed_globals = list(allowed_globals)
    try:
        with torch.serialization.safe_globals(allowed_globals):
            return torch.load(path, map_location='cpu', weights_only=True, mmap=mmap)
    except pickle.UnpicklingError as err:
        kind = describe_file(path)
        if not kind.startswith(('a zip archive', 'a pickle file')):
            raise UnsafeFileError(f'{path} is not a torch checkpoint: it is {kind}.') from err
        allowed = ''.join(f', {getattr(g, "__name__", g)}' for g in allowed_globals)
        raise UnsafeFileError(
            f'{path} contains pickled objects that are not allowed for safe loading with '
            f'torch.load(weights_only=True) (only tensors, plain containers{allowed} are). '
            f'Re-save its state_dict, or convert it to .safetensors. Details: {str(err).splitlines()[0]}') from err
    except (RuntimeError, EOFError, OSError) as err:
        raise UnsafeFileError(
            f'{path} is not a readable torch file (truncated or corrupt download?). Delete it and get it '
            f'again. Details: {str(err).splitlines()[0]}') from err


def read_tensors(path: str, allowed_globals: Iterable[Any] = ()) -> Tensors:
    """The tensors of a ``.safetensors`` file or of a torch state dict (also nested under ``state_dict``/``model``)."""
    if path.endswith('.safetensors'):
        if not os.path.isfile(path):
            raise FileNotFoundError(f'No such file: {path}')
        from safetensors import SafetensorError
        from safetensors.torch import load_file
        try:
            return load_file(path, device='cpu')
        except (SafetensorError, OSError) as err:
            raise UnsafeFileError(f'{path} is not a readable safetensors file (truncated download? it is '
                                  f'{describe_file(path)}): {err}') from err
    state = safe_torch_load(path, allowed_globals)
    for key in STATE_DICT_KEYS:
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
    if not isinstance(state, dict):
        raise UnsafeFileError(f'{path} holds a {type(state).__name__}, not a state dict')
    return {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}


def strip_prefix(state: Tensors, prefix: str = '', wrappers: Sequence[str] = ()) -> Tensors:
    """The entries of ``state`` under ``prefix``, with ``prefix`` removed from their keys.

    ``wrappers`` are prefixes that training wrappers add in front of every key (``'module.'``
    of DistributedDataParallel, ``'sam.'`` of a wrapping model...): they are removed first,
    repeatedly, so ``'module.sam.mask_decoder.x'`` counts as ``'mask_decoder.x'``.
    """
    out = {}
    for key, value in state.items():
        unwrapped = True
        while unwrapped:
            unwrapped = False
            for wrapper in wrappers:
                if key.startswith(wrapper):
                    key, unwrapped = key[len(wrapper):], True
        if key.startswith(prefix):
            out[key[len(prefix):]] = value
    return out
