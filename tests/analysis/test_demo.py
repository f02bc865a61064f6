"""tools/demo.py: runs its steps on the radio_tiny fixture and writes the PCA picture."""
import pytest
from PIL import Image

from radio_dense.analysis.grid import grid_size


def test_demo_writes_feature_picture(tool, tmp_path, hub_checkpoint, capsys):
    demo = tool('demo.py')
    assert demo.main(['--checkpoint', hub_checkpoint, '--resolutions', '64', '128', '--out-dir', str(tmp_path),
                      '--skip-train']) == 0
    out = capsys.readouterr().out
    n = len(demo.FEATURE_STEPS)
    assert f'[{n}/{n}]' in out
    assert 'features (1, 192, 8, 8)' in out and 'features (1, 192, 4, 4)' in out
    assert Image.open(tmp_path / 'features_pca.png').size == grid_size(rows=1, cols=3, cell=256)


@pytest.mark.slow
def test_demo_trains_and_evaluates_segmentation(tool, tmp_path, hub_checkpoint, capsys):
    from radio_dense.data import write_demo_dataset
    data = tmp_path / 'data'
    write_demo_dataset(str(data), num_train=4, num_val=2, size=96, seed=0, progress=False)
    demo = tool('demo.py')
    assert demo.main(['--checkpoint', hub_checkpoint, '--resolutions', '64', '--out-dir', str(tmp_path / 'out'),
                      '--data-root', str(data), '--train-iters', '2']) == 0
    out = capsys.readouterr().out
    assert 'already exists' in out
    assert (tmp_path / 'out' / 'segmentation' / 'iter_2.pth').exists()
    assert len(list((tmp_path / 'out' / 'segmentation_overlays').rglob('*.png'))) == 2
