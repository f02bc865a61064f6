"""tools/demo.py: runs its steps on the radio_tiny fixture and writes the PCA picture."""
import re

import pytest
from PIL import Image

from radio_dense.analysis.grid import grid_size


def test_demo_writes_feature_picture(tool, tmp_path, hub_checkpoint, capsys):
    from radio_dense.analysis.panels import TITLE_HEIGHT
    demo = tool('demo.py')
    assert demo.main(['--checkpoint', hub_checkpoint, '--resolutions', '64', '128', '--out-dir', str(tmp_path),
                      '--skip-train']) == 0
    out = capsys.readouterr().out
    n = len(demo.FEATURE_STEPS)
    assert f'[{n}/{n}]' in out
    assert 'features (1, 192, 8, 8)' in out and 'features (1, 192, 4, 4)' in out
    width, height = grid_size(rows=1, cols=3, cell=256)
    assert Image.open(tmp_path / 'features_pca.png').size == (width, height + TITLE_HEIGHT)


@pytest.mark.slow
def test_demo_trains_and_draws_curves_and_panels(tool, tmp_path, capsys):
    from radio_dense.data import write_demo_dataset
    data = tmp_path / 'data'
    write_demo_dataset(str(data), num_train=4, num_val=2, size=96, seed=0, progress=False)
    demo = tool('demo.py')
    out_dir = tmp_path / 'out'
    assert demo.main(['--resolutions', '64', '--out-dir', str(out_dir), '--data-root', str(data),
                      '--train-iters', '2']) == 0
    out = capsys.readouterr().out
    assert 'already exists' in out and 'validation mIoU' in out
    # #20.7: the step headers stay readable: mmengine's environment/config dump is folded, warnings once
    assert all(f'[{i}/9]' in out for i in range(1, 10)) and 'System environment' not in out
    assert out.count('UserWarning: ``build_loss``') == 1 and 'dumps and repeated warnings not shown' in out
    assert (out_dir / 'segmentation' / 'iter_2.pth').exists()
    # one evaluation of the validation split (at the end of training), not a second one by a test step
    assert len(list((out_dir / 'segmentation').rglob('metrics.json'))) == 0
    assert Image.open(out_dir / 'segmentation_curves.png').size == (1500, 380)
    panels = sorted((out_dir / 'segmentation_panels').glob('*.png'))
    assert len(panels) == 2
    width, height = Image.open(panels[0]).size
    assert width == 3 * 2 * 96 + 4 * 8 and height > 2 * 96  # three 2x panels, title, captions and legend
    assert Image.open(out_dir / 'detection_panel.png').size[0] == 3 * 2 * 96 + 4 * 8
    assert re.search(r'detection_panel.png titled "Mask R-CNN on radio-tiny, RANDOM WEIGHTS', out)
    assert re.search(r'features_pca.png titled "PCA of RADIO features: radio_tiny fixture, RANDOM WEIGHTS', out)


def test_child_log_folds_info_dumps_and_repeats_warnings_once(capsys):
    import sys
    from radio_dense.tools.common import child_log
    child = ("import warnings\n"
             "print('01/02 03:04:05 - mmengine - INFO - ')\nprint('System environment:')\nprint('    torch: 2.9')\n"
             "print('01/02 03:04:05 - mmengine - INFO - Iter(train) [1/2] loss: 1.0')\n"
             "warnings.warn('old api'); warnings.warn('old api', stacklevel=1)\n"
             "print('01/02 03:04:06 - mmengine - WARNING - prefix not set')\nprint('done')\n")
    child_log.SEEN_WARNINGS.clear()
    assert child_log.run_folded([sys.executable, '-c', child]) == (0, 2)
    assert child_log.run_folded([sys.executable, '-c', "import warnings; warnings.warn('old api')"])[1] == 1
    out = capsys.readouterr().out
    assert 'System environment' not in out and 'torch: 2.9' not in out
    assert out.count('UserWarning: old api') == 1
    for kept in ('Iter(train) [1/2] loss: 1.0', 'WARNING - prefix not set', 'done'):
        assert kept in out
