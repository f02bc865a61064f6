"""Worker process of :func:`radio_dense.analysis.benchmark.probe_cpu_memory`.

``python -m radio_dense.analysis.memory_probe '<json spec>'`` builds each model once and prints
one JSON line ``[[impl, window, size, peak MiB], ...]``. Start it with
``MALLOC_MMAP_THRESHOLD_=65536`` (the caller does) so that the resident set follows live memory.
"""
import json
import sys

import torch

from .benchmark import build, cpu_peak_rss_mb


def _warm_up(model: torch.nn.Module, window) -> None:
    """One small forward, so one-off process costs (thread pools, kernel caches) don't count."""
    side = model.patch_size * (window or 4)
    with torch.no_grad():
        model(torch.rand(1, 3, side, side))


def main(argv=None) -> int:
    spec = json.loads((argv or sys.argv[1:])[0])
    if spec.get('threads'):
        torch.set_num_threads(int(spec['threads']))
    batch = spec.get('batch', 1)
    cache = {}

    def model_for(impl, window):
        if (impl, window) not in cache:
            cache.clear()  # one model at a time: keep the baseline small
            cache[(impl, window)] = build(impl, spec['checkpoint'], window, 'cpu', spec.get('upstream'))
            _warm_up(cache[(impl, window)], window)
        return cache[(impl, window)]

    # prime the process with one unmeasured full-size forward: the first large forward of a process
    # also grows glibc's per-thread arenas and kernel caches, which later forwards reuse
    impl, window, size = spec['configs'][0]
    with torch.no_grad():
        model_for(impl, window)(torch.rand(batch, 3, size, size))
    results = []
    for impl, window, size in spec['configs']:
        model = model_for(impl, window)
        x = torch.rand(batch, 3, size, size)
        results.append([impl, window, size, cpu_peak_rss_mb(lambda: model(x))])
    print(json.dumps(results))
    return 0


if __name__ == '__main__':
    sys.exit(main())
