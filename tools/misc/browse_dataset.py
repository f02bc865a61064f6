#!/usr/bin/env python
"""Save what a config's data pipeline feeds the model, with its ground truth, as mm's ``browse_dataset.py``.

Each sample goes through the config's (training, by default) pipeline, augmentation included,
and is written as ``input | ground truth`` (label map or instances, with a class legend) to
OUTPUT_DIR. Segmentation (mmseg) and detection (mmdet) configs both work; nothing needs a display.

Example::

    .venv/bin/python tools/misc/browse_dataset.py configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py \\
        --output-dir outputs/browse --num 8
"""
import argparse
import os
import sys

from radio_dense.tools.tool_args import add_cfg_options, cfg_options_dict


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='mmseg or mmdet config')
    p.add_argument('--output-dir', default='outputs/browse_dataset', help='where the pictures go')
    p.add_argument('--phase', choices=['train', 'val', 'test'], default='train', help='which data loader to browse')
    p.add_argument('--num', type=int, default=8, help='how many samples (from the first)')
    p.add_argument('--scale', type=int, default=2, help='enlarge the pictures by this factor')
    add_cfg_options(p, 'train_dataloader.dataset.data_root=data/demo')
    return p.parse_args(argv)


def _rgb(inputs) -> 'np.ndarray':
    import numpy as np
    image = inputs.permute(1, 2, 0).numpy()
    return np.ascontiguousarray(image[..., ::-1].clip(0, 255).astype(np.uint8))  # pipelines load BGR


def _seg_picture(sample, metainfo, title, scale):
    from radio_dense.analysis.panels import compose_panels, tint_label_map
    image = _rgb(sample['inputs'])
    labels = sample['data_samples'].gt_sem_seg.data[0].numpy()
    classes, palette = metainfo['classes'], metainfo['palette']
    shown = [int(c) for c in sorted(set(labels.ravel().tolist())) if c < len(classes)]
    legend = [(classes[c], tuple(palette[c])) for c in shown]
    return compose_panels([image, tint_label_map(image, labels, palette, transparent=(), alpha=0.5)],
                          ['pipeline output', 'ground truth'], title, legend, scale)


def _det_picture(sample, metainfo, title, scale):
    import numpy as np

    from radio_dense.analysis.panels import compose_panels, draw_instances
    import cv2
    image = _rgb(sample['inputs'])
    gt = sample['data_samples'].gt_instances
    masks = gt.masks.to_ndarray() if 'masks' in gt else None
    # test pipelines load annotations after resizing: they are in the original image's frame
    height, width = sample['data_samples'].ori_shape if 'ori_shape' in sample['data_samples'] else image.shape[:2]
    if masks is not None and masks.shape[1:] != image.shape[:2] and masks.shape[1:] == (height, width):
        image = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    labels = gt.labels.numpy()
    classes, palette = metainfo['classes'], metainfo['palette']
    drawn = draw_instances(image, gt.bboxes.numpy() if hasattr(gt.bboxes, 'numpy') else np.asarray(gt.bboxes.tensor),
                           labels, palette, classes, masks)
    legend = [(classes[c], tuple(palette[c])) for c in sorted(set(labels.tolist()))]
    return compose_panels([image, drawn], ['pipeline output', f'ground truth ({len(labels)} instances)'], title,
                          legend, scale)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmengine.registry import init_default_scope
    from tqdm import tqdm

    from radio_dense.tools.common.runner import load_config

    cfg = load_config(args.config, cfg_options_dict(args.cfg_options))
    init_default_scope(cfg.default_scope)
    if cfg.default_scope == 'mmseg':
        from mmseg.registry import DATASETS
        draw = _seg_picture
    else:
        from mmdet.registry import DATASETS
        draw = _det_picture
    dataset = DATASETS.build(cfg[f'{args.phase}_dataloader'].dataset)
    os.makedirs(args.output_dir, exist_ok=True)
    count = min(args.num, len(dataset))
    for index in tqdm(range(count), desc='browse', unit='sample'):
        sample = dataset[index]
        name = os.path.splitext(os.path.basename(sample['data_samples'].img_path))[0]
        title = f'{os.path.basename(args.config)} | {args.phase} #{index}: {name}'
        path = os.path.join(args.output_dir, f'{index:04d}_{name}.png')
        draw(sample, dataset.metainfo, title, args.scale).save(path)
    print(f'Wrote {count} pictures of the {args.phase} pipeline to {args.output_dir}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
