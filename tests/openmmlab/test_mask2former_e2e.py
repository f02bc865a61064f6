"""The ViT-Adapter + Mask2Former demos end to end: the project's tools/train.py and tools/test.py,
and mmseg's / mmdet's own tools/train.py, on the synthetic set (semantic mIoU, panoptic PQ)."""
import re
from pathlib import Path

import pytest

from radio_dense.data import write_demo_dataset

from .e2e_utils import loader_options, python_tool

SEMANTIC = 'configs/demo/radio-tiny_adapter-mask2former_1xb4-300_synthetic-192x192.py'
PANOPTIC = 'configs/demo/radio-tiny_adapter-mask2former_1xb4-1000_synthetic-panoptic-160x160.py'
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo_m2f_data')
    write_demo_dataset(str(root), num_train=8, num_val=4, size=128, seed=0, progress=False)
    return str(root)


def _options(config: str, data_root: str, iters: int = 2):
    opts = [*loader_options(data_root), f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
            'default_hooks.logger.interval=1']
    if config == PANOPTIC:
        for evaluator in ('val_evaluator', 'test_evaluator'):
            opts += [f'{evaluator}.ann_file={data_root}/annotations/panoptic_val.json',
                     f'{evaluator}.seg_prefix={data_root}/annotations/panoptic_val/']
    return ['--cfg-options', *opts]


def _mm_train(codebase: str) -> str:
    """The codebase's own tools/train.py, as installed with its package (mim layout)."""
    module = __import__(codebase)
    return str(Path(module.__file__).parent / '.mim' / 'tools' / 'train.py')


def test_semantic_demo_trains_and_tests(tmp_path, data_root):
    work = tmp_path / 'work'
    out = python_tool('tools/train.py', SEMANTIC, '--work-dir', str(work), *_options(SEMANTIC, data_root))
    assert 'Iter(train) [2/2]' in out and re.search(r'mIoU: [\d.]+', out), out[-3000:]
    out = python_tool('tools/test.py', SEMANTIC, str(work / 'iter_2.pth'), '--work-dir', str(work),
                      *_options(SEMANTIC, data_root))
    assert re.search(r'mIoU: [\d.]+', out), out[-3000:]


def test_panoptic_demo_trains_and_scores_pq(tmp_path, data_root):
    out = python_tool('tools/train.py', PANOPTIC, '--work-dir', str(tmp_path / 'work'), *_options(PANOPTIC, data_root))
    assert 'Iter(train) [2/2]' in out, out[-3000:]
    pq = re.search(r'coco_panoptic/PQ: ([\d.]+)', out)
    assert pq and 0.0 <= float(pq.group(1)) <= 100.0, out[-3000:]


@pytest.mark.parametrize('codebase, config', [('mmseg', SEMANTIC), ('mmdet', PANOPTIC)])
def test_openmmlab_own_train_tool(tmp_path, data_root, codebase, config):
    out = python_tool(_mm_train(codebase), config, '--work-dir', str(tmp_path / 'work'),
                      *_options(config, data_root))
    assert 'Iter(train) [2/2]' in out, out[-3000:]
