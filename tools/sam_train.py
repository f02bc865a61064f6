#!/usr/bin/env python
"""Train a RadioSam neck / decoder from a config on mmengine's Runner (RadioSamModel configs).

Example (offline demo)::

    .venv/bin/python tools/make_demo_data.py --out data/demo
    .venv/bin/python tools/sam_train.py configs/demo/radio-tiny_sam-conv-neck_1xb2-1200_synthetic-128x128.py --val-before

``--val-before`` scores the model before training too, so the gain is visible. After training the
trained RadioSam weights (neck, decoder; not the frozen RADIO) are written to
``<work_dir>/radio_sam_trained.safetensors``, which tools/sam_predict.py, sam_eval.py and sam_app.py
take as ``--checkpoint`` with the same ``--config``.
"""
import argparse
import json
import os.path as osp
import sys

from radio_dense.tools.tool_args import add_cfg_options, add_launcher_arg, cfg_options_dict


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('config', help='a RadioSamModel training config')
    p.add_argument('--work-dir', help='logs and checkpoints (default: work_dirs/<config name>)')
    p.add_argument('--val-before', action='store_true', help='validate before training as well')
    p.add_argument('--no-rescale-schedule', dest='rescale_schedule', action='store_false',
                   help='keep the schedulers as written when --cfg-options changes train_cfg.max_iters')
    add_cfg_options(p, 'train_cfg.max_iters=50 model.train_decoder=False')
    add_launcher_arg(p)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import radio_dense.openmmlab.sam  # noqa: F401  (registration)
    from radio_dense.openmmlab.engine.atomic_checkpoint import use_atomic_checkpoints
    from radio_dense.sam.model_checkpoint import save_radio_sam_weights
    from radio_dense.tools.common.runner import load_config, prepare_launcher, start_runner
    prepare_launcher(args.launcher)

    cfg = load_config(args.config, cfg_options_dict(args.cfg_options),
                      schedule='rescale' if args.rescale_schedule else 'keep', scopes=('mmengine',))
    if cfg.model.get('type') != 'RadioSamModel':
        raise SystemExit(f"{args.config}: model.type must be 'RadioSamModel' to train (got {cfg.model.get('type')!r})")
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join('work_dirs', osp.splitext(osp.basename(args.config))[0])
    use_atomic_checkpoints(cfg)
    cfg.launcher = args.launcher
    runner = start_runner(cfg)
    results = {}
    if args.val_before:
        results['before'] = runner.val()
    runner.train()
    results['after'] = runner.val()
    out = osp.join(cfg.work_dir, 'radio_sam_trained.safetensors')
    model = runner.model.module if hasattr(runner.model, 'module') else runner.model  # DDP
    n = save_radio_sam_weights(model.sam, out)
    results = {k: {m: float(v) for m, v in r.items()} for k, r in results.items()}
    with open(osp.join(cfg.work_dir, 'sam_train_results.json'), 'w') as f:
        json.dump(results, f, indent=2)
    print(f'Trained weights ({n} tensors): {out}')
    for stage, metrics in results.items():
        print(f'{stage:>6}: ' + ', '.join(f'{k}={v:.4f}' for k, v in sorted(metrics.items())))
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
