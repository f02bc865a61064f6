"""Refuse to evaluate a checkpoint that does not fit the model (it would test random weights).

mmengine loads checkpoints non-strictly and only logs "do not match exactly", so a wrong file
(another architecture, a classification model) gives a random model's metrics and exit code 0.
"""
from typing import Dict, List

import torch
from torch import nn

from .training_checkpoint import read_training_checkpoint, training_state_dict


class CheckpointMismatchError(ValueError):
    """A checkpoint that leaves model weights uninitialised; the message names the keys."""


def _short(keys: List[str], n: int = 8) -> str:
    return f'{keys[:n]}' + (f' and {len(keys) - n} more' if len(keys) > n else '')


def check_checkpoint_matches(model: nn.Module, path: str) -> None:
    """Raise :class:`CheckpointMismatchError` when ``path`` leaves weights of ``model`` uninitialised.

    Missing weights and shape mismatches are refused (they stay random); keys of the file the
    model does not have are named in the message but alone are not an error.
    """
    model = getattr(model, 'module', model)  # DDP wrappers
    expected = model.state_dict()
    state = training_state_dict(read_training_checkpoint(path, mmap=True))
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
