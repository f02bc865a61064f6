"""visualize_features.py: a PCA grid of the expected size with distinct content per cell."""
import numpy as np
import pytest
from PIL import Image

from radio_dense.analysis.grid import grid_size
from radio_dense.analysis.panels import TITLE_HEIGHT as BAND


@pytest.mark.parametrize('extra', [[], ['--adaptor', 'sam', '--vitdet-window-size', '3']])
def test_pca_grid_picture(tool, tmp_path, hub_checkpoint, extra):
    out = tmp_path / 'pca.png'
    rc = tool('analysis/visualize_features.py').main(
        ['--checkpoint', hub_checkpoint, '--num-synthetic', '2', '--resolutions', '64', '112', '--cell', '64',
         '--out', str(out), '--quiet'] + extra)
    assert rc == 0
    saved = Image.open(out)
    what = 'adaptor sam' if extra else 'backbone'
    assert saved.text['Title'] == f'RANDOM WEIGHTS: PCA of {what} features: radio-tiny.pth.tar'  # the fixture
    picture = np.asarray(saved.convert('RGB'))
    width, height = grid_size(rows=2, cols=3, cell=64)
    assert picture.shape == (BAND + height, width, 3)
    # every feature cell has colour variation (not a blank or constant map)
    from radio_dense.analysis.grid import GAP, TITLE_HEIGHT
    for r in range(2):
        for c in range(1, 3):
            top, left = BAND + TITLE_HEIGHT + GAP + r * (64 + GAP), GAP + c * (64 + GAP)
            assert picture[top:top + 64, left:left + 64].std() > 5


def test_random_arch_rejects_adaptor(tool, tmp_path):
    with pytest.raises(ValueError, match='adaptor'):
        tool('analysis/visualize_features.py').main(['--arch', 'radio-tiny', '--adaptor', 'sam',
                                                      '--out', str(tmp_path / 'x.png')])


def test_titles_say_random_weights_only_when_random(hub_checkpoint):
    from radio_dense.analysis.panels import weights_title
    from radio_dense.tools.common.default_checkpoint import is_random_radio
    assert weights_title('PCA', False) == 'PCA'
    assert weights_title('PCA', True) == weights_title('RANDOM WEIGHTS: PCA', True) == 'RANDOM WEIGHTS: PCA'
    assert is_random_radio(None) and is_random_radio(hub_checkpoint)
    assert not is_random_radio('radio_v2.5-b') and not is_random_radio('/data/radio-b.pth.tar')
