"""Training and evaluation never lose a run or report a wrong model silently (issue #11 cases 7-10)."""
import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import torch

from radio_dense.data import write_demo_dataset

from .e2e_utils import REPO, TINY_SEG_CONFIG as SEG_CONFIG, python_tool, tiny_seg_options, tiny_seg_run


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('crash_data')
    write_demo_dataset(str(root), num_train=4, num_val=2, size=96, seed=0, progress=False)
    return root


def _common(data) -> list:
    return tiny_seg_options(str(data))


def _mmengine_checkpoint(path, step: int, size: int = 1000) -> None:
    torch.save({'meta': {'iter': step}, 'state_dict': {'w': torch.arange(float(size))},
                'message_hub': {'runtime_info': {}}}, path)


# ----- 7. atomic checkpoints, resume fallbacks -----
_SLOW_SAVE_LAUNCHER = r'''
import runpy, sys, time
from mmengine.fileio.backends import LocalBackend
real_put = LocalBackend.put
def slow_put(self, obj, filepath):
    if SLOW in str(filepath):  # write half of this checkpoint, then hang: the test kills us here
        with open(filepath, 'wb') as f:
            f.write(obj[:len(obj) // 2])
            f.flush()
        time.sleep(600)
    return real_put(self, obj, filepath)
LocalBackend.put = slow_put
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''


@pytest.mark.slow
def test_case07_kill_during_checkpoint_write_then_resume(tmp_path, tiny_data):
    work = tmp_path / 'work'
    options = ['--work-dir', str(work), '--cfg-options', 'train_cfg.max_iters=4', 'train_cfg.val_interval=100',
               'default_hooks.checkpoint.interval=2', 'default_hooks.checkpoint.max_keep_ckpts=1',
               'default_hooks.logger.interval=1', *_common(tiny_data)]
    launcher = tmp_path / 'slow_save.py'
    launcher.write_text("SLOW = 'iter_4.pth'\n" + _SLOW_SAVE_LAUNCHER)
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, str(launcher), str(REPO / 'tools/train.py'), SEG_CONFIG, *options],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 400
    try:
        while time.time() < deadline and proc.poll() is None:
            writing = [p for p in glob.glob(str(work / 'iter_4.pth*')) if os.path.getsize(p) > 0]
            if writing:
                break
            time.sleep(0.2)
        assert writing, 'the second checkpoint was never written'
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    out = python_tool('tools/train.py', SEG_CONFIG, '--resume', *options)
    assert 'FileNotFoundError' not in out
    assert 'resumed' in out.lower() and 'iter_2.pth' in out
    final = torch.load(work / 'iter_4.pth', map_location='cpu', weights_only=False)
    assert final['meta']['iter'] == 4
    assert open(work / 'last_checkpoint').read().strip().endswith('iter_4.pth')
    assert not os.path.exists(work / 'iter_2.pth')  # max_keep_ckpts=1, pruned after the new one was complete


def test_case07_truncated_resume_falls_back_with_a_log_line(tmp_path):
    from mmengine.logging import MMLogger
    from radio_dense.openmmlab.engine.resume import resolve_resume
    _mmengine_checkpoint(tmp_path / 'iter_2.pth', 2)
    _mmengine_checkpoint(tmp_path / 'full.pth', 4, size=100_000)
    data = (tmp_path / 'full.pth').read_bytes()
    (tmp_path / 'iter_4.pth').write_bytes(data[:len(data) // 2])
    os.remove(tmp_path / 'full.pth')
    log_file = tmp_path / 'log.txt'
    MMLogger.get_instance('case07', log_file=str(log_file))
    chosen = resolve_resume(str(tmp_path / 'iter_4.pth'), str(tmp_path))
    assert chosen == str(tmp_path / 'iter_2.pth')
    log = log_file.read_text()
    assert 'iter_4.pth is truncated' in log and 'resuming from the newest complete checkpoint' in log
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    assert resolve_resume(None, str(tmp_path)) == str(tmp_path / 'iter_2.pth')  # auto-resume too


def test_case07_resume_from_a_non_mmengine_file_says_what_it_is(tmp_path):
    from radio_dense.openmmlab.engine.resume import ResumeError, resolve_resume
    plain = tmp_path / 'resnet18.pth'
    torch.save({'conv1.weight': torch.zeros(2, 3), 'fc.bias': torch.zeros(2)}, plain)
    with pytest.raises(ResumeError, match=r'not an mmengine training checkpoint.*plain state dict of 2 tensors.*'
                                          r'load_from='):
        resolve_resume(str(plain), str(tmp_path))
    noise = tmp_path / 'noise.pth'
    noise.write_bytes(b'\x00\x01' + os.urandom(1000))
    with pytest.raises(ResumeError, match='not a known checkpoint format'):
        resolve_resume(str(noise), str(tmp_path))


def _train_args(config, work_dir, options):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    ns = parser.parse_args(['--cfg-options', *options])
    return argparse.Namespace(config=str(REPO / config), work_dir=str(work_dir), cfg_options=ns.cfg_options,
                              launcher='none', local_rank=0, amp=False, resume=None)


def test_case07_configs_save_checkpoints_atomically(tmp_path, tiny_data):
    from radio_dense.tools.common.runner import build_runner
    runner = build_runner(_train_args(SEG_CONFIG, tmp_path, _common(tiny_data)), 'train')
    names = [type(h).__name__ for h in runner.hooks]
    assert 'AtomicCheckpointHook' in names and 'CheckpointHook' not in names


# ----- 8. tools/test.py and checkpoints that do not fit -----
def test_case08_mismatched_checkpoint_is_refused(tmp_path):
    from radio_dense.openmmlab.engine.checkpoint_fit import CheckpointMismatchError, check_checkpoint_matches
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.Conv2d(8, 4, 1))
    good = tmp_path / 'good.pth'
    torch.save({'meta': {}, 'state_dict': {f'module.{k}': v for k, v in model.state_dict().items()}}, good)
    check_checkpoint_matches(model, str(good))
    wrong = tmp_path / 'resnet18.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7), 'fc.weight': torch.zeros(1000, 512)}, wrong)
    with pytest.raises(CheckpointMismatchError, match=r'100\.0% of its weights.*Missing keys \(9\).*0\.weight.*'
                                                      r'unexpected keys \(2\).*conv1\.weight.*--allow-partial'):
        check_checkpoint_matches(model, str(wrong))
    shape = tmp_path / 'shape.pth'
    state = model.state_dict()
    state['2.weight'] = torch.zeros(5, 8, 1, 1)
    torch.save({'state_dict': state}, shape)
    with pytest.raises(CheckpointMismatchError, match=r'2\.weight: file \(5, 8, 1, 1\) vs model \(4, 8, 1, 1\)'):
        check_checkpoint_matches(model, str(shape))


@pytest.mark.slow
def test_case08_test_tool_refuses_a_foreign_checkpoint(tmp_path, tiny_data, capsys):
    foreign = tmp_path / 'resnet18.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7), 'fc.weight': torch.zeros(10, 512)}, foreign)
    from radio_dense.tools.test import main  # the refusal in-process; the --allow-partial run below is a real process
    with pytest.raises(SystemExit, match=r'(?s)does not fit.*conv1\.weight'):
        main([SEG_CONFIG, str(foreign), '--work-dir', str(tmp_path / 'w'), '--cfg-options', *_common(tiny_data)])
    assert not re.search(r'mIoU: \d', capsys.readouterr().out)  # nothing was evaluated
    out = python_tool('tools/test.py', SEG_CONFIG, str(foreign), '--allow-partial', '--work-dir', str(tmp_path / 'w'),
                      '--cfg-options', *_common(tiny_data))
    assert re.search(r'mIoU: \d', out)


# ----- 9. num_classes against the data set -----
@pytest.mark.parametrize('num_classes', [4, 9])
def test_case09_num_classes_mismatch_is_explained(tmp_path, tiny_data, num_classes):
    from radio_dense.tools.common.runner import build_runner
    options = [*_common(tiny_data), f'model.decode_head.num_classes={num_classes}',
               f'model.auxiliary_head.num_classes={num_classes}']
    with pytest.raises(ValueError, match=rf'model\.decode_head\.num_classes={num_classes}.*has 7 classes '
                                         rf'\(background, circle.*model\.decode_head\.num_classes=7'):
        build_runner(_train_args(SEG_CONFIG, tmp_path, options), 'train')


# ----- 10. ablations keyed on the resolved config -----
def test_case10_config_digest_follows_every_option():
    from radio_dense.tools.common.ablation import config_digest
    config = str(REPO / SEG_CONFIG)
    base = config_digest(config, ['train_cfg.max_iters=5'])
    assert base == config_digest(config, ['train_cfg.max_iters=5'])
    assert base != config_digest(config, ['train_cfg.max_iters=6'])
    assert base != config_digest(config, ['train_cfg.max_iters=5'], {'checkpoint': 'other.pth'})


@pytest.mark.slow
def test_case10_changed_shared_options_rerun_the_points(tmp_path, tmp_path_factory, capsys):
    """tools/ablate.py in-process (its points still run tools/test.py; test_ablate.py runs the tool's process)."""
    from radio_dense.tools.ablate import main
    run = tiny_seg_run(tmp_path_factory)
    abl = tmp_path / 'ablation'
    grid = ['--grid', 'model.backbone.vitdet_window_size=[None]']

    def ablate(scale):
        main([SEG_CONFIG, '--checkpoint', run['checkpoint'], '--work-dir', str(abl), *grid,
              '--cfg-options', *tiny_seg_options(run['data']), f'test_dataloader.dataset.pipeline.1.scale={scale}'])
        return capsys.readouterr().out

    first = ablate('(96,96)')
    assert '0 already done, 1 to run' in first
    assert '1 already done, 0 to run' in ablate('(96,96)')
    changed = ablate('(128,128)')
    assert 'different config; running it again' in changed and '0 already done, 1 to run' in changed
    with pytest.raises(SystemExit, match='trained with a different config'):
        main([SEG_CONFIG, '--train', '--work-dir', str(abl), *grid,
              '--cfg-options', *tiny_seg_options(run['data']), 'train_cfg.max_iters=1'])


def test_case07_loading_sam_weights_keeps_mmengine_resume_working(tmp_path):
    """Reading RadioSam weights must not take mmengine's classes off torch's global allow-list."""
    from mmengine.logging import HistoryBuffer
    from radio_dense.sam.model_checkpoint import read_state_dict
    plain = tmp_path / 'neck.pth'
    torch.save({'image_encoder.neck.w': torch.zeros(2)}, plain)
    read_state_dict(str(plain))
    ckpt = tmp_path / 'iter_1.pth'
    loss = HistoryBuffer()
    loss.update(0.5)
    torch.save({'meta': {'iter': 1}, 'state_dict': {}, 'message_hub': {'log_scalars': {'loss': loss}}}, ckpt)
    assert torch.load(ckpt, weights_only=True)['meta']['iter'] == 1
