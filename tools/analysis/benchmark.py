#!/usr/bin/env python
"""Whole-model inference speed (images per second) of a config, as OpenMMLab's ``benchmark.py``.

Runs the model's ``test_step`` (preprocessing, backbone, neck, head, post-processing) on the
config's test images, batch 1, and prints a table. Without CHECKPOINT the weights are random
(speed does not depend on them). A benchmark, not a test: numbers depend on the machine and load.

Example::

    .venv/bin/python tools/analysis/benchmark.py configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py \\
        --num-images 20 --cfg-options test_dataloader.dataset.data_root=data/demo
"""
import argparse
import os
import sys

from radio_dense.tools.tool_args import add_cfg_options, cfg_options_dict


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='mmseg or mmdet config')
    p.add_argument('checkpoint', nargs='?', help='weights (default: random initialisation)')
    p.add_argument('--num-images', type=int, default=50, help='timed images')
    p.add_argument('--warmup', type=int, default=3, help='untimed images first')
    p.add_argument('--device', help='cpu | cuda | cuda:N (default: cuda when available)')
    add_cfg_options(p, 'test_dataloader.dataset.data_root=data/demo')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch
    from mmengine.runner import Runner

    from radio_dense.openmmlab.config_model import build_model, load_config

    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    cfg = load_config(args.config, cfg_options_dict(args.cfg_options))
    model = build_model(cfg, args.checkpoint, device=device)
    loader_cfg = dict(cfg.test_dataloader, batch_size=1, num_workers=0, persistent_workers=False)
    loader = Runner.build_dataloader(loader_cfg)
    from radio_dense.analysis.timing import machine_line, markdown_table, time_ms
    needed = args.warmup + args.num_images
    times, shapes = [], set()
    with torch.no_grad():
        for index, data in enumerate(loader):
            if index >= needed:
                break
            ms = time_ms(lambda: model.test_step(data), device, 1, 0)
            if index >= args.warmup:
                times += ms
                shapes.add(tuple(data['inputs'][0].shape[-2:]))
    if not times:
        raise SystemExit(f'The test set has only {index + 1} images, all used for warm-up; lower --warmup')
    total = sum(times) / 1000
    weights = args.checkpoint or 'RANDOM WEIGHTS'
    print(f'\n{os.path.basename(args.config)} ({weights}), {device}; {machine_line()}')
    print(markdown_table([{'images': len(times), 'input sizes (HxW)': ', '.join(f'{h}x{w}' for h, w in sorted(shapes)),
                           'total s': round(total, 2), 'ms / image': round(1000 * total / len(times), 1),
                           'images / s': round(len(times) / total, 2)}]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
