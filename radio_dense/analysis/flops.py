"""Parameter and FLOP counts of a forward pass, measured with ``torch.utils.flop_counter``.

FLOPs are counted by ``FlopCounterMode`` from the matrix multiplications actually dispatched
(1 multiply-add = 2 FLOPs), so windowing, padding and prefix tokens are all accounted for.
The count runs on the ``meta`` device (no compute, any resolution in a fraction of a second);
code that needs real values (e.g. ViTDet with padded windows selects tokens with ``nonzero``)
falls back to running on the CPU, where the fused attention kernel is counted with torch's
SDPA formula.
"""
import copy
from dataclasses import dataclass
from typing import Callable, Dict

import torch
from torch.utils.flop_counter import FlopCounterMode, sdpa_flop_count

# Matmul kinds by aten op: batched matmuls are attention (q@k, attn@v), the rest are linear layers.
_ATTENTION_OPS = ('bmm', 'baddbmm', '_scaled_dot_product')


@dataclass
class FlopCount:
    """Total FLOPs of one forward, split into attention matmuls and everything else (linear layers)."""

    total: int
    attention: int
    by_op: Dict[str, int]

    @property
    def linear(self) -> int:
        return self.total - self.attention


def count_parameters(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _cpu_sdpa_flops(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


def _custom_mapping() -> Dict:
    ops = {}
    for name in ('_scaled_dot_product_flash_attention_for_cpu',):
        op = getattr(torch.ops.aten, name, None)
        if op is not None:
            ops[op] = _cpu_sdpa_flops
    return ops


def _count(fn: Callable[[], object]) -> FlopCount:
    with torch.no_grad(), FlopCounterMode(display=False, custom_mapping=_custom_mapping()) as counter:
        fn()
    by_op = {str(k).split('.')[-1]: int(v) for k, v in counter.get_flop_counts().get('Global', {}).items()}
    attention = sum(v for k, v in by_op.items() if k.startswith(_ATTENTION_OPS))
    return FlopCount(int(counter.get_total_flops()), attention, by_op)


def count_flops(model: torch.nn.Module, input_shape, forward: Callable = None) -> FlopCount:
    """FLOPs of ``forward(model, x)`` (default ``model(x)``) for a random input of ``input_shape``.

    Tries a copy of ``model`` on the meta device first; falls back to running ``model`` on its own
    device when the forward needs real values.
    """
    forward = forward or (lambda m, x: m(x))
    try:
        meta = copy.deepcopy(model).to('meta')
        return _count(lambda: forward(meta, torch.rand(*input_shape, device='meta')))
    except Exception:  # data-dependent ops (nonzero), custom kernels without meta support, ...
        pass
    device = next(model.parameters()).device
    return _count(lambda: forward(model, torch.rand(*input_shape, device=device)))
