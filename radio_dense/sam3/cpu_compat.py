"""Run sam3 0.1.4's geometry encoder on machines without an accelerator.

``SequenceGeometryEncoder._encode_boxes`` moves a 4-number scale tensor with
``.pin_memory().to(device, non_blocking=True)``; ``pin_memory`` raises on a machine without
CUDA, and every prompt (text too: the empty box list is encoded) reaches that line. Pinning has
no use there, so while the encoder runs on such a machine ``Tensor.pin_memory`` returns the
tensor itself. With an accelerator nothing changes.
"""
import functools
import threading
from typing import Callable

import torch
from torch import nn

_lock = threading.RLock()
_depth = 0
_original_pin_memory = torch.Tensor.pin_memory


def _accelerator_available() -> bool:
    accelerator = getattr(torch, 'accelerator', None)
    if accelerator is not None and hasattr(accelerator, 'is_available'):
        return bool(accelerator.is_available())
    return torch.cuda.is_available()


def _no_pin(tensor: torch.Tensor, *args, **kwargs) -> torch.Tensor:
    return tensor


class pinning_is_a_no_op:  # noqa: N801 - used as a context manager, like torch.no_grad
    """Within this block, without an accelerator, ``Tensor.pin_memory()`` returns the tensor unchanged."""

    def __enter__(self) -> None:
        global _depth
        if _accelerator_available():
            return
        with _lock:
            if _depth == 0:
                torch.Tensor.pin_memory = _no_pin
            _depth += 1
        self._entered = True

    def __exit__(self, *exc) -> None:
        global _depth
        if not getattr(self, '_entered', False):
            return
        with _lock:
            _depth -= 1
            if _depth == 0:
                torch.Tensor.pin_memory = _original_pin_memory


def make_cpu_safe(geometry_encoder: nn.Module) -> nn.Module:
    """Wrap this encoder's ``forward`` (this instance only) in :class:`pinning_is_a_no_op`."""
    forward: Callable = geometry_encoder.forward
    if getattr(forward, '_cpu_safe', False):
        return geometry_encoder

    @functools.wraps(forward)
    def cpu_safe_forward(*args, **kwargs):
        with pinning_is_a_no_op():
            return forward(*args, **kwargs)

    cpu_safe_forward._cpu_safe = True
    geometry_encoder.forward = cpu_safe_forward
    return geometry_encoder
