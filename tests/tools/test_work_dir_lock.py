"""One training run per work_dir (docs/reliability.md): a second run stops with the holder's pid and host
before it writes anything; a lock left by a dead run is taken over; ranks other than 0 take none."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from radio_dense.openmmlab.engine.work_dir_lock import (LOCK_NAME, WorkDirLockedError, hold_work_dir,
                                                         release_work_dir)

REPO = Path(__file__).resolve().parents[2]
HOLD = ('import sys, time; from radio_dense.openmmlab.engine.work_dir_lock import hold_work_dir; '
        'hold_work_dir(sys.argv[1]); print("held", flush=True); time.sleep(60)')


@pytest.fixture
def other_run(tmp_path):
    """A live process of another run holding ``tmp_path/wd``."""
    work_dir = tmp_path / 'wd'
    proc = subprocess.Popen([sys.executable, '-c', HOLD, str(work_dir)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'held'
    yield work_dir, proc
    proc.kill()
    proc.wait()


def test_a_second_run_is_refused_with_the_holder(other_run):
    work_dir, proc = other_run
    with pytest.raises(WorkDirLockedError, match=f'pid {proc.pid} on {socket.gethostname()}') as err:
        hold_work_dir(str(work_dir))
    assert 'another --work-dir' in str(err.value) and LOCK_NAME in str(err.value)


def test_train_py_stops_before_writing_into_a_held_work_dir(other_run):
    work_dir, proc = other_run
    before = sorted(os.listdir(work_dir))
    out = subprocess.run([sys.executable, str(REPO / 'tools/train.py'),
                          str(REPO / 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'),
                          '--work-dir', str(work_dir)], capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and f'pid {proc.pid}' in out.stderr, out.stderr[-2000:]
    assert 'Traceback' not in out.stderr and sorted(os.listdir(work_dir)) == before


def test_a_dead_runs_lock_is_taken_over(tmp_path):
    proc = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    dead = int(proc.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({'pid': dead, 'host': socket.gethostname(), 'since': time.time()}))
    with pytest.warns(UserWarning, match='stale'):
        path = hold_work_dir(str(tmp_path))
    assert json.loads(open(path).read())['pid'] == os.getpid()
    release_work_dir(path)
    assert not os.path.exists(path)


def test_a_reused_pid_is_stale_and_another_hosts_lock_is_trusted(tmp_path):
    (tmp_path / LOCK_NAME).write_text(json.dumps({'pid': os.getppid(), 'host': socket.gethostname(), 'since': 0,
                                                  'process_start': 1.0}))  # alive pid, other start time
    with pytest.warns(UserWarning, match='stale'):
        release_work_dir(hold_work_dir(str(tmp_path)))
    (tmp_path / LOCK_NAME).write_text(json.dumps({'pid': 1, 'host': 'elsewhere', 'since': 0}))
    with pytest.raises(WorkDirLockedError, match='on elsewhere'):
        hold_work_dir(str(tmp_path))


def test_only_rank_zero_locks(tmp_path, monkeypatch):
    monkeypatch.setenv('RANK', '1')
    assert hold_work_dir(str(tmp_path)) is None and not (tmp_path / LOCK_NAME).exists()
