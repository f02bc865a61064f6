"""Multi-process set-up: CPU test runs stay on gloo on GPU machines, a local rank without a GPU stops
clearly, Slurm gives the rendezvous, and ranks that do not share work_dir fail with a clear message."""
import os
import re
import subprocess
import sys

import pytest
import torch
import torch.multiprocessing as mp

from radio_dense.tools.common.distributed import (SharedFilesystemError, check_local_gpu, check_shared_filesystem,
                                                  first_slurm_host, slurm_environment)

from ..openmmlab.e2e_utils import REPO, cpu_distributed_env


def test_cpu_distributed_test_runs_hide_cuda():
    env = dict(os.environ, **cpu_distributed_env(29599))
    probe = 'import os, torch; print(repr(os.environ["CUDA_VISIBLE_DEVICES"]), torch.cuda.device_count())'
    out = subprocess.run([sys.executable, '-c', probe], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["''", '0']


def test_every_multi_process_test_goes_through_run_distributed():
    """A launcher started any other way would pick NCCL and one GPU per process on a 1-GPU machine."""
    direct = re.compile(r"tools/(dist|slurm)_\w+\.sh|torch\.distributed\.run|torchrun")
    offenders = [str(p.relative_to(REPO)) for p in (REPO / 'tests').rglob('*.py')
                 if p.name not in ('e2e_utils.py', 'test_distributed.py') and direct.search(p.read_text())]
    assert offenders == []


def test_a_local_rank_without_a_gpu_stops_with_what_to_do(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 1)
    monkeypatch.setenv('LOCAL_RANK', '1')
    with pytest.raises(SystemExit, match=r"1 GPU\(s\) are visible.*CUDA_VISIBLE_DEVICES="):
        check_local_gpu('pytorch')
    check_local_gpu('none')
    monkeypatch.setenv('LOCAL_RANK', '0')
    check_local_gpu('pytorch')


@pytest.mark.parametrize('nodelist,host', [('gpu07', 'gpu07'), ('gpu[03-05,9]', 'gpu03'),
                                           ('a-node[12,20-21],b1', 'a-node12'), ('n[001-004]', 'n001')])
def test_first_slurm_host(nodelist, host):
    assert first_slurm_host(nodelist) == host


def test_slurm_environment():
    slurm = dict(SLURM_PROCID='5', SLURM_NTASKS='16', SLURM_LOCALID='1', SLURM_JOB_NODELIST='gpu[03-04]',
                 SLURM_JOB_ID='123456')
    assert slurm_environment(slurm) == dict(RANK='5', WORLD_SIZE='16', LOCAL_RANK='1', MASTER_ADDR='gpu03',
                                            MASTER_PORT=str(20000 + 3456))
    env = slurm_environment(dict(slurm, MASTER_ADDR='head', MASTER_PORT='1234'))
    assert 'MASTER_ADDR' not in env and 'MASTER_PORT' not in env  # the user's values stay
    with pytest.raises(SystemExit, match='srun'):
        slurm_environment({'SLURM_NODELIST': 'x'})


def _shared_fs_rank(rank: int, root: str, results) -> None:
    import torch.distributed as dist
    dist.init_process_group('gloo', init_method=f'file://{root}/rendezvous', rank=rank, world_size=2)
    try:
        for shared in (True, False):
            # not shared: each rank sees its own folder under the same relative name, as on two nodes
            cwd = os.path.join(root, 'node0' if shared else f'node{rank}')
            os.makedirs(os.path.join(cwd, 'work'), exist_ok=True)
            os.chdir(cwd)
            try:
                check_shared_filesystem(['work', '.'], why=' (test)')
                results[rank, shared] = 'ok'
            except SharedFilesystemError as err:
                results[rank, shared] = str(err)
    finally:
        dist.destroy_process_group()


def test_ranks_that_do_not_share_work_dir_fail_clearly(tmp_path):
    results = mp.Manager().dict()
    mp.spawn(_shared_fs_rank, args=(str(tmp_path), results), nprocs=2)
    assert results[0, True] == results[1, True] == 'ok'
    assert not list(tmp_path.rglob('.shared_fs_check_*'))  # the token is removed
    for rank in (0, 1):  # every rank stops, with the same message
        message = results[rank, False]
        assert 'needs a filesystem shared by all nodes' in message and 'rank 1 on' in message, message
        assert 'rank 0 on' not in message and f'{tmp_path}/node1/work' in message, message


def test_sam_train_takes_a_launcher():
    from radio_dense.tools.sam_train import parse_args
    assert parse_args(['cfg.py', '--launcher', 'slurm']).launcher == 'slurm'
    assert parse_args(['cfg.py']).launcher == 'none'


def test_multi_node_torchrun_needs_master_addr():
    env = {k: v for k, v in os.environ.items() if k != 'MASTER_ADDR'}
    proc = subprocess.run(['bash', str(REPO / 'tools/dist_launch.sh'), 'train.py', '1', 'config.py'],
                          env=dict(env, NNODES='2', PYTHON=sys.executable), capture_output=True, text=True)
    assert proc.returncode == 2 and "set MASTER_ADDR to node 0's address" in proc.stderr
