"""Worker process of :func:`radio_dense.analysis.benchmark.probe_cpu_memory`.

``python -m radio_dense.analysis.memory_probe '<json spec>'`` builds each model once and prints
one JSON line ``[[impl, window, size, peak MiB], ...]``. Start it with
``MALLOC_MMAP_THRESHOLD_=65536`` (the caller does) so that the resident set follows live memory.
"""
import json
import sys

import torch

from .benchmark import build, cpu_peak_rss_mb


def main(argv=None) -> int:
    spec = json.loads((argv or sys.argv[1:])[0])
    if spec.get('threads'):
        torch.set_num_threads(int(spec['threads']))
    models = {}
    results = []
    for impl, window, size in spec['configs']:
        key = (impl, window)
        if key not in models:
            models.clear()  # one model at a time: keep the baseline small
            models[key] = build(impl, spec['checkpoint'], window, 'cpu', spec.get('upstream'))
        x = torch.rand(spec.get('batch', 1), 3, size, size)
        model = models[key]
        results.append([impl, window, size, cpu_peak_rss_mb(lambda: model(x))])
    print(json.dumps(results))
    return 0


if __name__ == '__main__':
    sys.exit(main())
