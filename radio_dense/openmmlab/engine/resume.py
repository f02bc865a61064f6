"""Choose the checkpoint ``--resume`` really loads: complete, an mmengine training checkpoint, or explained.

A checkpoint cut short (a crash while it was written, a full disk) is named and skipped for
the newest complete one in the work dir, with a log line; a file that is not an mmengine
training checkpoint (a plain state dict, a RADIO release, random bytes) is refused with what it is.
"""
import glob
import os.path as osp
import re
from typing import Optional

import torch
from mmengine.logging import print_log

from ...radio.file_kind import describe_file, is_truncated_torch_file
from .training_checkpoint import read_training_checkpoint

_STEP = re.compile(r'(?:iter|epoch)_(\d+)\.pth$')


class ResumeError(ValueError):
    """A ``--resume`` target that cannot be resumed from; the message says what it is and what to do."""


def check_training_checkpoint(path: str) -> None:
    """Raise :class:`ResumeError` unless ``path`` is a complete mmengine training checkpoint."""
    if not osp.isfile(path):
        raise ResumeError(f'--resume {path}: no such file')
    if is_truncated_torch_file(path):
        raise ResumeError(f'{path} is truncated (an interrupted save?)')
    try:
        content = read_training_checkpoint(path, mmap=True)
    except Exception as err:  # noqa: BLE001 - described below
        raise ResumeError(f'{path} cannot be resumed from: it is {describe_file(path)} ({type(err).__name__}: '
                          f'{str(err).splitlines()[0][:200]})') from err
    if not isinstance(content, dict) or 'meta' not in content or 'state_dict' not in content:
        if isinstance(content, dict) and content and all(isinstance(v, torch.Tensor) for v in content.values()):
            what = f'a plain state dict of {len(content)} tensors (e.g. {sorted(content)[:3]})'
        elif isinstance(content, dict):
            what = f'a dict with keys {sorted(map(str, content))[:8]}'
        else:
            what = f'a {type(content).__name__}'
        raise ResumeError(
            f'{path} is not an mmengine training checkpoint (no "meta"/"state_dict"): it is {what}. To start '
            f'training from these weights, drop --resume and pass --cfg-options load_from={path}.')


def _step(path: str) -> int:
    match = _STEP.search(osp.basename(path))
    return int(match.group(1)) if match else -1


def newest_complete_checkpoint(work_dir: str, exclude: str = '') -> Optional[str]:
    """The complete checkpoint with the highest iteration/epoch number in ``work_dir``."""
    candidates = sorted(glob.glob(osp.join(work_dir, '*.pth')), key=lambda p: (_step(p), osp.getmtime(p)),
                        reverse=True)
    for path in candidates:
        if osp.abspath(path) == osp.abspath(exclude):
            continue
        try:
            check_training_checkpoint(path)
        except ResumeError:
            continue
        return path
    return None


def resolve_resume(requested: Optional[str], work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: ``requested`` (None: the work dir's ``last_checkpoint``), or a fallback.

    Returns ``None`` when auto-resuming finds nothing (training starts from the beginning).
    """
    auto = requested is None
    if auto:
        pointer = osp.join(work_dir, 'last_checkpoint')
        if not osp.isfile(pointer):
            return newest_complete_checkpoint(work_dir)
        with open(pointer) as f:
            requested = f.read().strip()
    try:
        check_training_checkpoint(requested)
        return requested
    except ResumeError as err:
        broken = str(err)
        if osp.isfile(requested) and not is_truncated_torch_file(requested) and not auto:
            raise  # a wrong file given explicitly: say what it is
    fallback = newest_complete_checkpoint(work_dir, exclude=requested)
    if fallback is None:
        raise ResumeError(f'{broken}, and {work_dir} holds no complete checkpoint to fall back to. Delete the '
                          f'broken file (and {osp.join(work_dir, "last_checkpoint")}) to start from the beginning.')
    print_log(f'{broken}; resuming from the newest complete checkpoint instead: {fallback}', logger='current',
              level=30)
    return fallback
