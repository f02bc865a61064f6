#!/usr/bin/env python
"""radio_dense end-to-end demo, offline, on embedded defaults (``make demo``).

Steps (each a function of the shared :class:`DemoState`, run in order):

1. ``load_model``     load RADIO (default: the radio_tiny fixture beside the checkout) with its adaptors
2. ``sample_image``   draw a synthetic demo scene
3. ``run_features``   run the model at two resolutions; print output shapes and timings
4. ``pca_picture``    save a PCA picture of the features (shared colours across resolutions)
5. ``make_data``      write the synthetic shapes data set (ADE20K layout + COCO json), once
6. ``train_segmentation``  train the tiny RADIO + SimpleFPN + UPerNet demo config from scratch
   (tools/train.py), validating every 100 iterations; the last validation is the demo's mIoU
7. ``segmentation_curves`` loss, learning rate and mIoU over training (from the json log)
8. ``segmentation_panels`` ``input | ground truth | prediction`` pictures of validation images
9. ``detection_panel``     the same for the Mask R-CNN demo config (random weights unless
   ``--det-iters`` trains it first, or ``--det-checkpoint`` gives weights)

``--skip-train`` stops after step 4. Pictures made with random weights say so in their title.

Example::

    .venv/bin/python tools/demo.py [--checkpoint radio_v2.5-b] [--resolutions 256 512] [--out-dir outputs/demo]
"""
import argparse
import glob
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

REPO = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))

@dataclass
class DemoState:
    """What the steps share: the arguments and everything produced so far."""

    args: argparse.Namespace
    model: Optional[object] = None  # RADIOModel
    image: Optional[object] = None  # HxWx3 uint8
    outputs: Dict[str, object] = field(default_factory=dict)
    files: List[str] = field(default_factory=list)


def _random_weights(state: DemoState) -> bool:
    """The radio_tiny fixture is a random RADIO: pictures made with it say so."""
    return not state.args.checkpoint


def load_model(state: DemoState) -> None:
    """Load the checkpoint with every adaptor it has."""
    from radio_dense import load_radio
    from radio_dense.tools.common.default_checkpoint import default_checkpoint
    from radio_dense.radio import read_checkpoint
    source = state.args.checkpoint or default_checkpoint()
    start = time.perf_counter()
    adaptors = None
    if os.path.exists(source):
        adaptors = sorted(read_checkpoint(source).adaptors) or None
    state.model = load_radio(source, adaptor_names=adaptors)
    trunk = state.model.model
    print(f'  {source}: ViT with {len(trunk.blocks)} blocks, width {trunk.embed_dim}, patch {state.model.patch_size}, '
          f'{trunk.num_cls_tokens} summary + {trunk.num_registers} register tokens, adaptors {adaptors or []} '
          f'({time.perf_counter() - start:.2f}s)')


def sample_image(state: DemoState) -> None:
    """A synthetic scene: the first validation scene with at least 3 objects."""
    from radio_dense.data import DEMO_CLASSES, SceneConfig, SyntheticScenes
    scenes = SyntheticScenes(50, SceneConfig(size=max(state.args.resolutions)), seed=state.args.seed, split='val')
    scene = next((s for s in scenes if len(s.instances) >= 3), scenes[0])
    state.image = scene.image
    names = [DEMO_CLASSES[i.category_id] for i in scene.instances]
    print(f'  synthetic scene {scene.image.shape[1]}x{scene.image.shape[0]} with {len(names)} objects: {", ".join(names)}')


def run_features(state: DemoState) -> None:
    """Run the model at each resolution and print what comes out."""
    import torch

    from radio_dense.analysis.features import snap, to_input
    model = state.model
    for res in state.args.resolutions:
        res = snap(res, model.min_resolution_step)
        x = to_input(state.image, (res, res))
        with torch.no_grad():
            model(x)  # warm-up
            start = time.perf_counter()
            out = model(x, feature_fmt='NCHW')
            seconds = time.perf_counter() - start
        outs = out if isinstance(out, dict) else {'backbone': out}
        shapes = ', '.join(f'{k}: summary {tuple(v.summary.shape)} features {tuple(v.features.shape)}'
                           for k, v in outs.items())
        print(f'  {res}x{res}: {seconds * 1000:.0f} ms; {shapes}')
        state.outputs[f'features_{res}'] = outs['backbone'].features


def pca_picture(state: DemoState) -> None:
    """PCA (3 components -> RGB) of the backbone features at all resolutions, one shared basis."""
    from radio_dense.analysis.panels import add_title
    from radio_dense.analysis.visualize import fit_shared_basis, pca_grid, sweep_features
    sweep = sweep_features(state.model, [state.image], state.args.resolutions, progress=False)
    path = os.path.join(state.args.out_dir, 'features_pca.png')
    os.makedirs(state.args.out_dir, exist_ok=True)
    what = ('radio_tiny fixture, RANDOM WEIGHTS (colours show structure, not semantics)' if _random_weights(state)
            else state.args.checkpoint)
    title = f'PCA of RADIO features: {what}'
    add_title(pca_grid(sweep, fit_shared_basis(sweep), cell=256), title).save(path)
    state.files.append(path)
    print(f'  wrote {path} titled "{title}"')


