#!/usr/bin/env python
"""Pictures of a depth or surface-normals model's predictions on its config's test set, one PNG per image:
input | ground truth | prediction with a colour bar (normals add the angle-error map).

Example::

    .venv/bin/python tools/analysis/show_dense_predictions.py \\
        configs/demo/radio-tiny_linear-depth_1xb4-300_synthetic-192x192.py work_dirs/depth/iter_300.pth --num 4
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='a depth / normals config (DepthEstimator)')
    p.add_argument('checkpoint', help='trained checkpoint (tools/train.py output)')
    p.add_argument('--num', type=int, default=4, help='test images to show')
    p.add_argument('--scale', type=int, default=2, help='enlarge small images by this factor')
    p.add_argument('--out-dir', default='outputs/dense_predictions', help='output folder')
    p.add_argument('--cfg-options', nargs='+', default=[], help='key=value overrides of the config')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.num < 1:
        raise SystemExit('--num must be >= 1')
    import torch
    from mmengine.config import Config, DictAction
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmseg.apis import init_model
    from mmseg.registry import DATASETS
    import radio_dense.openmmlab.seg  # noqa: F401
    from radio_dense.analysis.dense_panels import depth_panel, normals_panel
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *args.cfg_options]).o)
    init_default_scope('mmseg')
    model = init_model(cfg, args.checkpoint, device=args.device)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    os.makedirs(args.out_dir, exist_ok=True)
    target = model.decode_head.target
    name = os.path.basename(args.config)[:-3]
    for i in range(min(args.num, len(dataset))):
        data = dataset[i]
        with torch.no_grad():
            out = model.test_step(pseudo_collate([data]))[0]
        image = data['inputs'].permute(1, 2, 0).numpy()[..., ::-1].copy()  # BGR -> RGB
        gt, pred = out.gt_depth_map.data.cpu().numpy(), out.pred_depth_map.data.cpu().numpy()
        title = f'{name}: {os.path.basename(data["data_samples"].img_path)}'
        if target == 'normal':
            picture, _ = normals_panel(image, gt.transpose(1, 2, 0), pred.transpose(1, 2, 0), title, scale=args.scale)
        else:
            picture = depth_panel(image, gt[0], pred[0], title, scale=args.scale)
        path = os.path.join(args.out_dir, f'{target}_{i:03d}.png')
        picture.save(path)
        print(f'Wrote {path}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
