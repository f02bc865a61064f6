"""Helpers for end-to-end runs of tools/*.py on the synthetic data set."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

REPO = Path(__file__).resolve().parents[2]


def loader_options(data_root: str, batch_size: int = 2) -> List[str]:
    """--cfg-options making the demo data loaders small, single-process and rooted at ``data_root``."""
    opts = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{loader}.dataset.data_root={data_root}', f'{loader}.num_workers=0',
                 f'{loader}.persistent_workers=False', f'{loader}.batch_size={batch_size}']
    return opts


def run_tool(args: List[str], timeout: int = 600, env: Dict[str, str] = None) -> str:
    """Run a repository tool with this interpreter; returns its output, fails with the log tail."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1', **(env or {}))
    proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=timeout, env=full_env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, f'{args[:3]} failed ({proc.returncode}):\n{out[-4000:]}'
    return out


def cpu_distributed_env(port: int) -> Dict[str, str]:
    """Environment of a multi-process CPU run: CUDA hidden, so the processes use gloo also on a GPU
    machine (with CUDA visible, torchrun's processes would take NCCL and one GPU each)."""
    return {'PYTHON': sys.executable, 'PORT': str(port), 'CUDA_VISIBLE_DEVICES': ''}


def run_distributed(launcher: str, *args: str, port: int) -> str:
    """``tools/<launcher>`` (dist_train.sh / dist_test.sh) with CPU processes on gloo; returns the output."""
    return run_tool(['bash', str(REPO / 'tools' / launcher), *args], env=cpu_distributed_env(port))


def python_tool(script: str, *args: str, **kwargs) -> str:
    return run_tool([sys.executable, str(REPO / script), *args], **kwargs)


TINY_SEG_CONFIG = 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'
_TINY_SEG_RUN: Dict[str, str] = {}


def tiny_seg_options(data_root: str) -> List[str]:
    """--cfg-options of the tiny segmentation runs: loaders on ``data_root``, 96x96 batches."""
    return [*loader_options(data_root), 'model.data_preprocessor.size=(96,96)']


def tiny_seg_run(tmp_path_factory) -> Dict[str, str]:
    """The segmentation demo (``TINY_SEG_CONFIG``) trained 1 iteration by tools/train.py on 4 96-px synthetic
    images: ``{'data': data root, 'checkpoint': iter_1.pth}``. Made once per test session (a train.py run costs
    10-20 s) and only read by the tests that share it (tools/ablate.py runs, crash-safety case 10)."""
    if not _TINY_SEG_RUN:
        from radio_dense.data import write_demo_dataset
        root = tmp_path_factory.mktemp('tiny_seg_run')
        data, work = root / 'data', root / 'train'
        write_demo_dataset(str(data), num_train=4, num_val=2, size=96, seed=0, progress=False)
        python_tool('tools/train.py', TINY_SEG_CONFIG, '--work-dir', str(work), '--cfg-options',
                    'train_cfg.max_iters=1', 'default_hooks.checkpoint.interval=1', *tiny_seg_options(str(data)))
        _TINY_SEG_RUN.update(data=str(data), checkpoint=str(work / 'iter_1.pth'))
    return dict(_TINY_SEG_RUN)
