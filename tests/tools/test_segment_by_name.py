"""tools/segment_by_name.py: names in, a labelled map with a legend out (the random fixture says so)."""
import numpy as np
import pytest
import torch
from PIL import Image

from radio_dense.data.synthetic import SceneConfig, SyntheticScenes

from ..openmmlab.e2e_utils import python_tool


@pytest.fixture(scope='module')
def image(tmp_path_factory):
    path = tmp_path_factory.mktemp('by_name') / 'scene.png'
    Image.fromarray(SyntheticScenes(1, SceneConfig(size=128), seed=3)[0].image).save(path)
    return path


def test_labels_map_and_legend_with_the_random_weights_warning(image, tmp_path):
    emb = tmp_path / 'emb.pt'
    torch.save(torch.randn(3, 72, generator=torch.Generator().manual_seed(0)), emb)
    out, labels = tmp_path / 'pic.png', tmp_path / 'labels.png'
    log = python_tool('tools/segment_by_name.py', str(image), '--names', 'circle', 'square, box', 'background',
                      '--class-embeddings', str(emb), '--short-side', '160', '--slide', '96', '64',
                      '--out', str(out), '--out-labels', str(labels))
    lab = np.array(Image.open(labels))
    assert lab.shape == (128, 128) and lab.max() < 3
    picture = Image.open(out)
    assert picture.width > 2 * 128  # image | labels, legend below
    shares = next(line for line in log.splitlines() if line.startswith(f'{out}: '))
    import re
    assert abs(sum(float(v) for v in re.findall(r'([0-9.]+)%', shares)) - 100) < 0.5, shares


def test_wrong_number_of_embeddings_is_refused(image, tmp_path):
    emb = tmp_path / 'emb.pt'
    torch.save(torch.randn(2, 72), emb)
    import subprocess
    import sys
    from ..openmmlab.e2e_utils import REPO
    proc = subprocess.run([sys.executable, str(REPO / 'tools/segment_by_name.py'), str(image), '--names', 'a', 'b',
                           'c', '--class-embeddings', str(emb), '--out', str(tmp_path / 'x.png')],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode != 0 and 'expected a (3, D) tensor for the 3 classes' in proc.stderr