SEG_CONFIG = os.path.join(REPO, 'configs', 'demo', 'radio-tiny_upernet_1xb4-300_synthetic-192x192.py')
SEG_CONFIG_ITERS = 300
DET_CONFIG = os.path.join(REPO, 'configs', 'demo', 'radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py')
NUM_PANELS = 4


def make_data(state: DemoState) -> None:
    """Synthetic shapes data set (skipped when it is already there)."""
    from radio_dense.data import write_demo_dataset
    root = state.args.data_root
    if os.path.isfile(os.path.join(root, 'annotations', 'instances_val.json')):
        print(f'  {root} already exists')
        return
    write_demo_dataset(root, num_train=300, num_val=60, size=256, seed=0)


def _tool(script: str, *args: str) -> None:
    from radio_dense.tools.common.child_log import run_folded
    cmd = [sys.executable, os.path.join(REPO, 'tools', script), *args]
    returncode, hidden = run_folded(cmd)
    if returncode != 0:
        raise SystemExit(f'{" ".join(cmd[:3])} failed')
    print(f'  ({hidden} lines of environment/config dumps and repeated warnings not shown: see the work_dir log)')


def _data_options(root: str, det: bool = False) -> List[str]:
    options = [f'{loader}.dataset.data_root={root}' for loader in ('train_dataloader', 'val_dataloader',
                                                                    'test_dataloader')]
    if det:  # the COCO evaluators read the annotation file by its full path
        ann = os.path.join(root, 'annotations', 'instances_val.json')
        options += [f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']
    return options


def _seg_work_dir(state: DemoState) -> str:
    return os.path.join(state.args.out_dir, 'segmentation')


def train_segmentation(state: DemoState) -> None:
    """Train the demo segmentation config from scratch (CPU; see the README for timings)."""
    iters = state.args.train_iters
    # a different length rescales the config's schedule to it (tools/train.py logs the change)
    length = [] if iters == SEG_CONFIG_ITERS else [f'train_cfg.max_iters={iters}']
    _tool('train.py', SEG_CONFIG, '--work-dir', _seg_work_dir(state), '--cfg-options', *length,
          *_data_options(state.args.data_root))
    state.outputs['seg_checkpoint'] = os.path.join(_seg_work_dir(state), f'iter_{iters}.pth')


def segmentation_curves(state: DemoState) -> None:
    """Loss, learning rate and validation mIoU over training; the last validation is the result."""
    from radio_dense.analysis.training_log import load_training_log, plot_curves
    log = load_training_log(_seg_work_dir(state))
    steps, mious = log.series('mIoU')
    path = os.path.join(state.args.out_dir, 'segmentation_curves.png')
    title = (f'radio-tiny + SimpleFPN + UPerNet trained from scratch on synthetic shapes '
             f'({state.args.train_iters} iterations, batch 4)')
    plot_curves([log], ['loss', 'lr', 'mIoU'], path, title)
    state.files.append(path)
    state.outputs['mIoU'] = mious[-1]
    print(f'  validation mIoU {", ".join(f"{v:.1f} (iter {s})" for s, v in zip(steps, mious))}; wrote {path}')


def _val_images(root: str, count: int) -> List[str]:
    return sorted(glob.glob(os.path.join(root, 'images', 'validation', '*.jpg')))[:count]


def segmentation_panels(state: DemoState) -> None:
    """input | ground truth | prediction of the first validation images (the trained model)."""
    import numpy as np
    from mmseg.apis import inference_model, init_model
    from PIL import Image
    from tqdm import tqdm

    from radio_dense.analysis.panels import segmentation_panel
    from radio_dense.data import DEMO_SEG_METAINFO
    from radio_dense.sam.utils.image_io import read_rgb
    from radio_dense.tools.common.runner import load_config

    cfg = load_config(SEG_CONFIG, {'test_dataloader.dataset.data_root': state.args.data_root})
    model = init_model(cfg, state.outputs['seg_checkpoint'], device='cpu')
    folder = os.path.join(state.args.out_dir, 'segmentation_panels')
    os.makedirs(folder, exist_ok=True)
    classes, palette = DEMO_SEG_METAINFO['classes'], DEMO_SEG_METAINFO['palette']
    for path in tqdm(_val_images(state.args.data_root, NUM_PANELS), desc='  panels', unit='image'):
        name = os.path.splitext(os.path.basename(path))[0]
        image = read_rgb(path)
        truth = np.asarray(Image.open(os.path.join(state.args.data_root, 'annotations', 'validation', name + '.png')))
        prediction = inference_model(model, path).pred_sem_seg.data[0].cpu().numpy()
        accuracy = 100 * (prediction == truth).mean()
        title = (f'{name}: radio-tiny UPerNet after {state.args.train_iters} iterations from scratch '
                 f'(val mIoU {state.outputs["mIoU"]:.1f}; pixel accuracy here {accuracy:.1f}%)')
        out = os.path.join(folder, name + '.png')
        segmentation_panel(image, truth, prediction, classes, palette, title, scale=2).save(out)
        state.files.append(out)
    print(f'  wrote {NUM_PANELS} panels (background transparent) to {folder}')


def _busiest_val_image(root: str, look_at: int = 20):
    """``(path, ground truth)`` of the validation image with the most objects among the first ``look_at``."""
    import numpy as np
    from pycocotools.coco import COCO
    coco = COCO(os.path.join(root, 'annotations', 'instances_val.json'))
    image_id = max(sorted(coco.imgs)[:look_at], key=lambda i: (len(coco.getAnnIds(imgIds=[i])), -i))
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[image_id]))
    category_ids = sorted(coco.cats)
    truth = {'boxes': np.array([[a['bbox'][0], a['bbox'][1], a['bbox'][0] + a['bbox'][2], a['bbox'][1] + a['bbox'][3]]
                               for a in anns]).reshape(-1, 4),
            'labels': np.array([category_ids.index(a['category_id']) for a in anns], dtype=int),
            'masks': np.array([coco.annToMask(a) for a in anns])}
    path = os.path.join(root, 'images', 'validation', os.path.basename(coco.imgs[image_id]['file_name']))
    return path, truth


