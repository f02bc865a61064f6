"""The one timing engine of the project: wall-clock timing on CPU or GPU, interleaved comparisons, the
machine's load, per-op profiles and result tables.

Every benchmark tool (``tools/analysis/benchmark_*.py``) and ``gpu_check`` time through it, so a fix
(a missing device synchronisation, a warm-up) is made once. Times are in milliseconds.
"""
import math
import os
import statistics
import subprocess
import time
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import torch


def synchronize(device: str) -> None:
    """Wait for the device's queued work (no-op on CPU)."""
    if str(device).startswith('cuda'):
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


class stopwatch:
    """``with stopwatch(device) as watch: ...`` then ``watch.ms``: wall time of a block, device synchronised."""

    def __init__(self, device: str = 'cpu'):
        self.device, self.ms = str(device), 0.0

    def __enter__(self) -> 'stopwatch':
        synchronize(self.device)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        synchronize(self.device)
        self.ms = (time.perf_counter() - self._start) * 1000


def interleaved_ms(fns: Mapping[str, Callable[[], object]], repeats: int, device: str = 'cpu',
                   warmup: int = 1) -> Tuple[Dict[str, List[float]], Dict[str, object]]:
    """Run each function ``warmup`` times, then ``repeats`` rounds of one run each, in turn (A, B, A, B...),
    so that load changes on a shared machine hit all of them alike.

    Returns ``({name: [ms per run]}, {name: output of its first warm-up run})``.
    """
    outputs, times = {}, {name: [] for name in fns}
    with torch.no_grad():
        for name, fn in fns.items():
            for i in range(warmup):
                out = fn()
                if i == 0:
                    outputs[name] = out
            synchronize(device)
        for _ in range(repeats):
            for name, fn in fns.items():
                times[name] += time_ms(fn, device, 1, 0)
    return times, outputs


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def wall_seconds(cmd: Sequence[str], repeats: int, **run_kwargs) -> List[float]:
    """Wall times (s) of ``repeats`` runs of a command in a fresh process; a failing run raises ``SystemExit``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(list(cmd), capture_output=True, text=True, **run_kwargs)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f'{" ".join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}')
    return times


def load_average() -> Tuple[float, float, float]:
    """The 1 / 5 / 15 minute load average (NaN where the platform has none)."""
    return os.getloadavg() if hasattr(os, 'getloadavg') else (math.nan,) * 3


def machine_line() -> str:
    """One line for a benchmark's header: CPUs, torch threads and load, so numbers are read in context."""
    load = load_average()
    return (f'{os.cpu_count()} CPUs, torch {torch.__version__} with {torch.get_num_threads()} threads, '
            f'load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)')


def profile_ops(fn: Callable[[], object], device: str = 'cpu') -> Dict[str, Tuple[float, int]]:
    """Self time (ms) and call count of every aten op in one run of ``fn`` (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if str(device).startswith('cuda') else [])
    with torch.no_grad(), profile(activities=activities) as prof:
        fn()
        synchronize(device)
    attr = 'self_device_time_total' if str(device).startswith('cuda') else 'self_cpu_time_total'
    return {e.key: (getattr(e, attr) / 1000, e.count) for e in prof.key_averages()}


# ----- tables ------------------------------------------------------------------------------------
def format_cell(value) -> str:
    """Numbers with 3 significant decimals at most, ``-`` for missing values."""
    if isinstance(value, bool) or value is None:
        return '-' if value is None else str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'nan'
        return f'{value:.3g}' if value and (abs(value) < 1e-2 or abs(value) >= 1e4) else \
            f'{value:.3f}'.rstrip('0').rstrip('.')
    return str(value)


def markdown_table(rows: Sequence[Mapping], columns: Optional[Sequence[str]] = None,
                   headers: Optional[Sequence[str]] = None) -> str:
    """A markdown table of ``rows`` (dicts): ``columns`` (default: every key, first-seen order) titled
    ``headers`` (default: the keys)."""
    columns = list(columns or dict.fromkeys(k for r in rows for k in r))
    headers = list(headers or columns)
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(format_cell(r.get(c)) for c in columns) + ' |' for r in rows]
    return '\n'.join(lines)
