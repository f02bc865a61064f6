"""tools/demo.py: runs its steps on the radio_tiny fixture and writes the PCA picture."""
from PIL import Image

from radio_dense.analysis.grid import grid_size


def test_demo_writes_feature_picture(tool, tmp_path, hub_checkpoint, capsys):
    demo = tool('demo.py')
    assert demo.main(['--checkpoint', hub_checkpoint, '--resolutions', '64', '128', '--out-dir', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f'[{len(demo.STEPS)}/{len(demo.STEPS)}]' in out
    assert 'features (1, 192, 8, 8)' in out and 'features (1, 192, 4, 4)' in out
    assert Image.open(tmp_path / 'features_pca.png').size == grid_size(rows=1, cols=3, cell=256)
