"""tools/segment_by_name.py: names in, a labelled map with a legend out (the random fixture says so)."""
import re

import numpy as np
import pytest
import torch
from PIL import Image

from radio_dense.data.synthetic import SceneConfig, SyntheticScenes


@pytest.fixture(scope='module')
def image(tmp_path_factory):
    path = tmp_path_factory.mktemp('by_name') / 'scene.png'
    Image.fromarray(SyntheticScenes(1, SceneConfig(size=128), seed=3)[0].image).save(path)
    return path


def test_labels_map_and_legend_with_the_random_weights_warning(image, tmp_path, capsys):
    from radio_dense.tools.segment_by_name import main
    emb = tmp_path / 'emb.pt'
    torch.save(torch.randn(3, 72, generator=torch.Generator().manual_seed(0)), emb)
    out, labels = tmp_path / 'pic.png', tmp_path / 'labels.png'
    main([str(image), '--names', 'circle', 'square, box', 'background', '--class-embeddings', str(emb),
          '--short-side', '160', '--slide', '96', '64', '--device', 'cpu', '--out', str(out),
          '--out-labels', str(labels)])
    lab = np.array(Image.open(labels))
    assert lab.shape == (128, 128) and lab.max() < 3
    picture = Image.open(out)
    assert picture.width > 2 * 128  # image | labels, legend below
    shares = next(line for line in capsys.readouterr().out.splitlines() if line.startswith(f'{out}: '))
    assert abs(sum(float(v) for v in re.findall(r'([0-9.]+)%', shares)) - 100) < 0.5, shares
    counts = np.bincount(lab.ravel(), minlength=3) / lab.size
    assert [name for name, share in zip(['circle', 'square, box', 'background'], counts) if share > 0] == \
        re.findall(r'(?:^|, )([a-z, ]+?) [0-9.]+%', shares.split(': ', 1)[1])


def test_wrong_number_of_embeddings_is_one_error_line(image, tmp_path, capsys):
    from radio_dense.tools.common.tool_main import run_main
    from radio_dense.tools.segment_by_name import main
    emb = tmp_path / 'emb.pt'
    torch.save(torch.randn(2, 72), emb)
    status = run_main(main, [str(image), '--names', 'a', 'b', 'c', '--class-embeddings', str(emb), '--device', 'cpu',
                             '--out', str(tmp_path / 'x.png')])
    err = capsys.readouterr().err
    assert status == 1 and 'expected a (3, D) tensor for the 3 classes' in err and 'Traceback' not in err
    assert not (tmp_path / 'x.png').exists()


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


@pytest.mark.parametrize('tool', ['sam_app', 'sam3_app'])
def test_the_app_tools_start_with_the_field(tool, named_class_embeddings, monkeypatch):
    """tools/sam_app.py shares its SAM model's trunk with the field; tools/sam3_app.py serves it beside the concept box."""
    import importlib
    from radio_dense.apps.sam_web.server import SamAppServer
    if tool == 'sam3_app':
        pytest.importorskip('sam3')
    served = []
    monkeypatch.setattr(SamAppServer, 'serve_until_interrupted', lambda self, what: served.append(self))
    main = importlib.import_module(f'radio_dense.tools.{tool}').main
    assert main(['--port', '0', '--device', 'cpu', '--class-embeddings', named_class_embeddings]) == 0
    server = served[0]
    server.server_close()
    state = server.state
    assert state.config()['names']['enabled'] and state.config()['names']['random_weights']
    if tool == 'sam_app':
        assert state.names.segmenter.radio is state.model.image_encoder.radio  # one RADIO in memory
    else:
        assert state.config()['concept_prompts']
        from radio_dense.sam3.radio_trunk import RadioSam3Trunk
        trunk = next(m for m in state.model.modules() if isinstance(m, RadioSam3Trunk))
        assert state.names.segmenter.radio is trunk.radio and 'sam3' in trunk.radio.adaptors


def test_a_vitdet_trunk_gets_whole_window_slides(hub_checkpoint, named_class_embeddings):
    import argparse
    from radio_dense import load_radio
    from radio_dense.analysis.segment_by_name import slide_for
    from radio_dense.tools.common.names_field import names_field_from_args
    assert slide_for(16) == (336, 224) and slide_for(14) == (336, 224) and slide_for(256) == (256, 256)
    trunk = load_radio(hub_checkpoint, vitdet_window_size=4, pad_windows=False)  # step 64: 336, 224 are not
    args = argparse.Namespace(no_names=False, names_radio=None, names_adaptor=None,
                              class_embeddings=named_class_embeddings, device='cpu')
    field = names_field_from_args(args, hub_checkpoint, trunk)
    assert field.enabled and (field.segmenter.crop, field.segmenter.stride) == (320, 256)
    out = field.segment(np.zeros((70, 90, 3), np.uint8), ['sky', 'road'])
    assert (out['height'], out['width']) == (70, 90)
