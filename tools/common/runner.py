"""What tools/train.py and tools/test.py share: config loading and Runner setup from their arguments."""
import argparse
import json
import logging
import os
import os.path as osp
from typing import Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from radio_dense.openmmlab.engine.atomic_checkpoint import use_atomic_checkpoints
from radio_dense.openmmlab.engine.num_classes_check import check_num_classes
from radio_dense.openmmlab.config_model import TASK_SCOPES
from radio_dense.openmmlab.config_model import load_config as read_config
from radio_dense.tools.common.distributed import (SharedFilesystemError, check_local_gpu, check_shared_filesystem,
                                                  slurm_environment)
from radio_dense.openmmlab.engine.resume import resolve_resume
from radio_dense.openmmlab.engine.train_config_check import TrainConfigError, check_training_config
from radio_dense.openmmlab.engine.work_dir_lock import WorkDirLockedError, hold_work_dir
from radio_dense.openmmlab.engine.schedule_fit import changes_loop_length, loop_length, rescale_schedule, schedule_warnings
from radio_dense.radio.precision import enable_tf32


def load_config(path: str, cfg_options: Optional[dict] = None, schedule: Optional[str] = None,
                scopes: Sequence[str] = TASK_SCOPES) -> Config:
    """:func:`radio_dense.openmmlab.config_model.load_config`, with the training schedule policy.

    ``schedule`` ('rescale' or 'keep', for training): when the options change ``train_cfg.max_iters``
    / ``max_epochs`` (and not ``param_scheduler``), 'rescale' stretches every scheduler by the same
    factor; both log what happened and warn about schedulers that end beyond the loop or long before.
    """
    cfg = read_config(path, scopes=scopes)
    old_lengths = {by_epoch: loop_length(cfg, by_epoch) for by_epoch in (False, True)}
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if schedule is not None:
        apply_schedule_policy(cfg, cfg_options, old_lengths, rescale=schedule == 'rescale')
    return cfg


def apply_schedule_policy(cfg: Config, cfg_options: Optional[dict], old_lengths: dict, rescale: bool) -> None:
    """Rescale (or keep, logging it) the schedulers when ``cfg_options`` changed the loop length from
    ``old_lengths`` (``{by_epoch: length}`` before the options); warn about inconsistent schedules."""
    for by_epoch in changes_loop_length(cfg_options):
        unit = 'max_epochs' if by_epoch else 'max_iters'
        change = f'train_cfg.{unit} changed from {old_lengths[by_epoch]} to {loop_length(cfg, by_epoch)}'
        if not rescale:
            print_log(f'{change}; the schedule is kept as written (--no-rescale-schedule)', logger='current')
            continue
        for line in rescale_schedule(cfg, old_lengths[by_epoch], by_epoch):
            print_log(f'{change}: schedule rescaled to match ({line}; --no-rescale-schedule keeps it)',
                      logger='current')
    for warning in schedule_warnings(cfg):
        print_log(f'Schedule: {warning}', logger='current', level=logging.WARNING)


def _enable_amp(cfg: Config, precision='fp16') -> None:
    """``--amp [fp16|bf16]``: mmengine's AmpOptimWrapper (fp16 with dynamic loss scaling, or
    ``dtype='bfloat16'``) on CUDA; bf16 on a CPU uses radio_dense's ``CPUAutocastOptimWrapper``
    (mmengine's AmpOptimWrapper refuses CPUs)."""
    precision = 'fp16' if precision is True else precision
    if precision not in ('fp16', 'bf16'):
        raise SystemExit(f'--amp takes fp16 or bf16, got {precision!r}')
    cuda = torch.cuda.is_available()
    if precision == 'fp16' and not cuda:
        raise SystemExit('--amp fp16 needs a CUDA GPU: mixed precision through AmpOptimWrapper runs float16 '
                         'autocast on CUDA. Use --amp bf16 on a CPU, or drop --amp to train in float32.')
    if precision == 'bf16' and cuda and not torch.cuda.is_bf16_supported():
        raise SystemExit(f'--amp bf16: {torch.cuda.get_device_name()} has no bfloat16 support; use --amp fp16.')
    wrapper = cfg.optim_wrapper
    if not cuda:  # bf16 on a CPU: autocast without a loss scaler
        wrapper.type = 'CPUAutocastOptimWrapper'
        wrapper.pop('loss_scale', None)
        wrapper.dtype = 'bfloat16'
        return
    wrapper.type = 'AmpOptimWrapper'
    if precision == 'bf16':
        wrapper.dtype = 'bfloat16'
    else:
        wrapper.pop('dtype', None)
    wrapper.setdefault('loss_scale', 'dynamic')


