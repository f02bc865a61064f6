"""bf16 mixed-precision training on CPUs (``tools/train.py --amp bf16`` without a GPU).

mmengine's ``AmpOptimWrapper`` refuses to start without a GPU. bf16 needs no loss scaling, so on a
CPU autocast around the forward is all mixed precision takes; on a CPU with AVX512-BF16 / AMX it is
several times faster than fp32 (docs/benchmarks.md). On CUDA use ``AmpOptimWrapper(dtype='bfloat16')``.
"""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS
from torch import nn


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """:class:`mmengine.optim.OptimWrapper` whose forward runs under ``torch.autocast`` with ``dtype``
    on the model's device type (no loss scaler: meant for bfloat16)."""

    def __init__(self, dtype: str = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        if dtype not in ('bfloat16', 'float16'):
            raise ValueError(f"CPUAutocastOptimWrapper dtype must be 'bfloat16' or 'float16', got {dtype!r}")
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model: nn.Module):
        device = next((p.device.type for p in model.parameters()), 'cpu')
        with super().optim_context(model), torch.autocast(device, dtype=self.cast_dtype):
            yield
