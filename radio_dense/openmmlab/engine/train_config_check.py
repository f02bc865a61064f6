"""Refuse training configs that cannot train, before the Runner builds anything.

``train_cfg.max_iters=0`` or ``-5`` used to exit 0 with nothing trained and no message, and
``train_dataloader.batch_size=10**12`` died in a bare ``MemoryError``. The loop length must be a positive
integer, and one batch of input images alone (``batch x 3 x H x W`` float32 at the config's crop) must fit
in this machine's memory (its RAM, or the GPU's when one is visible).
"""
from typing import Tuple

from mmengine.config import Config


class TrainConfigError(ValueError):
    """A training config that cannot train; the message says which option to change."""


def _machine_bytes() -> Tuple[int, str]:
    import torch
    if torch.cuda.is_available():
        return torch.cuda.get_device_properties(torch.cuda.current_device()).total_memory, 'GPU memory'
    try:
        import psutil
        return psutil.virtual_memory().total, 'RAM'
    except ImportError:
        import os
        return os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES'), 'RAM'


def _crop(cfg: Config) -> Tuple[int, int]:
    for size in (cfg.get('crop_size'), cfg.model.get('data_preprocessor', {}).get('size'), cfg.get('image_size')):
        if isinstance(size, (tuple, list)) and len(size) == 2 and all(isinstance(s, int) for s in size):
            return tuple(size)
    return (512, 512)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TrainConfigError(f'{name} must be a positive integer, got {value!r}: nothing would be trained')
    return value


def check_training_config(cfg: Config) -> None:
    """Loop length positive; one batch of input images within the machine's memory."""
    loop = cfg.get('train_cfg') or {}
    for key in ('max_iters', 'max_epochs'):
        if key in loop:
            _positive_int(loop[key], f'train_cfg.{key}')
    loader = cfg.get('train_dataloader') or {}
    if 'batch_size' not in loader:
        return
    batch = _positive_int(loader['batch_size'], 'train_dataloader.batch_size')
    h, w = _crop(cfg)
    need = batch * 3 * h * w * 4
    have, what = _machine_bytes()
    if need > have:
        raise TrainConfigError(
            f'train_dataloader.batch_size={batch}: one batch of {h}x{w} input images alone needs '
            f'{need / 2 ** 30:.3g} GiB, more than this machine\'s {have / 2 ** 30:.3g} GiB of {what} (activations '
            f'take many times more). Use a per-GPU batch of a few images (the configs\' NxbB names: B per GPU).')
