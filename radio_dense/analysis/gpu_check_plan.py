"""What a ``gpu_check`` run measures (:class:`CheckPlan`), shared by the check modules."""
from dataclasses import dataclass, field
from typing import Dict, Optional, Sequence

import torch

#: Dense bf16 / fp32 peak TFLOP/s used for MFU, by a substring of ``torch.cuda.get_device_name()``.
PEAK_TFLOPS = {
    'H200': {'bf16': 989.0, 'fp32': 67.0},
    'H100': {'bf16': 989.0, 'fp32': 67.0},
    'A100': {'bf16': 312.0, 'fp32': 19.5},
}


@dataclass
class CheckPlan:
    """What to run: full on a GPU, ``quick`` (tiny models, small inputs) for a CPU smoke test."""

    device: str
    archs: Sequence[str]
    sizes: Sequence[int]
    window: int
    repeats: int
    warmup: int
    fidelity_arch: str
    fidelity_size: int
    sam_encoders: Sequence[str]
    sam_resolution: int
    train_archs: Sequence[str] = ()
    train_size: int = 512
    train_steps: int = 3
    memory_archs: Sequence[str] = ()
    memory_size: int = 1024
    upstream: Optional[str] = None
    peak_tflops: Dict[str, float] = field(default_factory=dict)

    @classmethod
    def for_run(cls, device: str, quick: bool, upstream: Optional[str] = None,
                peak_tflops: Optional[float] = None) -> 'CheckPlan':
        if quick:
            plan = cls(device, ['radio-tiny'], [64, 128], 4, repeats=1, warmup=1, fidelity_arch='radio-tiny',
                       fidelity_size=96, sam_encoders=[], sam_resolution=256, train_archs=['radio-tiny'],
                       train_size=64, train_steps=2, memory_archs=['radio-tiny'], memory_size=128, upstream=upstream)
        else:
            plan = cls(device, ['vit-b-16', 'vit-l-16'], [512, 1024, 2048], 16, repeats=5, warmup=2,
                       fidelity_arch='vit-b-16', fidelity_size=512, sam_encoders=['vit_b', 'vit_h'],
                       sam_resolution=1024, train_archs=['vit-b-16', 'vit-l-16'], train_size=1024,
                       memory_archs=['vit-b-16', 'vit-l-16', 'vit-h-16', 'vit-g-14'], memory_size=1024,
                       upstream=upstream)
        plan.peak_tflops = device_peak_tflops(device)
        if peak_tflops:
            plan.peak_tflops = {'bf16': peak_tflops, 'fp32': peak_tflops}
        return plan


def device_peak_tflops(device: str) -> Dict[str, float]:
    if not device.startswith('cuda'):
        return {}
    name = torch.cuda.get_device_name(device)
    return next((v for k, v in PEAK_TFLOPS.items() if k in name), {})


def _mode(window: Optional[int]) -> str:
    return 'global' if window is None else f'vitdet {window}'
