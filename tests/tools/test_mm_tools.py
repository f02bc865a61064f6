"""OpenMMLab-style tools on one tiny trained demo model: test.py --out/--tta, confusion matrix,
analyze_logs, publish_model (round trip through load_from), browse_dataset and benchmark."""
import json
import re
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from radio_dense.data import DEMO_SEG_METAINFO, write_demo_dataset

from ..analysis.conftest import load_tool
from ..openmmlab.e2e_utils import loader_options, python_tool

SEG_CONFIG = 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'
DET_CONFIG = 'configs/demo/radio-tiny_mask-rcnn_1xb4-800_synthetic-160x160.py'
NUM_VAL = 3
pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('tools_data')
    write_demo_dataset(str(root), num_train=8, num_val=NUM_VAL, size=128, seed=0, progress=False)
    return str(root)


def _options(data_root):
    return ['--cfg-options', 'model.data_preprocessor.size=(128,128)', *loader_options(data_root)]


@pytest.fixture(scope='module')
def trained(tmp_path_factory, data_root):
    """The demo config trained 4 iterations (validated at 2 and 4): work dir and checkpoint, shared by the tests."""
    work = tmp_path_factory.mktemp('tools_work')
    out = python_tool('tools/train.py', SEG_CONFIG, '--work-dir', str(work), *_options(data_root),
                      'train_cfg.max_iters=4', 'train_cfg.val_interval=2', 'default_hooks.logger.interval=1')
    assert 'schedule rescaled' in out  # 300 -> 4 iterations: the log says what happened to the schedule
    return work, work / 'iter_4.pth'


def _test(data_root, work, checkpoint, *extra):
    metrics = work / f'metrics_{len(list(work.glob("metrics_*.json")))}.json'
    python_tool('tools/test.py', SEG_CONFIG, str(checkpoint), '--work-dir', str(work), '--metrics-out', str(metrics),
                *extra, *_options(data_root))
    return json.loads(metrics.read_text())


@pytest.fixture(scope='module')
def plain(trained, data_root, tmp_path_factory):
    """tools/test.py on the trained checkpoint with ``--out``: its metrics and label-PNG folder, shared (read only)."""
    work, checkpoint = trained
    pred = tmp_path_factory.mktemp('plain_pred')
    return _test(data_root, work, checkpoint, '--out', str(pred)), pred


def test_out_writes_label_pngs_and_confusion_matrix_agrees(plain, data_root, tmp_path, capsys):
    metrics, shared_pred = plain
    shutil.copytree(shared_pred, tmp_path / 'pred')  # this test deletes a prediction below
    pngs = sorted((tmp_path / 'pred').glob('*.png'))
    assert len(pngs) == NUM_VAL
    for png in pngs:
        label = np.asarray(Image.open(png))
        truth = np.asarray(Image.open(f'{data_root}/annotations/validation/{png.name}'))
        assert label.shape == truth.shape and label.dtype == np.uint8
        assert label.max() < len(DEMO_SEG_METAINFO['classes'])

    tool = load_tool('analysis/confusion_matrix.py')
    assert tool.main([SEG_CONFIG, str(tmp_path / 'pred'), str(tmp_path / 'cm'),
                      '--cfg-options', f'test_dataloader.dataset.data_root={data_root}']) == 0
    out = capsys.readouterr().out
    assert float(re.search(r'mIoU ([\d.]+)', out).group(1)) == pytest.approx(metrics['mIoU'], abs=0.01)
    counts = np.loadtxt(tmp_path / 'cm' / 'confusion_matrix.csv', delimiter=',', skiprows=1)
    assert counts.shape == (7, 7) and counts.sum() == NUM_VAL * 128 * 128
    assert Image.open(tmp_path / 'cm' / 'confusion_matrix.png').size[0] > 300

    with pytest.raises(SystemExit, match='have no prediction'):
        pngs[0].unlink()
        tool.main([SEG_CONFIG, str(tmp_path / 'pred'), str(tmp_path / 'cm'),
                   '--cfg-options', f'test_dataloader.dataset.data_root={data_root}'])


def test_tta_evaluates_with_flip_and_scales(trained, plain, data_root, tmp_path):
    work, checkpoint = trained
    plain, plain_pred = plain
    tta = _test(data_root, work, checkpoint, '--tta', '--out', str(tmp_path / 'tta'))
    assert 0 <= tta['mIoU'] <= 100 and set(tta) >= {'aAcc', 'mIoU', 'mAcc'}
    assert len(list((tmp_path / 'tta').glob('*.png'))) == NUM_VAL
    differ = [p.name for p in (tmp_path / 'tta').glob('*.png')
              if not np.array_equal(np.asarray(Image.open(p)), np.asarray(Image.open(plain_pred / p.name)))]
    assert differ or tta == plain, 'TTA changed the metrics but not a single prediction'


