"""What tools/train.py and tools/test.py share: arguments, config loading and Runner setup."""
import argparse
import json
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from radio_dense.openmmlab.atomic_checkpoint import use_atomic_checkpoints
from radio_dense.openmmlab.class_check import check_num_classes
from radio_dense.openmmlab.resume import resolve_resume

SCOPES = ('mmseg', 'mmdet')


def parse_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--work-dir', help='directory for logs and checkpoints')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, e.g. model.backbone.frozen=True train_cfg.max_iters=100')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(path: str, cfg_options: dict = None) -> Config:
    """Load a config and apply ``--cfg-options``; explains a missing or scope-less config."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'Config {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    scope = cfg.get('default_scope')
    if scope not in SCOPES:
        raise ValueError(f"{path}: default_scope must be one of {SCOPES} (inherit an mmseg:: or mmdet:: base "
                         f"config), got {scope!r}")
    return cfg


def _enable_amp(cfg: Config) -> None:
    if not torch.cuda.is_available():
        raise SystemExit('--amp needs a CUDA GPU: mixed precision through AmpOptimWrapper runs float16 '
                         'autocast on CUDA. Drop --amp to train in float32 on this machine.')
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper != 'AmpOptimWrapper':
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')


def _enable_show_dir(cfg: Config, show_dir: str) -> None:
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise ValueError('--show-dir needs a "visualization" entry in default_hooks')
    hooks.visualization.draw = True
    if cfg.default_scope == 'mmdet':
        # absolute: mmdet's DetVisualizationHook joins a relative test_out_dir onto work_dir/timestamp
        # again at every test iteration (nesting folders when work_dir is relative)
        hooks.visualization.test_out_dir = osp.abspath(show_dir)
    else:
        cfg.visualizer.save_dir = show_dir
        hooks.visualization.interval = 1


def _init_cpu_distributed(cfg: Config) -> None:
    """Distributed runs on CPU processes: gloo, no device ids (mmengine assumes CUDA for both)."""
    import torch.distributed as dist
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    wrapper = cfg.get('model_wrapper_cfg') or dict(type='MMDistributedDataParallel', broadcast_buffers=False,
                                                    find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def build_runner(args: argparse.Namespace, mode: str) -> Runner:
    """Config -> Runner for ``mode`` 'train' or 'test', applying the command-line options."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.launcher != 'none' and not torch.cuda.is_available():
        _init_cpu_distributed(cfg)
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    check_num_classes(cfg)
    use_atomic_checkpoints(cfg)
    if mode == 'train':
        if args.amp:
            _enable_amp(cfg)
        if args.resume:
            checkpoint = resolve_resume(None if args.resume == 'auto' else args.resume, cfg.work_dir)
            cfg.resume, cfg.load_from = checkpoint is not None, checkpoint
    else:
        cfg.load_from = args.checkpoint
        if args.show_dir:
            _enable_show_dir(cfg, args.show_dir)
        if args.out:
            cfg.test_evaluator = [cfg.test_evaluator] if isinstance(cfg.test_evaluator, dict) else list(cfg.test_evaluator)
            cfg.test_evaluator.append(dict(type='DumpResults', out_file_path=args.out))
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def save_metrics(metrics: dict, path: str) -> None:
    """Write a metrics dict (numbers, numpy scalars) to JSON, creating the folder."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump({k: float(v) if hasattr(v, '__float__') else v for k, v in metrics.items()}, f, indent=1)
