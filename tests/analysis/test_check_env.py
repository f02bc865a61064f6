"""setup_env.sh's mmcv decision (CPU wheel, CUDA build or a stop with what to install) and check_env's report."""
import subprocess
import sys

import pytest

from radio_dense.analysis.check_env import MmcvState, mmcv_build_plan, report, shell_plan
from tests.conftest import REPO_ROOT


def _state(**kw):
    base = dict(gpu=False, torch_cuda='12.8', nvcc=None, cuda_home=None, mmcv=None, ops=False, ops_cuda=None)
    return MmcvState(**{**base, **kw})


@pytest.mark.parametrize('state,action,words', [
    (_state(), 'build-cpu', ['no CUDA GPU']),
    (_state(mmcv='2.1.0', ops=True), 'ok', ['CPU ops are enough']),
    (_state(gpu=True, torch_cuda=None), 'stop', ['CPU-only build', 'cu128']),
    (_state(gpu=True, mmcv='2.1.0', ops=True), 'stop', ['compiled for CPU only', 'nvcc', 'CUDA toolkit 12.8']),
    (_state(gpu=True, nvcc='13.0', cuda_home='/usr/local/cuda-13.0'), 'stop',
     ['nvcc 13.0', 'CUDA 12.8', 'install the CUDA toolkit 12.8']),
    (_state(gpu=True, nvcc='12.4', cuda_home='/usr/local/cuda-12.4', mmcv='2.1.0', ops=True), 'build-cuda',
     ['compiled for CPU only', 'nvcc 12.4']),
    (_state(gpu=True, nvcc='12.8', cuda_home='/opt/cuda', mmcv='2.1.0', ops=True, ops_cuda='11.8'), 'build-cuda',
     ['compiled for CUDA 11.8']),
    (_state(gpu=True, mmcv='2.1.0', ops=True, ops_cuda='12.8'), 'ok', ['compiled for CUDA 12.8']),
])
def test_mmcv_build_plan(state, action, words):
    plan = mmcv_build_plan(state)
    assert plan.action == action, plan.message
    assert all(w in plan.message for w in words), plan.message
    if action == 'build-cuda':
        assert plan.cuda_home == state.cuda_home


def test_plan_as_shell_variables_survives_quotes():
    out = subprocess.run(['bash', '-c', f'eval "$1"; printf "%s|%s" "$MMCV_ACTION" "$MMCV_MESSAGE"', '_',
                          shell_plan(mmcv_build_plan(_state(gpu=True, torch_cuda=None)))],
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith('stop|A CUDA GPU is present but torch') and "'" not in out.split('|')[0]


def test_check_env_reports_this_machine_and_setup_env_runs_it_by_path():
    info = report()
    assert info['mmcv'] == '2.1.0' and info['ops'] and info['ops_cuda'] is None  # CPU-only wheel here
    assert info['ops_ready_for_cuda'] is False and info['plan'] in ('ok', 'build-cpu', 'stop', 'build-cuda')
    # as tools/setup_env.sh runs it: from stdin, before radio_dense is installed
    out = subprocess.run([sys.executable, '-', '--plan'], stdin=open(REPO_ROOT / 'radio_dense/analysis/check_env.py'),
                         capture_output=True, text=True, check=True, cwd='/').stdout
    assert out.splitlines()[0] in ('MMCV_ACTION=ok', 'MMCV_ACTION=build-cpu')
    text = subprocess.run([sys.executable, '-m', 'radio_dense.analysis.check_env'], capture_output=True, text=True,
                          check=True, cwd=REPO_ROOT).stdout
    assert 'ops_ready_for_cuda: False' in text and 'plan:' in text