def _set_backbone_dtype(cfg: Config, dtype: str) -> None:
    """``--dtype``: the RADIO backbone's own autocast precision (mmcv ops inside stay fp32)."""
    backbone = cfg.model.get('backbone', {})
    if backbone.get('type') not in ('RADIOBackbone', 'RADIOAdapter'):
        raise SystemExit(f"--dtype sets a RADIOBackbone / RADIOAdapter's dtype; this config's backbone is "
                         f"{backbone.get('type')!r}")
    backbone.dtype = dtype


def _enable_auto_scale_lr(cfg: Config) -> None:
    """``--auto-scale-lr``: mmengine scales the lr by (GPUs x batch per GPU) / ``auto_scale_lr.base_batch_size``."""
    auto = cfg.get('auto_scale_lr')
    if not auto or 'base_batch_size' not in auto:
        raise SystemExit(f'--auto-scale-lr needs auto_scale_lr = dict(base_batch_size=N) in the config (N: the total '
                         f'batch size its learning rate was set for); {cfg.filename} has none.')
    auto.enable = True


def _enable_visualization(cfg: Config, show_dir: Optional[str], show: bool, wait_time: float) -> None:
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise ValueError('--show / --show-dir need a "visualization" entry in default_hooks')
    hooks.visualization.draw = True
    if show:
        hooks.visualization.show = True
        hooks.visualization.wait_time = wait_time
    if show_dir is None:
        return
    if cfg.default_scope == 'mmdet':
        # absolute: mmdet's DetVisualizationHook joins a relative test_out_dir onto work_dir/timestamp
        # again at every test iteration (nesting folders when work_dir is relative)
        hooks.visualization.test_out_dir = osp.abspath(show_dir)
    else:
        cfg.visualizer.save_dir = show_dir
        hooks.visualization.interval = 1


def _enable_tta(cfg: Config) -> None:
    """``--tta``: the config's ``tta_pipeline`` feeds its ``tta_model`` wrapped around the model."""
    missing = [k for k in ('tta_pipeline', 'tta_model') if k not in cfg]
    if missing:
        raise SystemExit(f'--tta needs {" and ".join(missing)} in the config (the ADE20K / COCO bases of mmseg and '
                         f'mmdet define them); {cfg.filename} has none.')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def _enable_out(cfg: Config, out: str) -> None:
    """``--out``: segmentation writes one PNG label map per image into the folder (mmseg's meaning);
    detection dumps the raw predictions to a ``.pkl`` file (mmdet's meaning)."""
    evaluators = [cfg.test_evaluator] if isinstance(cfg.test_evaluator, dict) else list(cfg.test_evaluator)
    if cfg.default_scope == 'mmseg':
        for evaluator in evaluators:
            if evaluator.get('type') in ('IoUMetric', 'mmseg.IoUMetric'):
                evaluator['output_dir'] = out
                evaluator['keep_results'] = True
    else:
        if not out.endswith(('.pkl', '.pickle')):
            raise SystemExit(f'--out for a detection config is a .pkl file of raw predictions; got {out}')
        evaluators.append(dict(type='DumpResults', out_file_path=out))
    cfg.test_evaluator = evaluators[0] if len(evaluators) == 1 else evaluators


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


