#!/usr/bin/env python
"""Start-up times: ``import`` of the package (and what it pulls in) and ``--help`` of every tool.

Each command runs in a fresh interpreter ``--repeats`` times; the table shows the median and
the fastest wall time (seconds). Targets: every tool's ``--help`` under 3 s (tools parse their
arguments before importing torch / OpenMMLab). A benchmark, not a test: times depend on the
machine and its load, which the table header states.

Example::

    .venv/bin/python tools/analysis/benchmark_startup.py --repeats 3
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

TOOLS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_DIR = os.path.dirname(TOOLS_DIR)
IMPORTS = {
    'import torch': 'import torch',
    'import torch, timm': 'import torch, timm',
    'import radio_dense': 'import radio_dense',
    'import radio_dense.openmmlab (OpenMMLab glue)': 'import radio_dense.openmmlab',
    'import radio_dense.sam': 'import radio_dense.sam',
}
NOT_TOOLS = {'tool_args.py', '__init__.py'}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--repeats', type=int, default=3, help='runs per command')
    p.add_argument('--target', type=float, default=3.0, help='seconds a tool --help may take')
    p.add_argument('--skip-imports', action='store_true', help='only the tools')
    return p.parse_args(argv)


def list_tools():
    found = []
    for folder, _, files in os.walk(TOOLS_DIR):
        found += [os.path.join(folder, f) for f in files if f.endswith('.py') and f not in NOT_TOOLS]
    return sorted(found)


def wall_times(cmd, repeats: int):
    """Median and fastest wall time (s) of ``cmd`` in a fresh process, run from the repository."""
    from radio_dense.analysis.timing import median, wall_seconds
    env = dict(os.environ, PYTHONPATH=REPO_DIR + os.pathsep + os.environ.get('PYTHONPATH', ''))
    times = wall_seconds(cmd, repeats, cwd=REPO_DIR, env=env)
    return median(times), min(times)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.analysis.timing import machine_line
    print(f'Python {sys.version.split()[0]}, {machine_line()}; median and fastest of {args.repeats} runs\n')
    print('| command | median s | fastest s | target |')
    print('|---|---:|---:|---|')
    if not args.skip_imports:
        for name, code in IMPORTS.items():
            median, fastest = wall_times([sys.executable, '-c', code], args.repeats)
            print(f'| `{name}` | {median:.2f} | {fastest:.2f} | |', flush=True)
    slow = []
    for path in list_tools():
        median, fastest = wall_times([sys.executable, path, '--help'], args.repeats)
        ok = median < args.target
        slow += [] if ok else [os.path.relpath(path, REPO_DIR)]
        print(f'| `{os.path.relpath(path, REPO_DIR)} --help` | {median:.2f} | {fastest:.2f} | '
              f'{"ok" if ok else "SLOW"} (< {args.target:g} s) |', flush=True)
    print(f'\n{"all tools answer --help within the target" if not slow else f"slower than the target: {slow}"}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
