#!/usr/bin/env python
"""Confusion matrix of a segmentation model's predictions on a config's test set, as mmseg's tool.

The predictions are the PNG label maps ``tools/test.py CONFIG CHECKPOINT --out PRED_DIR`` writes
(one per image, named after it); the ground truth and the class names come from the config's
test dataset (its ``METAINFO``). Writes ``confusion_matrix.png`` (row-normalised, %) and
``confusion_matrix.csv`` (pixel counts) into SAVE_DIR and prints the IoU of every class.

Example::

    .venv/bin/python tools/test.py CONFIG CHECKPOINT --out work_dirs/pred
    .venv/bin/python tools/analysis/confusion_matrix.py CONFIG work_dirs/pred work_dirs/confusion
"""
import argparse
import os
import sys

from radio_dense.tools.tool_args import add_cfg_options, cfg_options_dict


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='the segmentation config the predictions were made with')
    p.add_argument('prediction_dir', help='folder of PNG label maps (tools/test.py --out)')
    p.add_argument('save_dir', help='where confusion_matrix.png / .csv go')
    p.add_argument('--title', help='picture title')
    add_cfg_options(p, 'test_dataloader.dataset.data_root=data/demo')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import numpy as np
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    from PIL import Image

    from radio_dense.analysis.confusion import confusion_matrix, iou_per_class, plot_confusion_matrix
    from radio_dense.tools.common.runner import load_config

    cfg = load_config(args.config, cfg_options_dict(args.cfg_options))
    if cfg.default_scope != 'mmseg':
        raise SystemExit(f'{args.config} is not a segmentation (mmseg) config')
    init_default_scope('mmseg')
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    classes = list(dataset.metainfo['classes'])
    matrix = np.zeros((len(classes), len(classes)), np.int64)
    missing = []
    for info in dataset.load_data_list():
        name = os.path.splitext(os.path.basename(info['img_path']))[0] + '.png'
        pred_path = os.path.join(args.prediction_dir, name)
        if not os.path.isfile(pred_path):
            missing.append(name)
            continue
        gt = np.asarray(Image.open(info['seg_map_path'])).astype(np.int64)
        pred = np.asarray(Image.open(pred_path)).astype(np.int64)
        if info.get('reduce_zero_label'):  # the PNGs are in the file's label space (+1); label 0 is ignored
            gt, pred = np.where(gt == 0, 255, gt - 1), pred - 1
        matrix += confusion_matrix(gt, pred, len(classes), dataset.ignore_index)
    if missing:
        raise SystemExit(f'{len(missing)} of the {len(dataset)} test images have no prediction in '
                         f'{args.prediction_dir} (e.g. {missing[0]}); write them with tools/test.py --out')
    os.makedirs(args.save_dir, exist_ok=True)
    png = plot_confusion_matrix(matrix, classes, os.path.join(args.save_dir, 'confusion_matrix.png'), args.title)
    csv = os.path.join(args.save_dir, 'confusion_matrix.csv')
    np.savetxt(csv, matrix, fmt='%d', delimiter=',', header=','.join(classes), comments='')
    ious = iou_per_class(matrix)
    for name, iou in zip(classes, ious):
        print(f'{name:>16}: IoU {100 * iou:6.2f}' if not np.isnan(iou) else f'{name:>16}: absent')
    print(f'mIoU {100 * np.nanmean(ious):.2f} over {len(dataset)} images; wrote {png} and {csv}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
