"""tools/train.py, tools/test.py (COCO bbox + segm mAP, --show-dir), --resume, --amp and the
distributed launchers on the synthetic Mask R-CNN demo (mmdet). One dist_train.sh run is shared: dist_test.sh
tests it, and tools/test.py + tools/train.py --resume continue it in one process (a copy of its work dir)."""
import re
import shutil

import pytest
import torch

import radio_dense.openmmlab  # noqa: F401  (allow-lists mmengine checkpoint classes for torch.load below)
from radio_dense.data import write_demo_dataset

from .e2e_utils import loader_options, python_tool, run_distributed

CONFIG = 'configs/demo/radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py'
pytestmark = pytest.mark.slow
# a 2-iteration model scores every box below the default 0.05: keep them so COCO metrics are computed
KEEP_ALL = ['model.test_cfg.rcnn.score_thr=0.0']


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo_det_data')
    write_demo_dataset(str(root), num_train=8, num_val=4, size=128, seed=0, progress=False)
    return str(root)


def _data_opts(data_root):
    """Loaders on ``data_root`` plus the evaluators' ground truth (CocoMetric takes a full path)."""
    ann = f'{data_root}/annotations/instances_val.json'
    return [*loader_options(data_root), f'val_evaluator.ann_file={ann}', f'test_evaluator.ann_file={ann}']


def _train_opts(data_root, max_iters):
    return ['--cfg-options', f'train_cfg.max_iters={max_iters}', 'train_cfg.val_interval=1000',
            'default_hooks.checkpoint.interval=2', 'default_hooks.logger.interval=1', *_data_opts(data_root)]


def _coco_metrics(out: str) -> dict:
    return {k: float(v) for k, v in re.findall(r'coco/(\w+): (-?[\d.]+)', out)}


@pytest.fixture(scope='module')
def dist_run(tmp_path_factory, data_root):
    """The dist_train.sh launcher: 2 iterations in two CPU processes (gloo); its work dir and output, shared (read
    only)."""
    work = tmp_path_factory.mktemp('det_dist')
    out = run_distributed('dist_train.sh', CONFIG, '2', '--work-dir', str(work), *_train_opts(data_root, 2),
                          port=29541)
    return work, out


def test_train_test_resume(tmp_path, data_root, dist_run):
    """tools/test.py on the two-process run's checkpoint, then tools/train.py resumes that run in one process."""
    work = tmp_path / 'work'
    shutil.copytree(dist_run[0], work)
    assert (work / 'iter_2.pth').exists()

    vis = tmp_path / 'vis'
    out = python_tool('tools/test.py', CONFIG, str(work / 'iter_2.pth'), '--work-dir', str(work),
                      '--show-dir', str(vis), '--cfg-options', *_data_opts(data_root), *KEEP_ALL)
    metrics = _coco_metrics(out)
    for key in ('bbox_mAP', 'bbox_mAP_50', 'segm_mAP', 'segm_mAP_50'):
        assert key in metrics, out[-3000:]
        assert -1.0 <= metrics[key] <= 1.0  # pycocotools reports -1 where a category has no detection
    assert 'Average Precision' in out  # pycocotools' summary tables (bbox and segm)
    painted = sorted(vis.rglob('*.jpg'))
    assert len(painted) == 4, painted

    out = python_tool('tools/train.py', CONFIG, '--work-dir', str(work), '--resume', *_train_opts(data_root, 4))
    assert 'resumed' in out.lower() and 'Iter(train) [3/4]' in out
    assert 'Distributed training: False' in out, out[-2000:]
    assert (work / 'iter_4.pth').exists()
    ckpt = torch.load(work / 'iter_4.pth', map_location='cpu')  # torch default weights_only=True
    assert ckpt['meta']['iter'] == 4


def test_amp_is_refused_without_cuda(tmp_path, data_root):
    if torch.cuda.is_available():
        pytest.skip('CUDA present: --amp is allowed')
    from radio_dense.tools.train import main  # in-process: a refusal needs no fresh interpreter (~10 s)
    with pytest.raises(SystemExit, match='--amp fp16 needs a CUDA GPU'):
        main([CONFIG, '--work-dir', str(tmp_path), '--amp', *_train_opts(data_root, 1)])
    assert not any(tmp_path.iterdir())  # refused before the Runner made its work dir


def test_dist_train_and_test_two_cpu_processes(dist_run, data_root):
    work, out = dist_run
    assert (work / 'iter_2.pth').exists()
    assert 'Distributed training: True' in out and 'GPU number: 2' in out, out[-2000:]  # mmengine's env log
    out = run_distributed('dist_test.sh', CONFIG, str(work / 'iter_2.pth'), '2', '--work-dir', str(work / 'test'),
                          '--cfg-options', *_data_opts(data_root), *KEEP_ALL, port=29541)
    assert 'bbox_mAP' in _coco_metrics(out) and 'segm_mAP' in _coco_metrics(out), out[-3000:]
