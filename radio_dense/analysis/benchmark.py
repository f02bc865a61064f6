"""Backbone benchmarks' models (ours and upstream NVlabs/RADIO's) and their peak memory.

Latency is measured with the project's timing engine (:mod:`radio_dense.analysis.timing`).

Peak memory:

* CUDA: ``torch.cuda.max_memory_allocated`` during one forward, minus what was allocated
  before it (tensor memory held by the caching allocator; weights and input excluded).
* CPU: the increase of the process's peak resident set size (Linux ``VmHWM``, reset through
  ``/proc/self/clear_refs``) during one forward, i.e. activation memory at page granularity.
  It is measured in a separate process (:mod:`radio_dense.analysis.memory_probe`) started with
  ``MALLOC_MMAP_THRESHOLD_=65536``, so that glibc maps every allocation of 64 KiB or more
  directly and unmaps it on free: the resident set then follows live tensor memory instead of
  memory glibc keeps cached from earlier forwards.
"""
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch

from ..radio import load_radio

REPO_ROOT = Path(__file__).resolve().parents[2]
_MMAP_THRESHOLD = '65536'


# ----- models -----
def build_ours(checkpoint: str, window: Optional[int], device: str = 'cpu') -> torch.nn.Module:
    """Our model from a torch.hub checkpoint, global (``window=None``) or ViTDet."""
    return load_radio(checkpoint, vitdet_window_size=window, progress=False).to(device).eval()


def import_upstream(upstream_dir: str) -> Callable:
    """``hubconf.radio_model`` of a NVlabs/RADIO checkout (needs einops)."""
    hubconf = Path(upstream_dir) / 'hubconf.py'
    if not hubconf.is_file():
        raise FileNotFoundError(f'{upstream_dir} is not a NVlabs/RADIO checkout (no hubconf.py); pass --upstream '
                                f'with the folder of `git clone https://github.com/NVlabs/RADIO`')
    if str(Path(upstream_dir).resolve()) not in sys.path:
        sys.path.insert(0, str(Path(upstream_dir).resolve()))
    try:
        import hubconf as upstream_hubconf  # noqa: WPS433
    except ImportError as err:
        raise ImportError(f'Could not import upstream RADIO from {upstream_dir}: {err}. It needs einops: '
                          f'pip install einops') from err
    return upstream_hubconf.radio_model


def build_upstream(upstream_dir: str, checkpoint: str, window: Optional[int], device: str = 'cpu') -> torch.nn.Module:
    """Upstream's model from the same checkpoint file (its loader unpickles the file we wrote)."""
    import warnings
    radio_model = import_upstream(upstream_dir)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        model = radio_model(version=checkpoint, progress=False, vitdet_window_size=window)
    return model.to(device).eval()


def build(impl: str, checkpoint: str, window: Optional[int], device: str = 'cpu',
          upstream_dir: Optional[str] = None) -> torch.nn.Module:
    if impl == 'ours':
        return build_ours(checkpoint, window, device)
    if impl == 'upstream':
        return build_upstream(upstream_dir, checkpoint, window, device)
    raise ValueError(f"impl must be 'ours' or 'upstream', got {impl!r}")


def summary_and_features(output) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(summary, features)`` of a forward output of either implementation (no adaptors)."""
    if isinstance(output, dict):
        output = output['backbone']
    return output[0], output[1]


def max_abs_diff(a, b) -> float:
    """Largest absolute difference between two forward outputs (summary and features)."""
    return max((x.float() - y.float()).abs().max().item()
               for x, y in zip(summary_and_features(a), summary_and_features(b)))


# ----- memory -----
def _status_kb(field: str) -> int:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise RuntimeError(f'{field} not in /proc/self/status')


def cpu_peak_rss_mb(fn: Callable[[], object]) -> float:
    """Increase of the peak resident set (MiB) while ``fn`` runs (Linux only).

    Memory the process freed earlier but still holds is reused without raising the peak: measure in a fresh
    process (as :func:`probe_cpu_memory` does)."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')  # reset VmHWM to the current VmRSS
    before = _status_kb('VmRSS')
    with torch.no_grad():
        fn()
    return (_status_kb('VmHWM') - before) / 1024


def cuda_peak_mb(fn: Callable[[], object], device: str) -> float:
    """Peak CUDA tensor memory (MiB) allocated by ``fn`` beyond what was allocated before."""
    torch.cuda.synchronize(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    with torch.no_grad():
        fn()
    torch.cuda.synchronize(device)
    return (torch.cuda.max_memory_allocated(device) - before) / 2 ** 20


def cpu_rss_supported() -> bool:
    return sys.platform.startswith('linux') and os.access('/proc/self/clear_refs', os.W_OK)


def probe_cpu_memory(checkpoint: str, configs: Sequence[Tuple[str, Optional[int], int]], batch: int = 1,
                     upstream_dir: Optional[str] = None, threads: Optional[int] = None,
                     timeout: Optional[float] = None) -> Dict[Tuple[str, Optional[int], int], float]:
    """CPU peak memory (MiB) of one forward per ``(impl, window, size)``, measured in a fresh process."""
    if not cpu_rss_supported():
        return {}
    spec = {'checkpoint': checkpoint, 'configs': [list(c) for c in configs], 'batch': batch,
            'upstream': upstream_dir, 'threads': threads}
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_=_MMAP_THRESHOLD,
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get('PYTHONPATH')])))
    proc = subprocess.run([sys.executable, '-m', 'radio_dense.analysis.memory_probe', json.dumps(spec)],
                          env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f'memory probe failed:\n{proc.stderr[-2000:]}')
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {(impl, window, size): mb for impl, window, size, mb in result}
