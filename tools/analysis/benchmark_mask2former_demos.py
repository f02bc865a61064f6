#!/usr/bin/env python
"""Do the ViT-Adapter + Mask2Former demos learn? Train and evaluate them on the synthetic shapes set.

* semantic: the Mask2Former demo against the UPerNet demo at equal iterations (same data, crops,
  batch, optimizer and schedule: both are given the same warm-up + poly schedule), validation mIoU;
* panoptic: the panoptic Mask2Former demo, validation PQ, with the CPU minutes it took.

Each run is ``tools/train.py CONFIG`` in a subprocess (the project's real training path); the
metrics are read back from the run's mmengine scalar log. Prints a markdown table, writes it to
``WORK_DIR/results.md``. A benchmark, not a test: it takes many CPU minutes.

Example::

    nice -n 10 .venv/bin/python tools/analysis/benchmark_mask2former_demos.py --work-dir work_dirs/m2f_bench
"""
import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import time

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
DEMO = os.path.join(REPO, 'configs', 'demo')
SEMANTIC = os.path.join(DEMO, 'radio-tiny_adapter-mask2former_1xb4-300_synthetic-192x192.py')
PANOPTIC = os.path.join(DEMO, 'radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py')


def _baseline_config() -> str:
    found = sorted(glob.glob(os.path.join(DEMO, 'radio-tiny_upernet*synthetic-192x192.py'))
                   + glob.glob(os.path.join(DEMO, 'radio-tiny_upernet_1xb4-300_synthetic-192x192.py')))
    if not found:
        raise SystemExit(f'No UPerNet demo config (radio-tiny_upernet*synthetic-192x192.py) in {DEMO}')
    return found[0]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--work-dir', default='work_dirs/mask2former_demos', help='runs and results.md go here')
    p.add_argument('--data', default='data/demo', help='synthetic set (written with the demo settings if missing)')
    p.add_argument('--iters', type=int, default=300, help='iterations of both semantic runs')
    p.add_argument('--panoptic-iters', type=int, default=None, help='iterations of the panoptic run (default: config)')
    p.add_argument('--only', choices=['semantic', 'panoptic'], default=None, help='run one part only')
    p.add_argument('--baseline', default=None, help='UPerNet demo config (default: the one in configs/demo)')
    p.add_argument('--no-baseline', action='store_true', help='semantic: train only the Mask2Former demo')
    return p.parse_args(argv)


def ensure_data(root: str) -> None:
    if os.path.exists(os.path.join(root, 'annotations', 'panoptic_val.json')):
        return
    from radio_dense.data import write_demo_dataset
    print(f'writing the synthetic set to {root} (300 train / 60 val, 256 px, seed 0)', flush=True)
    write_demo_dataset(root, num_train=300, num_val=60, size=256, seed=0, progress=False)


def _data_options(config: str, root: str) -> list:
    root = os.path.abspath(root).rstrip('/') + '/'
    opts = [f'train_dataloader.dataset.data_root={root}', f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}']
    if 'panoptic' in os.path.basename(config):
        opts += [f'val_evaluator.ann_file={root}annotations/panoptic_val.json',
                 f'val_evaluator.seg_prefix={root}annotations/panoptic_val/',
                 f'test_evaluator.ann_file={root}annotations/panoptic_val.json',
                 f'test_evaluator.seg_prefix={root}annotations/panoptic_val/']
    return opts


def last_metrics(work_dir: str) -> dict:
    """The last logged validation metrics of a run (mmengine's vis_data/scalars.json)."""
    logs = sorted(glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise RuntimeError(f'no scalars.json under {work_dir}: did the run fail? See its log there.')
    metrics = {}
    with open(logs[-1]) as f:
        for line in f:
            row = json.loads(line)
            if 'loss' not in row:
                metrics = row
    return metrics


def train(config: str, work_dir: str, data: str, iters: int = None) -> dict:
    """Run tools/train.py on ``config``; returns wall/CPU minutes, iterations and final metrics."""
    opts = _data_options(config, data)
    if iters is not None:  # same schedule shape for every run: 10 % linear warm-up, then poly to 0 at `iters`
        warmup = max(iters // 10, 1)
        opts += [f'train_cfg.max_iters={iters}', f'param_scheduler.0.end={warmup}', f'param_scheduler.1.begin={warmup}',
                 f'param_scheduler.1.end={iters}']
    cmd = [sys.executable, os.path.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir,
           '--cfg-options', *opts]
    print('$', ' '.join(cmd), flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    with open(os.path.join(os.path.dirname(work_dir) or '.', os.path.basename(work_dir) + '.log'), 'w') as log:
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dict(config=os.path.basename(config), wall_min=(time.time() - start) / 60, cpu_min=cpu / 60,
                metrics=last_metrics(work_dir))


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.work_dir, exist_ok=True)
    ensure_data(args.data)
    rows = []
    if args.only in (None, 'semantic'):
        runs = [('ViT-Adapter + Mask2Former', SEMANTIC)]
        if not args.no_baseline:
            runs.insert(0, ('UPerNet', args.baseline or _baseline_config()))
        for name, config in runs:
            r = train(config, os.path.join(args.work_dir, 'semantic_' + name.split()[0].lower()), args.data, args.iters)
            rows.append((f'semantic: {name}', r, args.iters, f"mIoU {r['metrics'].get('mIoU', float('nan')):.2f}"))
    if args.only in (None, 'panoptic'):
        r = train(PANOPTIC, os.path.join(args.work_dir, 'panoptic'), args.data, args.panoptic_iters)
        pq = r['metrics'].get('coco_panoptic/PQ', float('nan'))
        rows.append(('panoptic: ViT-Adapter + Mask2Former', r, args.panoptic_iters or 'config', f'PQ {pq:.2f}'))
    from radio_dense.analysis.timing import machine_line
    lines = [f'At the end: {machine_line()}',
             '', '| run | config | iterations | result | wall min | CPU min |', '|---|---|---|---|---|---|']
    lines += [f"| {label} | {r['config']} | {iters} | {result} | {r['wall_min']:.1f} | {r['cpu_min']:.1f} |"
              for label, r, iters, result in rows]
    table = '\n'.join(lines)
    print(table)
    with open(os.path.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
