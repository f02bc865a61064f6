"""Train an mmsegmentation / mmdetection / radio_dense config with mmengine's Runner.

The codebase (mmseg or mmdet) is taken from the config's ``default_scope``.

Example:
    python tools/train.py configs/demo/radio-tiny_fpn_synthetic-192x192.py --work-dir work_dirs/demo
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from radio_dense.openmmlab.class_check import NumClassesError  # noqa: E402
from radio_dense.openmmlab.resume import ResumeError  # noqa: E402
from tools.common.runner import build_runner, parse_common_args  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model with RADIO inside')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='resume from the latest checkpoint in the work dir (no value) or from the given checkpoint')
    parser.add_argument('--amp', action='store_true', help='automatic mixed precision training (CUDA only)')
    parse_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        runner = build_runner(args, mode='train')
    except (ResumeError, NumClassesError) as err:
        raise SystemExit(f'error: {err}')
    runner.train()


if __name__ == '__main__':
    main()
