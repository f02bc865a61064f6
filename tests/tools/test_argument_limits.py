"""Issue #22 items 1, 2, 6: numeric options and output paths are refused at argument time, before the model loads."""
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def _run(tool, *args, cwd=REPO):
    return subprocess.run([sys.executable, str(REPO / 'tools' / tool), *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=60)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'a.png'
    Image.new('RGB', (32, 24), (10, 20, 30)).save(path)
    return path


@pytest.mark.parametrize('option,value,says', [
    ('--resolution', '100000', '<= 4096'), ('--points-per-side', '0', '>= 1'), ('--points-per-side', '-3', '>= 1'),
    ('--points-per-batch', '0', '>= 1'), ('--crop-overlap-ratio', '2', '< 1'), ('--pred-iou-thresh', 'nan', 'finite'),
    ('--box-nms-thresh', '-1', '>= 0'), ('--crop-n-layers', '50', '<= 4')])
def test_case18_sam_amg_numbers_refused_before_the_model(tmp_path, image, option, value, says):
    run = _run('sam_amg.py', '--input', image, '--output', tmp_path / 'out', option, value)
    assert run.returncode == 2, run.stderr
    assert option in run.stderr and says in run.stderr and 'Model:' not in run.stdout
    assert not (tmp_path / 'out').exists()


def test_case18_sam_predict_resolution_and_sam3_threshold(tmp_path, image):
    run = _run('sam_predict.py', image, '--points', '5,5', '--resolution', '100000', '--out', tmp_path / 'm.png')
    assert run.returncode == 2 and '--resolution' in run.stderr and '4096' in run.stderr
    run = _run('sam3_predict.py', image, '--text', 'x', '--threshold', 'nan', '--out-dir', tmp_path / 'o')
    assert run.returncode == 2 and '--threshold' in run.stderr and 'finite' in run.stderr
    run = _run('sam3_predict.py', image, '--text', 'x', '--resolution', '65536', '--out-dir', tmp_path / 'o')
    assert run.returncode == 2 and '--resolution' in run.stderr and '4096' in run.stderr


def test_case19_outputs_never_onto_inputs(tmp_path, image):
    before = image.read_bytes()
    run = _run('sam_predict.py', image, '--points', '5,5', '--out', image)
    assert run.returncode == 2 and 'is the input' in run.stderr
    assert image.read_bytes() == before
    run = _run('sam_amg.py', '--input', tmp_path, '--output', tmp_path)
    assert run.returncode == 2 and 'is the input' in run.stderr
    run = _run('sam_amg.py', '--input', tmp_path, '--output', tmp_path.parent)
    assert run.returncode == 2 and 'contains --input' in run.stderr


@pytest.mark.parametrize('size,says', [('0x0', '>= 1'), ('-64x64', '>= 1'), ('65536x65536', '<= 4096'), ('64', 'HxW')])
def test_case18_export_onnx_example_size(tmp_path, size, says):
    run = _run('deploy/export_onnx.py', 'backbone', f'--example-size={size}', '--arch', 'radio-tiny', '--out', tmp_path / 'x.onnx')
    assert run.returncode == 2 and '--example-size' in run.stderr and says in run.stderr, run.stderr
    assert not (tmp_path / 'x.onnx').exists()


@pytest.mark.parametrize('option, says', [
    ('train_cfg.max_iters=0', 'train_cfg.max_iters must be a positive integer, got 0'),
    ('train_cfg.max_iters=-5', 'train_cfg.max_iters must be a positive integer, got -5'),
    ('train_dataloader.batch_size=1000000000000', 'input images alone needs 4.12e\\+08 GiB, more than this machine'),
])
def test_case23_training_configs_that_cannot_train(tmp_path, option, says):
    from radio_dense.tools.common.runner import build_runner_or_exit
    from radio_dense.tools.train import parse_args
    args = parse_args([str(REPO / 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py'),
                       '--work-dir', str(tmp_path / 'wd'), '--cfg-options', option])
    with pytest.raises(SystemExit, match=says):
        build_runner_or_exit(args, 'train')
    assert not (tmp_path / 'wd').exists()
