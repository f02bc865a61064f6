#!/usr/bin/env python
"""radio_dense end-to-end demo, offline, on embedded defaults (``make demo``).

Steps (each a function of the shared :class:`DemoState`, run in order):

1. ``load_model``     load RADIO (default: the radio_tiny fixture beside the checkout) with its adaptors
2. ``sample_image``   draw a synthetic demo scene
3. ``run_features``   run the model at two resolutions; print output shapes and timings
4. ``pca_picture``    save a PCA picture of the features (shared colours across resolutions)
5. ``make_data``      write the synthetic shapes data set (ADE20K layout + COCO json), once
6. ``train_segmentation``  train the tiny RADIO + SimpleFPN + UPerNet demo config (tools/train.py)
7. ``test_segmentation``   evaluate it (mIoU, tools/test.py) and save prediction overlays

``--skip-train`` stops after step 4.

Example::

    .venv/bin/python tools/demo.py [--checkpoint radio_v2.5-b] [--resolutions 256 512] [--out-dir outputs/demo]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')  # on shared/busy CPUs, spinning OpenMP threads slow torch 10x+
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from radio_dense import load_radio  # noqa: E402
from radio_dense.analysis.features import snap, to_input  # noqa: E402
from tools.common.radio_model_args import default_checkpoint  # noqa: E402
from radio_dense.analysis.visualize import fit_shared_basis, pca_grid, sweep_features  # noqa: E402
from radio_dense.data import DEMO_CLASSES, SceneConfig, SyntheticScenes, write_demo_dataset  # noqa: E402


@dataclass
class DemoState:
    """What the steps share: the arguments and everything produced so far."""

    args: argparse.Namespace
    model: Optional[torch.nn.Module] = None
    image: Optional[np.ndarray] = None
    outputs: Dict[str, object] = field(default_factory=dict)
    files: List[str] = field(default_factory=list)


def load_model(state: DemoState) -> None:
    """Load the checkpoint with every adaptor it has."""
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
    scenes = SyntheticScenes(50, SceneConfig(size=max(state.args.resolutions)), seed=state.args.seed, split='val')
    scene = next((s for s in scenes if len(s.instances) >= 3), scenes[0])
    state.image = scene.image
    names = [DEMO_CLASSES[i.category_id] for i in scene.instances]
    print(f'  synthetic scene {scene.image.shape[1]}x{scene.image.shape[0]} with {len(names)} objects: {", ".join(names)}')


def run_features(state: DemoState) -> None:
    """Run the model at each resolution and print what comes out."""
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
    sweep = sweep_features(state.model, [state.image], state.args.resolutions, progress=False)
    path = os.path.join(state.args.out_dir, 'features_pca.png')
    os.makedirs(state.args.out_dir, exist_ok=True)
    pca_grid(sweep, fit_shared_basis(sweep), cell=256).save(path)
    state.files.append(path)
    print(f'  wrote {path}')


SEG_CONFIG = os.path.join(REPO, 'configs', 'demo', 'radio-tiny_fpn_synthetic-192x192.py')


def make_data(state: DemoState) -> None:
    """Synthetic shapes data set (skipped when it is already there)."""
    root = state.args.data_root
    if os.path.isfile(os.path.join(root, 'annotations', 'instances_val.json')):
        print(f'  {root} already exists')
        return
    write_demo_dataset(root, num_train=300, num_val=60, size=256, seed=0)


def _tool(script: str, *args: str) -> None:
    cmd = [sys.executable, os.path.join(REPO, 'tools', script), *args]
    if subprocess.run(cmd).returncode != 0:
        raise SystemExit(f'{" ".join(cmd[:3])} failed')


def _data_options(state: DemoState) -> List[str]:
    root = state.args.data_root
    return [f'{loader}.dataset.data_root={root}' for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')]


def train_segmentation(state: DemoState) -> None:
    """Train the demo segmentation config from scratch (CPU; a few minutes)."""
    work = os.path.join(state.args.out_dir, 'segmentation')
    iters = state.args.train_iters
    _tool('train.py', SEG_CONFIG, '--work-dir', work, '--cfg-options', f'train_cfg.max_iters={iters}',
          f'train_cfg.val_interval={iters}', f'default_hooks.checkpoint.interval={iters}', *_data_options(state))
    state.outputs['seg_checkpoint'] = os.path.join(work, f'iter_{iters}.pth')


def test_segmentation(state: DemoState) -> None:
    """Evaluate the trained model on the validation split and save painted predictions."""
    work = os.path.join(state.args.out_dir, 'segmentation')
    vis = os.path.join(state.args.out_dir, 'segmentation_overlays')
    metrics = os.path.join(work, 'metrics.json')
    _tool('test.py', SEG_CONFIG, state.outputs['seg_checkpoint'], '--work-dir', work, '--show-dir', vis,
          '--metrics-out', metrics, '--cfg-options', *_data_options(state))
    with open(metrics) as f:
        print(f'  validation mIoU: {json.load(f)["mIoU"]:.2f}')
    pictures = sorted(glob.glob(os.path.join(vis, '**', '*.png'), recursive=True))
    state.files += pictures[:4]
    print(f'  {len(pictures)} overlays (left: ground truth, right: prediction) in {vis}')


FEATURE_STEPS: List[Callable[[DemoState], None]] = [load_model, sample_image, run_features, pca_picture]
STEPS: List[Callable[[DemoState], None]] = FEATURE_STEPS + [make_data, train_segmentation, test_segmentation]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--checkpoint', help='anything load_radio accepts (default: the radio_tiny fixture)')
    p.add_argument('--resolutions', nargs='+', type=int, default=[256, 512], help='input sides (px)')
    p.add_argument('--seed', type=int, default=0, help='seed of the sample scene')
    p.add_argument('--out-dir', default='outputs/demo', help='where pictures go')
    p.add_argument('--data-root', default='data/demo', help='synthetic data set folder')
    p.add_argument('--train-iters', type=int, default=300, help='training iterations of the segmentation demo')
    p.add_argument('--skip-train', action='store_true', help='only the feature steps (1-4)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    state = DemoState(parse_args(argv))
    start = time.perf_counter()
    steps = FEATURE_STEPS if state.args.skip_train else STEPS
    for i, step in enumerate(steps, 1):
        print(f'[{i}/{len(steps)}] {step.__name__}: {step.__doc__.splitlines()[0]}', flush=True)
        step(state)
    print(f'Demo finished in {time.perf_counter() - start:.1f}s; outputs: {", ".join(state.files)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