def build_config(args: argparse.Namespace, mode: str) -> Config:
    """The config ``tools/train.py`` (``mode='train'``) or ``tools/test.py`` (``'test'``) runs for ``args``."""
    schedule = None
    if mode == 'train':
        schedule = 'rescale' if getattr(args, 'rescale_schedule', True) else 'keep'
    cfg = load_config(args.config, args.cfg_options, schedule=schedule)
    cfg.launcher = args.launcher
    if args.work_dir:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    check_num_classes(cfg)
    use_atomic_checkpoints(cfg)
    if mode == 'train':
        check_training_config(cfg)
        if args.amp:
            _enable_amp(cfg, args.amp)
        if getattr(args, 'auto_scale_lr', False):
            _enable_auto_scale_lr(cfg)
        if args.resume:
            checkpoint = resolve_resume(None if args.resume == 'auto' else args.resume, cfg.work_dir)
            cfg.resume, cfg.load_from = checkpoint is not None, checkpoint
    else:
        cfg.load_from = args.checkpoint
        # options the tools add; programmatic callers may leave them out
        show, show_dir = getattr(args, 'show', False), getattr(args, 'show_dir', None)
        if show or show_dir:
            _enable_visualization(cfg, show_dir, show, getattr(args, 'wait_time', 2))
        if getattr(args, 'dtype', 'fp32') != 'fp32':
            _set_backbone_dtype(cfg, args.dtype)
        if getattr(args, 'tta', False):
            _enable_tta(cfg)
        if getattr(args, 'out', None):
            _enable_out(cfg, args.out)
    return cfg


def prepare_launcher(launcher: str) -> None:
    """Before a distributed Runner starts: Slurm's rendezvous and ranks in the environment (MASTER_ADDR:
    the job's first node, MASTER_PORT: from the job id unless set), and a clear stop when this
    process's local rank has no GPU."""
    if launcher == 'slurm':
        os.environ.update(slurm_environment(os.environ))
    check_local_gpu(launcher)


def start_runner(cfg: Config) -> Runner:
    """The Runner for ``cfg`` (``cfg.launcher`` set): gloo on CPU processes, and in a multi-process run
    a check that every rank sees the same work_dir and working directory (checkpoints, ``--resume``,
    mmengine's ``.dist_test`` result collection)."""
    if cfg.get('launcher', 'none') != 'none' and not torch.cuda.is_available():
        _init_cpu_distributed(cfg)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    check_shared_filesystem([runner.work_dir, os.getcwd()],
                            why=': rank 0 alone writes checkpoints that --resume reads on every rank, and mmengine '
                                'collects evaluation results through .dist_test in the working directory')
    return runner


def build_runner(args: argparse.Namespace, mode: str) -> Runner:
    """Config -> Runner for ``mode`` 'train' or 'test', applying the command-line options."""
    prepare_launcher(args.launcher)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = build_config(args, mode)
    if mode == 'train':
        hold_work_dir(cfg.work_dir)  # before the Runner writes its logs there
    enable_tf32()  # fp32 matmuls / convolutions on TF32 tensor cores (Ampere+; no effect on CPUs)
    return start_runner(cfg)


def build_runner_or_exit(args: argparse.Namespace, mode: str, check=None) -> Runner:
    """:func:`build_runner` for the command line: a config mistake radio_dense detects (class
    count, resume file, checkpoint mismatch found by ``check(runner)``) ends the tool with its
    message instead of a traceback."""
    from radio_dense.openmmlab.engine.checkpoint_fit import CheckpointMismatchError
    from radio_dense.openmmlab.engine.num_classes_check import NumClassesError
    from radio_dense.openmmlab.engine.resume import ResumeError
    try:
        runner = build_runner(args, mode)
        if check is not None:
            check(runner)
    except (CheckpointMismatchError, NumClassesError, ResumeError, SharedFilesystemError, TrainConfigError,
            WorkDirLockedError) as err:
        raise SystemExit(f'error: {err}')
    return runner


def save_metrics(metrics: dict, path: str) -> None:
    """Write a metrics dict (numbers, numpy scalars) to JSON, creating the folder."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump({k: float(v) if hasattr(v, '__float__') else v for k, v in metrics.items()}, f, indent=1)
