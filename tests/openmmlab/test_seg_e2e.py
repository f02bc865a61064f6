"""tools/train.py, tools/test.py, --resume and dist_train.sh on the synthetic segmentation demo."""
import re

import pytest
import torch

import radio_dense.openmmlab  # noqa: F401  (allow-lists mmengine checkpoint classes for torch.load below)
from radio_dense.data import write_demo_dataset

from .e2e_utils import REPO, loader_options, python_tool, run_distributed

CONFIG = 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo_data')
    write_demo_dataset(str(root), num_train=12, num_val=4, size=128, seed=0, progress=False)
    return str(root)


def _opts(data_root, max_iters):
    return ['--cfg-options', f'train_cfg.max_iters={max_iters}', 'train_cfg.val_interval=1000',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1',
            'model.data_preprocessor.size=(128,128)', *loader_options(data_root)]


def test_train_test_resume(tmp_path, data_root):
    work = tmp_path / 'work'
    python_tool('tools/train.py', CONFIG, '--work-dir', str(work), *_opts(data_root, 2))
    assert (work / 'iter_2.pth').exists()
    out = python_tool('tools/test.py', CONFIG, str(work / 'iter_2.pth'), '--work-dir', str(work),
                      '--show-dir', str(tmp_path / 'vis'), *_opts(data_root, 2))
    miou = float(re.search(r'mIoU: ([\d.]+)', out).group(1))
    assert 0.0 <= miou <= 100.0
    assert len(list((tmp_path / 'vis').rglob('*.png'))) == 4
    out = python_tool('tools/train.py', CONFIG, '--work-dir', str(work), '--resume', *_opts(data_root, 4))
    assert 'resumed' in out.lower() and 'Iter(train) [3/4]' in out
    assert (work / 'iter_4.pth').exists()
    ckpt = torch.load(work / 'iter_4.pth', map_location='cpu')  # torch default weights_only=True
    assert ckpt['meta']['iter'] == 4


def test_frozen_backbone_is_bit_identical(tmp_path, data_root, hub_checkpoint):
    from radio_dense import load_radio
    work = tmp_path / 'frozen'
    opts = _opts(data_root, 2) + [f'model.backbone.checkpoint={hub_checkpoint}', 'model.backbone.frozen=True']
    python_tool('tools/train.py', CONFIG, '--work-dir', str(work), *opts)
    state = torch.load(work / 'iter_2.pth', map_location='cpu')['state_dict']
    ref = load_radio(hub_checkpoint).state_dict()
    backbone = {k[len('backbone.radio.'):]: v for k, v in state.items() if k.startswith('backbone.radio.')}
    compared = [k for k in ref if k in backbone]
    assert len(compared) >= len([k for k in ref if not k.startswith('input_conditioner')])
    for k in compared:
        assert torch.equal(backbone[k], ref[k]), k


def test_amp_is_refused_without_cuda(tmp_path, data_root):
    if torch.cuda.is_available():
        pytest.skip('CUDA present: --amp is allowed')
    from radio_dense.tools.train import main  # in-process: a refusal needs no fresh interpreter (~10 s)
    with pytest.raises(SystemExit, match='--amp fp16 needs a CUDA GPU'):
        main([CONFIG, '--work-dir', str(tmp_path), '--amp', *_opts(data_root, 1)])
    assert not any(tmp_path.iterdir())  # refused before the Runner made its work dir


@pytest.mark.parametrize('frozen_stages', [-1, 1])
def test_dist_train_final_norm_checkpoint_with_find_unused_parameters_false(tmp_path, data_root, frozen_stages):
    """dist_train.sh with two CPU processes; a RADIOv2-style checkpoint (final norm the backbone's outputs skip)
    trains under DDP with mmengine's default find_unused_parameters=False: unused parameters are frozen, not left
    waiting."""
    work = tmp_path / 'dist'
    ckpt = REPO / 'tests/fixtures/upstream/mlp_v1_final_norm/model.pth.tar'
    opts = _opts(data_root, 4) + [f'model.backbone.checkpoint={ckpt}', f'model.backbone.frozen_stages={frozen_stages}',
                                  'default_hooks.checkpoint.interval=4']
    out = run_distributed('dist_train.sh', CONFIG, '2', '--work-dir', str(work), *opts, port=29533 + frozen_stages)
    assert 'Distributed training: True' in out and 'GPU number: 2' in out, out[-2000:]  # mmengine's env log
    assert 'Iter(train) [4/4]' in out and (work / 'iter_4.pth').exists(), out[-3000:]
    assert 'cannot receive a gradient' in out and 'radio.model.norm.*' in out, out[-3000:]
