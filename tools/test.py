#!/usr/bin/env python
"""Evaluate a checkpoint of an mmsegmentation / mmdetection config (mIoU, COCO mAP...).

Examples::

    .venv/bin/python tools/test.py configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py \\
        work_dirs/demo/iter_300.pth --show-dir vis
    .venv/bin/python tools/test.py CONFIG CHECKPOINT --tta                # flip / multi-scale test-time augmentation
    .venv/bin/python tools/test.py SEG_CONFIG CHECKPOINT --out pred_pngs   # one PNG label map per image
    .venv/bin/python tools/test.py DET_CONFIG CHECKPOINT --out results.pkl # raw predictions
    .venv/bin/python tools/test.py configs/radio_zero_shot/CONFIG          # zero-shot: no checkpoint
"""
import argparse

from radio_dense.tools.tool_args import add_dtype_arg, parse_runner_args


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint file (leave out for zero-shot models, which have nothing trained: '
                             'configs/radio_zero_shot)')
    parser.add_argument('--out', help='segmentation: folder for one PNG label map per image (mmseg); '
                                      'detection: .pkl file of raw predictions (mmdet)')
    parser.add_argument('--show', action='store_true', help='show each prediction in a window')
    parser.add_argument('--wait-time', type=float, default=2, help='seconds each --show window stays open')
    parser.add_argument('--show-dir', help='directory where painted predictions are saved')
    parser.add_argument('--tta', action='store_true', help="test-time augmentation (the config's tta_pipeline)")
    parser.add_argument('--metrics-out', help='write the evaluation metrics to this JSON file')
    add_dtype_arg(parser, "the RADIO backbone (RADIOBackbone / RADIOAdapter's dtype; heads stay fp32)")
    parser.add_argument('--allow-partial', action='store_true',
                        help='evaluate even when the checkpoint leaves model weights uninitialised (random)')
    return parse_runner_args(parser, argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.checkpoint is None:
        from mmengine.config import Config
        if Config.fromfile(args.config).model.get('type') != 'RADIOZeroShotSegmentor':
            raise SystemExit(f'{args.config}: give the CHECKPOINT to evaluate (only zero-shot configs, '
                             f'configs/radio_zero_shot, run without one)')
    from radio_dense.openmmlab.engine.checkpoint_fit import check_checkpoint_matches
    from radio_dense.tools.common.runner import build_runner_or_exit, save_metrics
    check = None if args.allow_partial or args.checkpoint is None else (
        lambda runner: check_checkpoint_matches(runner.model, args.checkpoint))
    metrics = build_runner_or_exit(args, 'test', check).test()
    if args.metrics_out:
        save_metrics(metrics, args.metrics_out)


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    raise SystemExit(run_main(main))
