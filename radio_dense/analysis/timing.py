"""Timing on CPU or GPU: wall-clock milliseconds of a call, with the device synchronised around it."""
import time
from typing import Callable, List

import torch


def synchronize(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)


def time_ms(fn: Callable[[], object], device: str, repeats: int, warmup: int) -> List[float]:
    """Wall times (ms) of ``repeats`` calls after ``warmup`` calls, synchronising the device."""
    for _ in range(warmup):
        fn()
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append((time.perf_counter() - start) * 1000)
    return times
