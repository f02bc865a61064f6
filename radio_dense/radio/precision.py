"""Precision choices shared by the models and the tools: ``--dtype fp32|bf16|fp16|auto``, autocast, TF32.

* :func:`resolve_dtype` turns a name into a torch dtype for a device. ``auto`` picks bf16 on a CUDA
  GPU that supports it and on a CPU with native bf16 (AVX512-BF16 or AMX, read from
  ``/proc/cpuinfo``), float32 elsewhere: on a CPU without them bf16 is emulated and slower than fp32.
* :func:`autocast` is ``torch.autocast`` for a device and dtype, a no-op for float32.
* :func:`run_in_fp32` runs a function on float32 inputs with autocast off (for kernels that have
  no bf16 implementation, such as mmcv's RoIAlign and deformable attention).
* :func:`enable_tf32` lets fp32 matmuls and convolutions use TF32 tensor cores (the tools call it).
"""
import contextlib
from functools import lru_cache
from typing import Callable, Optional, Union

import torch

DTYPES = {'fp32': torch.float32, 'bf16': torch.bfloat16, 'fp16': torch.float16}
DTYPE_CHOICES = ('fp32', 'bf16', 'fp16', 'auto')
#: /proc/cpuinfo flags of CPUs that compute bf16 natively (AVX512-BF16 dot products, AMX tiles)
NATIVE_BF16_FLAGS = ('avx512_bf16', 'amx_bf16')


def cpu_has_native_bf16(cpuinfo: Optional[str] = None) -> bool:
    """Whether this CPU (or the given ``/proc/cpuinfo`` text) has AVX512-BF16 or AMX-BF16."""
    if cpuinfo is None:
        return _cpu_flags_native_bf16()
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith('flags'):
            flags.update(line.split(':', 1)[-1].split())
    return any(f in flags for f in NATIVE_BF16_FLAGS)


@lru_cache(maxsize=1)
def _cpu_flags_native_bf16() -> bool:
    try:
        with open('/proc/cpuinfo') as f:
            return cpu_has_native_bf16(f.read())
    except OSError:  # not Linux: ask torch's CPU capability instead
        return 'AMX' in str(getattr(torch.backends.cpu, 'get_cpu_capability', lambda: '')())


def resolve_dtype(name: Union[str, torch.dtype, None], device: Union[str, torch.device] = 'cpu') -> torch.dtype:
    """``'fp32' | 'bf16' | 'fp16' | 'auto'`` (or a torch dtype, or ``None`` = fp32) -> the compute dtype on ``device``."""
    if name is None:
        return torch.float32
    if isinstance(name, torch.dtype):
        if name not in DTYPES.values():
            raise ValueError(f'Unsupported dtype {name}; use one of {DTYPE_CHOICES}')
        return name
    if name not in DTYPE_CHOICES:
        raise ValueError(f'Unsupported dtype {name!r}; use one of {DTYPE_CHOICES}')
    if name != 'auto':
        return DTYPES[name]
    device = torch.device(device)
    if device.type == 'cuda':
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    if device.type == 'cpu':
        return torch.bfloat16 if cpu_has_native_bf16() else torch.float32
    return torch.float32


def dtype_name(dtype: torch.dtype) -> str:
    return next(k for k, v in DTYPES.items() if v == dtype)


def autocast(device: Union[str, torch.device], dtype: Optional[torch.dtype]):
    """``torch.autocast`` on ``device``'s type with ``dtype``; a null context for float32 / ``None``."""
    if dtype is None or dtype == torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)


def precision_scope(device: Union[str, torch.device], name: Union[str, torch.dtype, None]):
    """A module's own precision: ``None`` keeps the caller's (e.g. AMP training's autocast), ``'fp32'``
    turns autocast off inside, ``'bf16'`` / ``'fp16'`` / ``'auto'`` autocast with that dtype."""
    if name is None:
        return contextlib.nullcontext()
    device = torch.device(device)
    dtype = resolve_dtype(name, device)
    if dtype == torch.float32:
        return torch.autocast(device.type, enabled=False)
    return torch.autocast(device.type, dtype=dtype)


def run_in_fp32(fn: Callable, *args, **kwargs):
    """``fn(*args, **kwargs)`` with reduced-precision float tensors cast to float32 and autocast off.

    For kernels without bf16 (or fp16) implementations; returns float32. Under no autocast and with
    float32 inputs this is a plain call.
    """
    tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
    device_type = tensors[0].device.type if tensors else 'cpu'

    def cast(a):
        if isinstance(a, torch.Tensor) and a.is_floating_point() and a.dtype != torch.float32:
            return a.float()
        return a

    if not torch.is_autocast_enabled(device_type) and all(cast(t) is t for t in tensors):
        return fn(*args, **kwargs)
    with torch.autocast(device_type, enabled=False):
        return fn(*[cast(a) for a in args], **{k: cast(v) for k, v in kwargs.items()})


def enable_tf32(enabled: bool = True) -> None:
    """Let float32 matmuls and cuDNN convolutions use TF32 on Ampere+ GPUs (no effect on CPU)."""
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled


@contextlib.contextmanager
def strict_fp32():
    """TF32 off inside (exact float32 comparisons), restored after."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    enable_tf32(False)
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved
