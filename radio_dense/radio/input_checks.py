"""Checks that turn careless model inputs into named errors instead of silently wrong outputs.

Decision on ``uint8`` images: they are accepted and rescaled by ``1/255`` (``0..255`` pixels are
what every image reader returns, and there is only one sensible meaning). ``float64`` and ``bool``
images are refused: a float64 tensor usually means a numpy array that was not converted, and a
bool tensor is a mask, not an image.
"""
import operator
import os
from typing import Optional

import torch


def prepare_images(x: torch.Tensor, dtype: Optional[torch.dtype] = None) -> torch.Tensor:
    """Images ``(B, 3, H, W)`` as the model's floating dtype: uint8 rescaled to ``[0, 1]``, others checked.

    Raises ``TypeError`` for float64, bool and other integer dtypes and ``ValueError`` for
    non-finite values.
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f'RADIO expects a torch.Tensor of images (B, 3, H, W) in [0, 1], got {type(x).__name__}')
    if x.dtype == torch.uint8:
        x = x.to(dtype or torch.float32) / 255.0
    elif x.dtype == torch.float64:
        raise TypeError('RADIO got float64 images; convert them with x.float() (values in [0, 1]).')
    elif x.dtype == torch.bool:
        raise TypeError('RADIO got a bool tensor (a mask?); images are float in [0, 1] or uint8 in [0, 255].')
    elif not x.is_floating_point():
        raise TypeError(f'RADIO got {x.dtype} images; pass float images in [0, 1] or uint8 in [0, 255].')
    check_finite(x, 'the input images')
    return x


#: ``RADIO_DENSE_CHECK_FINITE``: 'auto' (default: check CPU tensors only), 'always' or 'never'.
CHECK_FINITE_ENV = 'RADIO_DENSE_CHECK_FINITE'


def finite_checks_on(x: torch.Tensor) -> bool:
    """Whether :func:`check_finite` inspects ``x``: CPU tensors by default; GPU tensors only when asked
    (``RADIO_DENSE_CHECK_FINITE=always``), since reading the answer back waits for the GPU every forward."""
    mode = os.environ.get(CHECK_FINITE_ENV, 'auto').lower()
    if mode not in ('auto', 'always', 'never'):
        raise ValueError(f"{CHECK_FINITE_ENV} must be 'auto', 'always' or 'never', got {mode!r}")
    if mode == 'auto':
        return x.device.type == 'cpu'
    return mode == 'always'


def check_finite(x: torch.Tensor, what: str) -> None:
    """``ValueError`` naming ``what`` when ``x`` holds NaN or infinity (not checked inside an exported
    graph, nor on a GPU unless ``RADIO_DENSE_CHECK_FINITE=always``: see :func:`finite_checks_on`)."""
    if torch.compiler.is_exporting() or not finite_checks_on(x):  # graphs cannot branch on data
        return
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        bad = int((~torch.isfinite(x)).sum())
        raise ValueError(f'{what} contain {bad} NaN/inf value(s) of {x.numel()}; the outputs would be NaN. '
                         f'Check the data (a division by zero, a failed read?) before calling the model.')


def check_batch(x: torch.Tensor, who: str) -> None:
    """``ValueError`` for an empty batch (nothing to compute; a bug in the caller's batching)."""
    if x.shape[0] == 0:
        raise ValueError(f'{who} got an empty batch {tuple(x.shape)}: pass at least one image.')


def as_block_index(value, what: str = 'indices') -> int:
    """An integer block index (numpy/torch integers accepted); ``TypeError`` for floats and others."""
    if isinstance(value, bool):
        raise TypeError(f'{what} must hold integers, got {value!r}')
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f'{what} must hold integer block indices (e.g. [3, 7, 11] or -1), got {value!r} '
                        f'of type {type(value).__name__}') from None


def window_size_in_patches(window_size) -> int:
    """A ViTDet window size as a positive int; refuses 2.5, '4', True and others instead of rounding."""
    if isinstance(window_size, bool):
        raise TypeError(f'vitdet_window_size must be a positive integer number of patches, got {window_size!r}')
    try:
        size = operator.index(window_size)
    except TypeError:
        if not (isinstance(window_size, float) and window_size.is_integer()):
            raise ValueError(f'vitdet_window_size must be a whole number of patches (e.g. 8, 14 or 16), got '
                             f'{window_size!r}') from None
        size = int(window_size)
    if size < 1:
        raise ValueError(f'vitdet_window_size must be a positive number of patches, got {window_size!r}')
    return size