def test_publish_model_round_trip_through_load_from(trained, plain, data_root, tmp_path, capsys):
    work, checkpoint = trained
    tool = load_tool('misc/publish_model.py')
    assert tool.main([str(checkpoint), str(tmp_path / 'radio-tiny_upernet_synthetic.pth')]) == 0
    published = list(tmp_path.glob('radio-tiny_upernet_synthetic-*.pth'))
    assert len(published) == 1 and re.fullmatch(r'radio-tiny_upernet_synthetic-[0-9a-f]{8}\.pth', published[0].name)
    assert published[0].stat().st_size < 0.6 * checkpoint.stat().st_size  # no optimizer state
    content = torch.load(published[0], map_location='cpu', weights_only=True)
    assert set(content) == {'meta', 'state_dict'} and 'message_hub' not in content['meta']
    original, _ = plain  # tools/test.py on the checkpoint itself
    again = _test(data_root, work, published[0])  # tools/test.py sets load_from to it
    assert again['mIoU'] == pytest.approx(original['mIoU'], abs=1e-6)
    with pytest.raises(SystemExit, match='cannot be read as a torch checkpoint'):
        bad = tmp_path / 'bad.pth'
        bad.write_bytes(b'not a checkpoint')
        tool.main([str(bad), str(tmp_path / 'x.pth')])
    for keys, says in ((['nonexistent'], 'not in the checkpoint'), (['meta'], 'must keep state_dict')):
        with pytest.raises(SystemExit, match=says):
            tool.main([str(checkpoint), str(tmp_path / 'keys.pth'), '--save-keys', *keys])
    assert not list(tmp_path.glob('keys*'))


def test_analyze_logs_plots_loss_and_miou(trained, tmp_path, capsys):
    work, _ = trained
    tool = load_tool('analysis/analyze_logs.py')
    assert tool.main(['plot_curve', str(work), '--keys', 'loss', 'lr', 'mIoU', '--out', str(tmp_path / 'c.png')]) == 0
    out = capsys.readouterr().out
    assert re.search(r'loss [\d.]+ at step 1 -> [\d.]+ at step 4 \(4 points\)', out), out
    assert re.search(r'mIoU [\d.]+ at step 2 -> [\d.]+ at step 4 \(2 points\)', out), out
    assert Image.open(tmp_path / 'c.png').size == (1500, 380)
    assert tool.main(['cal_train_time', str(work)]) == 0
    assert 's/iter on average' in capsys.readouterr().out
    with pytest.raises(SystemExit, match="No log has 'nope'"):
        tool.main(['plot_curve', str(work), '--keys', 'nope', '--out', str(tmp_path / 'x.png')])


def test_browse_dataset_segmentation_and_detection(data_root, tmp_path, capsys):
    tool = load_tool('misc/browse_dataset.py')
    assert tool.main([SEG_CONFIG, '--output-dir', str(tmp_path / 'seg'), '--num', '2', '--scale', '1',
                      '--cfg-options', f'train_dataloader.dataset.data_root={data_root}']) == 0
    pictures = sorted((tmp_path / 'seg').glob('*.png'))
    assert len(pictures) == 2 and Image.open(pictures[0]).size[0] == 2 * 192 + 3 * 8  # two 192 px crops
    assert tool.main([DET_CONFIG, '--output-dir', str(tmp_path / 'det'), '--num', '2', '--phase', 'val',
                      '--cfg-options', f'val_dataloader.dataset.data_root={data_root}/']) == 0
    assert len(list((tmp_path / 'det').glob('*.png'))) == 2


def test_benchmark_prints_images_per_second(data_root, capsys):
    tool = load_tool('analysis/benchmark.py')
    assert tool.main([SEG_CONFIG, '--num-images', '2', '--warmup', '1', '--device', 'cpu',
                      '--cfg-options', f'test_dataloader.dataset.data_root={data_root}']) == 0
    out = capsys.readouterr().out
    assert '(RANDOM WEIGHTS)' in out
    row = re.search(r'\| 2 \| [\dx, ]+ \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|', out)
    assert row and float(row.group(1)) > 0
