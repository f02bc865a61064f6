"""Refuse to evaluate a checkpoint that does not fit the model (it would test random weights).

mmengine loads checkpoints non-strictly and only logs "do not match exactly", so a wrong file
(another architecture, a classification model) gives a random model's metrics and exit code 0.
"""
from typing import Dict, List

import torch
from torch import nn

from .checkpoint_allowlist import allow_mmengine_checkpoints

_WRAPPER_PREFIXES = ('module.',)


class CheckpointMismatchError(ValueError):
    """A checkpoint that leaves model weights uninitialised; the message names the keys."""


def _checkpoint_state(path: str) -> Dict[str, torch.Tensor]:
    allow_mmengine_checkpoints()  # global allow-list (a safe_globals() block would remove them on exit)
    content = torch.load(path, map_location='cpu', weights_only=True, mmap=True)
    state = content.get('state_dict', content) if isinstance(content, dict) else {}
    out = {}
    for key, value in state.items():
        if isinstance(value, torch.Tensor):
            for prefix in _WRAPPER_PREFIXES:
                if key.startswith(prefix):
                    key = key[len(prefix):]
            out[key] = value
    return out


def _short(keys: List[str], n: int = 8) -> str:
    return f'{keys[:n]}' + (f' and {len(keys) - n} more' if len(keys) > n else '')


def check_checkpoint_matches(model: nn.Module, path: str) -> None:
    """Raise :class:`CheckpointMismatchError` when ``path`` leaves weights of ``model`` uninitialised.

    Missing weights and shape mismatches are refused (they stay random); keys of the file the
    model does not have are named in the message but alone are not an error.
    """
    model = getattr(model, 'module', model)  # DDP wrappers
    expected = model.state_dict()
    state = _checkpoint_state(path)
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong_shape = [f'{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}' for k, v in expected.items()
                   if k in state and state[k].shape != v.shape]
    if not missing and not wrong_shape:
        return
    total = sum(v.numel() for v in expected.values())
    uncovered = sum(expected[k].numel() for k in missing) + sum(
        v.numel() for k, v in expected.items() if k in state and state[k].shape != v.shape)
    raise CheckpointMismatchError(
        f'{path} does not fit this config\'s model: {100 * uncovered / max(total, 1):.1f}% of its weights would stay '
        f'randomly initialised. Missing keys ({len(missing)}): {_short(missing)}; unexpected keys '
        f'({len(unexpected)}): {_short(unexpected)}' + (f'; shape mismatches: {_short(wrong_shape, 4)}'
                                                       if wrong_shape else '') +
        '. Check that the checkpoint was trained with this config, or pass --allow-partial to evaluate anyway.')
