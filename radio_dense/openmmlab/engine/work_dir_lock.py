"""One training run per work_dir: a lock file that names its holder, taken before the Runner starts.

Two ``tools/train.py`` runs on one work_dir race for its checkpoints and logs (the second crashed at
iteration 8 on the first one's ``iter_8.pth.partial``, with both logs mixed). The first run writes
``<work_dir>/.train.lock`` (pid, host, process start time, command); a second run stops with the
holder's details and what to do. A lock left by a run that died (its pid is gone on this host, or the
pid now belongs to another process) is stale: it is taken over with a warning. In a distributed run only
rank 0 takes it (every rank shares the work_dir).
"""
import atexit
import json
import os
import socket
import sys
import time
import warnings
from typing import Optional

LOCK_NAME = '.train.lock'


class WorkDirLockedError(RuntimeError):
    """Another live run holds the work_dir."""


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def _process_start(pid: int) -> Optional[float]:
    """When ``pid`` started (seconds since the epoch); ``-1`` when alive but unknown; ``None`` when gone."""
    try:
        import psutil
    except ImportError:
        return -1.0 if _pid_exists(pid) else None
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return None
    except psutil.Error:
        return -1.0


def _is_stale(holder: dict) -> bool:
    """A lock whose process is gone (on this host) or whose pid was reused by a later process."""
    if holder.get('host') != socket.gethostname():
        return False  # cannot see the other machine's processes: trust the lock
    started = _process_start(int(holder.get('pid', -1)))
    if started is None:
        return True
    recorded = holder.get('process_start')
    return started > 0 and recorded is not None and abs(started - recorded) > 1.0


def _describe(holder: dict) -> str:
    when = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(holder.get('since', 0)))
    return f"pid {holder.get('pid')} on {holder.get('host')} since {when} ({holder.get('command', '?')})"


def _read(path: str) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _is_rank_zero() -> bool:
    rank = os.environ.get('RANK', os.environ.get('SLURM_PROCID', '0'))
    return str(rank) == '0'


def hold_work_dir(work_dir: str) -> Optional[str]:
    """Take ``work_dir``'s training lock for this process (released at exit); returns the lock path, or
    ``None`` on ranks other than 0. Raises :class:`WorkDirLockedError` when a live run holds it."""
    if not _is_rank_zero():
        return None
    os.makedirs(work_dir, exist_ok=True)
    path = os.path.join(work_dir, LOCK_NAME)
    me = {'pid': os.getpid(), 'host': socket.gethostname(), 'since': time.time(),
          'process_start': _process_start(os.getpid()), 'command': ' '.join(sys.argv)[:300]}
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read(path)
            if holder.get('pid') == os.getpid() and holder.get('host') == me['host']:
                return path  # this process holds it already (train() after a resume check)
            if holder and not _is_stale(holder):
                raise WorkDirLockedError(
                    f'{os.path.abspath(work_dir)} is in use by another training run: {_describe(holder)}. Wait for it '
                    f'to finish, or train into another --work-dir. If that run is gone (e.g. on a machine that '
                    f'rebooted), delete {path}.')
            warnings.warn(f'Taking over the stale lock of a run that is gone: {_describe(holder) if holder else path}')
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            continue
        with os.fdopen(fd, 'w') as f:
            json.dump(me, f)
        atexit.register(release_work_dir, path)
        return path
    raise WorkDirLockedError(f'Could not take {path}: another run took it at the same moment')


def release_work_dir(path: str) -> None:
    """Remove the lock if this process holds it."""
    holder = _read(path)
    if holder.get('pid') == os.getpid() and holder.get('host') == socket.gethostname():
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
