"""mmcv ops that have no bfloat16 kernels run in float32 inside bf16 autocast.

mmcv 2.1's compiled RoIAlign and NMS (CPU and CUDA) and the CUDA MultiScaleDeformableAttention
kernel dispatch float32/float64/float16 only (and the CPU deformable attention, grid_sample on bf16
values, loses the sampling positions' precision), so under ``torch.autocast(dtype=torch.bfloat16)`` (mmengine's
``AmpOptimWrapper(dtype='bfloat16')``, ``--amp bf16``) a Mask R-CNN RoI head or a ViT-Adapter /
Mask2Former deformable attention fails at its first call. :func:`patch_mmcv_ops_precision` wraps
the functions the mmcv modules call: with any bf16 tensor argument they run on float32 copies
with autocast off and return in the input's dtype. float32 and float16 calls are untouched.

Applied once when :mod:`radio_dense.openmmlab` is imported (it affects every mmcv module,
including the ones mmdet builds itself, e.g. Mask2Former's pixel decoder).
"""
import functools
import importlib
from typing import Callable

import torch

from ...radio.precision import run_in_fp32


def fp32_for_bf16(fn: Callable) -> Callable:
    """``fn`` that runs in float32 when an argument is a bfloat16 tensor (output back in bfloat16)."""
    if getattr(fn, '_fp32_for_bf16', False):
        return fn

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
        if not any(t.dtype == torch.bfloat16 for t in tensors):
            return fn(*args, **kwargs)
        out_dtype = next(t.dtype for t in tensors if t.is_floating_point())
        out = run_in_fp32(fn, *args, **kwargs)
        return out.to(out_dtype) if isinstance(out, torch.Tensor) and out.is_floating_point() else out

    wrapper._fp32_for_bf16 = True
    return wrapper


#: (module, name) of what mmcv's modules call: a function, or an autograd Function whose ``apply`` is called
PATCHED = (('mmcv.ops.roi_align', 'roi_align'), ('mmcv.ops.multi_scale_deform_attn', 'MultiScaleDeformableAttnFunction'),
           ('mmcv.ops.multi_scale_deform_attn', 'multi_scale_deformable_attn_pytorch'), ('mmcv.ops.nms', 'NMSop'))


def patch_mmcv_ops_precision() -> None:
    """Make mmcv's RoIAlign, NMS and CUDA deformable attention run in float32 on bf16 inputs (idempotent)."""
    for module_name, name in PATCHED:
        module = importlib.import_module(module_name)  # the module: mmcv.ops re-exports functions under these names
        target = getattr(module, name)
        if getattr(target, '_fp32_for_bf16', False):
            continue
        if isinstance(target, type):  # stand-in class: mmcv only calls Function.apply
            target = type(name, (), {'apply': staticmethod(fp32_for_bf16(target.apply)), 'original': target,
                                     '_fp32_for_bf16': True})
        else:
            target = fp32_for_bf16(target)
        setattr(module, name, target)
