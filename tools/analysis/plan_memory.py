#!/usr/bin/env python
"""Before launching a training: parameters, trunk GFLOPs at the config's crop and estimated peak memory per GPU
at its batch (weights, gradients, AdamW state, activations with and without with_cp, fp32 and bf16), and which
switches make it fit a GPU. Builds each model on the meta device: no weights, no download, seconds per config.
How the numbers are made: radio_dense/analysis/train_memory.py (trunk activations; heads not included).

Examples::

    python tools/analysis/plan_memory.py configs/radio_det/c-radio_v3-g_mask-rcnn_32xb2-lsj-100e_coco-1024.py
    python tools/analysis/plan_memory.py configs/radio_seg/*.py configs/radio_det/*.py --gpu-gb 40
"""
import argparse
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('configs', nargs='+', help='mmseg / mmdet config files')
    p.add_argument('--gpu-gb', type=float, default=80.0, help='memory of one GPU, GB (default 80)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.openmmlab.config_plan import markdown_table, plan_config
    plans = [plan_config(path) for path in args.configs]
    print(markdown_table(plans, args.gpu_gb))
    over = [p.config for p in plans if p.peak_gb() > args.gpu_gb]
    if over:
        print(f'\nOver {args.gpu_gb:.0f} GB as configured: ' + ', '.join(over), file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
