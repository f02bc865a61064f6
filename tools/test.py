"""Evaluate a checkpoint of an mmsegmentation / mmdetection config (mIoU, COCO mAP...).

Example:
    python tools/test.py configs/demo/radio-tiny_fpn_synthetic-192x192.py work_dirs/demo/iter_400.pth --show-dir vis
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from radio_dense.openmmlab.checkpoint_match import CheckpointMismatchError, check_checkpoint_matches  # noqa: E402
from radio_dense.openmmlab.class_check import NumClassesError  # noqa: E402
from tools.common.runner import build_runner, parse_common_args, save_metrics  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a model with RADIO inside')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--show-dir', help='directory where painted predictions are saved')
    parser.add_argument('--out', help='dump raw predictions to this .pkl file (mmengine DumpResults)')
    parser.add_argument('--metrics-out', help='write the evaluation metrics to this JSON file')
    parser.add_argument('--allow-partial', action='store_true',
                        help='evaluate even when the checkpoint leaves model weights uninitialised (random)')
    parse_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        runner = build_runner(args, mode='test')
        if not args.allow_partial:
            check_checkpoint_matches(runner.model, args.checkpoint)
    except (CheckpointMismatchError, NumClassesError) as err:
        raise SystemExit(f'error: {err}')
    metrics = runner.test()
    if args.metrics_out:
        save_metrics(metrics, args.metrics_out)


if __name__ == '__main__':
    main()
