#!/usr/bin/env python
"""Train an mmsegmentation / mmdetection / radio_dense config with mmengine's Runner.

The codebase (mmseg or mmdet) is taken from the config's ``default_scope``. When
``--cfg-options`` changes ``train_cfg.max_iters`` (or ``max_epochs``), the learning-rate schedule
is stretched to the new length (a log line says so; ``--no-rescale-schedule`` keeps it as written).

Examples::

    .venv/bin/python tools/train.py configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py --work-dir work_dirs/demo
    .venv/bin/python tools/train.py CONFIG --resume                  # continue from the last checkpoint
    .venv/bin/python tools/train.py CONFIG --auto-scale-lr           # lr scaled to your total batch size
"""
import argparse
import os

from radio_dense.tools.tool_args import parse_runner_args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='resume from the latest checkpoint in the work dir (no value) or from the given checkpoint')
    parser.add_argument('--amp', nargs='?', const='fp16', choices=['fp16', 'bf16'], default=None,
                        help='mixed precision training: fp16 (the default of a bare --amp; CUDA, dynamic loss '
                             "scaling, mmengine's AmpOptimWrapper) or bf16 (CUDA: AmpOptimWrapper(dtype='bfloat16'); "
                             'also on a CPU, fastest with AVX512-BF16/AMX)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help="scale the learning rate linearly with the total batch size (GPUs x batch per GPU) "
                             "relative to the config's auto_scale_lr.base_batch_size")
    parser.add_argument('--no-rescale-schedule', dest='rescale_schedule', action='store_false',
                        help='keep the schedulers as written when --cfg-options changes max_iters / max_epochs')
    return parse_runner_args(parser, argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    from radio_dense.openmmlab.engine.work_dir_lock import LOCK_NAME, release_work_dir
    from radio_dense.tools.common.runner import build_runner_or_exit
    runner = build_runner_or_exit(args, 'train')  # takes the work_dir's lock: one training run per work_dir
    try:
        runner.train()
    finally:
        release_work_dir(os.path.join(runner.work_dir, LOCK_NAME))


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    raise SystemExit(run_main(main))
