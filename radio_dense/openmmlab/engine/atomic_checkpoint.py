"""A checkpoint hook that never leaves a run without a complete checkpoint.

mmengine's ``CheckpointHook`` deletes the oldest checkpoint *before* writing the new one, and
writes the new one in place: a crash (or ``kill -9``) during the write with ``max_keep_ckpts=1``
leaves only a truncated file and a ``last_checkpoint`` naming the deleted one. This hook writes
``<name>.partial``, flushes it to disk, renames it to ``<name>``, updates ``last_checkpoint``
the same way, and only then deletes checkpoints beyond ``max_keep_ckpts``.

``tools/train.py`` (``tools/common/runner.py: build_runner``) swaps mmengine's ``CheckpointHook``
for this one in every config, so our configs get it by default.
"""
import os
import os.path as osp
from typing import List

from mmengine.dist import is_main_process
from mmengine.fileio.backends import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

PARTIAL_SUFFIX = '.partial'


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: str, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename (never an empty or half-written file)."""
    partial = path + PARTIAL_SUFFIX
    with open(partial, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(partial, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) with crash-safe saving: write, rename, then prune."""

    def _local(self) -> bool:
        return isinstance(self.file_backend, LocalBackend)

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not self._local():  # remote backends: no rename; keep mmengine's behaviour
            return super()._save_checkpoint_with_step(runner, step, meta)
        outdated = self._update_keep_list(runner, step)
        filename = self.filename_tmpl.format(step)
        final = self.file_backend.join_path(self.out_dir, filename)
        self.last_ckpt = final
        runner.message_hub.update_info('last_ckpt', final)
        runner.save_checkpoint(self.out_dir, filename + PARTIAL_SUFFIX, self.file_client_args,
                               save_optimizer=self.save_optimizer, save_param_scheduler=self.save_param_scheduler,
                               meta=meta, by_epoch=self.by_epoch, backend_args=self.backend_args, **self.args)
        if not is_main_process():
            return
        _fsync(final + PARTIAL_SUFFIX)
        os.replace(final + PARTIAL_SUFFIX, final)
        atomic_write_text(osp.join(runner.work_dir, 'last_checkpoint'), final)
        for old in outdated:  # only now that the new checkpoint is complete
            path = self.file_backend.join_path(self.out_dir, self.filename_tmpl.format(old))
            if osp.isfile(path):
                os.remove(path)

    def _update_keep_list(self, runner, step) -> List[int]:
        """Record ``step`` among the kept checkpoints; returns the steps to delete after saving."""
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            return []
        outdated = []
        while len(self.keep_ckpt_ids) >= self.max_keep_ckpts:
            outdated.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))
        return outdated


def use_atomic_checkpoints(cfg) -> None:
    """Swap mmengine's ``CheckpointHook`` in ``cfg.default_hooks`` for :class:`AtomicCheckpointHook`."""
    hooks = cfg.get('default_hooks') or {}
    checkpoint = hooks.get('checkpoint')
    if checkpoint is not None and checkpoint.get('type') in ('CheckpointHook', 'mmengine.CheckpointHook',
                                                              CheckpointHook):
        checkpoint['type'] = 'AtomicCheckpointHook'