def detection_panel(state: DemoState) -> None:
    """Mask R-CNN demo config on one validation image (random weights unless --det-iters / --det-checkpoint)."""
    from mmdet.apis import inference_detector, init_detector

    from radio_dense.analysis.panels import detection_panel as draw_panel
    from radio_dense.data import DEMO_DET_METAINFO
    from radio_dense.sam.utils.image_io import read_rgb
    from radio_dense.tools.common.runner import load_config

    args, checkpoint = state.args, state.args.det_checkpoint
    if args.det_iters and not checkpoint:
        work = os.path.join(args.out_dir, 'detection')
        _tool('train.py', DET_CONFIG, '--work-dir', work, '--cfg-options', f'train_cfg.max_iters={args.det_iters}',
              *_data_options(args.data_root, det=True))
        checkpoint = os.path.join(work, f'iter_{args.det_iters}.pth')
    cfg = load_config(DET_CONFIG, {'test_dataloader.dataset.data_root': args.data_root})
    model = init_detector(cfg, checkpoint, device='cpu')
    path, truth = _busiest_val_image(args.data_root)
    image = read_rgb(path)
    result = inference_detector(model, path).pred_instances
    prediction = {'boxes': result.bboxes.numpy(), 'labels': result.labels.numpy(), 'scores': result.scores.numpy(),
                  'masks': result.masks.numpy() if 'masks' in result else None}
    if checkpoint:
        what = f'weights {os.path.basename(checkpoint)}' + (f' ({args.det_iters} iterations)' if args.det_iters else '')
    else:
        what = 'RANDOM WEIGHTS (untrained; --det-iters 800 trains it, ~15 min on 2 CPU cores)'
    title = f'Mask R-CNN on radio-tiny, {what}: {os.path.basename(path)}'
    out = os.path.join(args.out_dir, 'detection_panel.png')
    draw_panel(image, truth, prediction,
               DEMO_DET_METAINFO['classes'], DEMO_DET_METAINFO['palette'], title, scale=2).save(out)
    state.files.append(out)
    print(f'  {len(result)} detections, {int((result.scores >= 0.3).sum())} with score >= 0.3; wrote {out} '
          f'titled "{title}"')


FEATURE_STEPS: List[Callable[[DemoState], None]] = [load_model, sample_image, run_features, pca_picture]
STEPS: List[Callable[[DemoState], None]] = FEATURE_STEPS + [make_data, train_segmentation, segmentation_curves,
                                                              segmentation_panels, detection_panel]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    p.add_argument('--resolutions', nargs='+', type=int, default=[256, 512], help='input sides (px)')
    p.add_argument('--seed', type=int, default=0, help='seed of the sample scene')
    p.add_argument('--out-dir', default='outputs/demo', help='where pictures go')
    p.add_argument('--data-root', default='data/demo', help='synthetic data set folder')
    p.add_argument('--train-iters', type=int, default=SEG_CONFIG_ITERS,
                   help='training iterations of the segmentation demo (the schedule is rescaled to them)')
    p.add_argument('--det-iters', type=int, default=0, help='train the Mask R-CNN demo this long first (0: random)')
    p.add_argument('--det-checkpoint', help='weights for the Mask R-CNN demo panel')
    p.add_argument('--skip-train', action='store_true', help='only the feature steps (1-4)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    state = DemoState(parse_args(argv))
    from radio_dense.tools.common.child_log import warn_once_more_quietly
    warn_once_more_quietly()
    start = time.perf_counter()
    steps = FEATURE_STEPS if state.args.skip_train else STEPS
    for i, step in enumerate(steps, 1):
        print(f'[{i}/{len(steps)}] {step.__name__}: {step.__doc__.splitlines()[0]}', flush=True)
        step_start = time.perf_counter()
        step(state)
        print(f'  ({time.perf_counter() - step_start:.1f}s)', flush=True)
    print(f'Demo finished in {time.perf_counter() - start:.1f}s; outputs: {", ".join(state.files)}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
