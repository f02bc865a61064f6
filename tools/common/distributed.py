"""Multi-process and multi-node set-up checks for tools/train.py, tools/test.py and tools/sam_train.py.

- Slurm: every task finds the rendezvous (``MASTER_ADDR``: the job's first node, ``MASTER_PORT``:
  from the job id unless set) and its ranks from Slurm's variables, without ``scontrol``, on GPU
  (NCCL) and CPU (gloo) alike.
- One GPU per process: a process whose local rank has no GPU stops with what to do instead of
  CUDA's "invalid device ordinal".
- Shared filesystem: rank 0 alone writes checkpoints into ``work_dir``; ``--resume auto`` reads
  them back on every rank, and mmengine collects distributed evaluation results through
  ``.dist_test`` in the working directory. Both need every node to see the same folders, which
  :func:`check_shared_filesystem` verifies (a token written by rank 0 must be read by all ranks).
"""
import os
import re
import secrets
from typing import Dict, Iterable, List, Mapping, Optional

import torch

DEFAULT_PORT_BASE = 20000  # MASTER_PORT = base + SLURM_JOB_ID % 10000 when not set: jobs sharing a node differ


class SharedFilesystemError(RuntimeError):
    """A multi-process run whose ranks do not see the same work_dir / working directory."""


def first_slurm_host(nodelist: str) -> str:
    """The first host of a Slurm node list: ``'gpu[03-05,9],cpu1'`` -> ``'gpu03'``."""
    match = re.match(r'([^,\[]+)(?:\[([^\]]+)\])?', nodelist.strip())
    if not match or not match.group(1):
        raise ValueError(f'Cannot read a host from the Slurm node list {nodelist!r}')
    prefix, ranges = match.group(1), match.group(2)
    if ranges is None:
        return prefix
    return prefix + ranges.split(',')[0].split('-')[0]


def slurm_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    """``MASTER_ADDR`` / ``MASTER_PORT`` / ``RANK`` / ``WORLD_SIZE`` / ``LOCAL_RANK`` of a Slurm task.

    Values already in ``environ`` win (set ``MASTER_ADDR`` / ``MASTER_PORT`` to override); the
    address is the first node of ``SLURM_JOB_NODELIST`` (or ``SLURM_NODELIST``), the port
    ``20000 + SLURM_JOB_ID % 10000`` so that two jobs sharing a node do not collide.
    """
    missing = [k for k in ('SLURM_PROCID', 'SLURM_NTASKS') if k not in environ]
    if missing:
        raise SystemExit(f'error: --launcher slurm needs the Slurm task variables {missing}: start the tool with srun '
                         f'(tools/slurm_train.sh / slurm_test.sh), or use --launcher pytorch with torchrun.')
    nodelist = environ.get('SLURM_JOB_NODELIST') or environ.get('SLURM_NODELIST')
    env = {'RANK': environ['SLURM_PROCID'], 'WORLD_SIZE': environ['SLURM_NTASKS'],
           'LOCAL_RANK': environ.get('SLURM_LOCALID', '0')}
    if 'MASTER_ADDR' not in environ:
        if not nodelist:
            raise SystemExit('error: --launcher slurm: no SLURM_JOB_NODELIST to find the first node; set MASTER_ADDR.')
        env['MASTER_ADDR'] = first_slurm_host(nodelist)
    if 'MASTER_PORT' not in environ:
        env['MASTER_PORT'] = str(DEFAULT_PORT_BASE + int(environ.get('SLURM_JOB_ID', '0')) % 10000)
    return env


def check_local_gpu(launcher: str) -> None:
    """Stop clearly when this distributed process's ``LOCAL_RANK`` has no visible CUDA GPU."""
    if launcher == 'none' or not torch.cuda.is_available():
        return
    local_rank, count = int(os.environ.get('LOCAL_RANK', '0')), torch.cuda.device_count()
    if local_rank >= count:
        raise SystemExit(f'error: process {local_rank} on this node needs CUDA GPU {local_rank}, but {count} GPU(s) '
                         f'are visible: start at most {count} process(es) per node (e.g. tools/dist_train.sh CONFIG '
                         f'{count}), or hide the GPUs (CUDA_VISIBLE_DEVICES=) to run CPU processes with gloo.')


def check_shared_filesystem(folders: Iterable[str], why: str = '') -> None:
    """Raise :class:`SharedFilesystemError` on every rank unless all ranks see the same ``folders``.

    Rank 0 writes a random token into each folder; after a barrier every rank reads it back. A no-op
    outside a multi-process run. ``why`` ends the message (what needs the shared folders).
    """
    import torch.distributed as dist
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() < 2:
        return
    folders = [os.path.abspath(f) for f in folders]
    token = [secrets.token_hex(8) if dist.get_rank() == 0 else None]
    dist.broadcast_object_list(token, src=0)
    name = f'.shared_fs_check_{token[0]}'
    if dist.get_rank() == 0:
        for folder in folders:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), 'w') as f:
                f.write(token[0])
    dist.barrier()
    unseen = [f for f in folders if not _holds(os.path.join(f, name), token[0])]
    reports: List[Optional[list]] = [None] * dist.get_world_size()
    dist.all_gather_object(reports, (os.uname().nodename, unseen))
    dist.barrier()
    if dist.get_rank() == 0:
        for folder in folders:
            os.remove(os.path.join(folder, name))
    bad = [(rank, host, unseen) for rank, (host, unseen) in enumerate(reports) if unseen]
    if bad:
        lines = '; '.join(f'rank {rank} on {host} cannot see {", ".join(unseen)}' for rank, host, unseen in bad)
        raise SharedFilesystemError(
            f'This {len(reports)}-process run needs a filesystem shared by all nodes: {lines} as rank 0 wrote it. '
            f'Put work_dir and the working directory on a shared filesystem (NFS, Lustre...) mounted at the same '
            f'path on every node{why}.')


def _holds(path: str, token: str) -> bool:
    try:
        with open(path) as f:
            return f.read() == token
    except OSError:
        return False
