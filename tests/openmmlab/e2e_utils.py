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
