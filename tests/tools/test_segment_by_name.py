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


def test_the_app_tools_names_field_is_on_only_where_it_can_work(hub_checkpoint, named_class_embeddings):
    """sam_app.py / sam3_app.py: the field on the app's RADIO, or off with the reason the page shows."""
    import argparse
    from radio_dense.tools.common.names_field import names_field_from_args

    def field(app_radio, **options):
        args = dict(no_names=False, names_radio=None, names_adaptor=None, class_embeddings=None, device='cpu')
        return names_field_from_args(argparse.Namespace(**{**args, **options}), app_radio)

    on = field(hub_checkpoint, class_embeddings=named_class_embeddings)
    assert on.enabled and on.config()['random_weights'] and on.segmenter.adaptor_name == 'siglip'
    assert on.segmenter.description.startswith(hub_checkpoint)
    assert 'RANDOM weights' in field(hub_checkpoint).reason  # the fixture and no embeddings: no tower matches it
    assert 'needs a RADIO with a language adaptor' in field(None).reason  # a config / SAM3's own trunk
    assert '--no-names' in field(hub_checkpoint, no_names=True, class_embeddings=named_class_embeddings).reason
    off = field(hub_checkpoint, names_adaptor='sam', class_embeddings=named_class_embeddings)
    assert not off.enabled and "no language adaptor 'sam'" in off.config()['reason']
