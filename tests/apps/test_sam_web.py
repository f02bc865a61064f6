"""The interactive app without a browser: upload validation, embedding cache, HTTP API."""
import base64
import io
import json
import urllib.error
import urllib.request

import numpy as np
import pytest
import torch
from PIL import Image

from radio_dense.analysis.segment_by_name import RANDOM_WEIGHTS_WARNING
from radio_dense.sam import build_radio_sam
from radio_dense.apps.sam_web.names import NamesField
from radio_dense.apps.sam_web.server import SamAppServer
from radio_dense.apps.sam_web.state import AppError, SamAppState

from ..sam.conftest import shapes_image


def png_bytes(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format='PNG')
    return buf.getvalue()


@pytest.fixture(scope='module')
def app_state(hub_checkpoint, name_segmenter):
    model = build_radio_sam(dict(source=hub_checkpoint), resolution=256, seed=0)
    return SamAppState(model, 'radio_tiny + random decoder', resolutions=[256, 512], max_bytes=200_000,
                       max_pixels=2_000_000, names=NamesField(name_segmenter))


def test_upload_validation(app_state):
    with pytest.raises(AppError, match='not an image'):
        app_state.add_image(b'%PDF-1.4 definitely not a picture')
    with pytest.raises(AppError, match='limit is') as err:
        app_state.add_image(b'\0' * 300_000)
    assert err.value.status == 413
    with pytest.raises(AppError, match='MP'):
        app_state.add_image(png_bytes(np.zeros((1500, 1500, 3), np.uint8)))  # 2.25 MP > 2 MP, small file
    with pytest.raises(AppError, match='empty'):
        app_state.add_image(b'')
    truncated = png_bytes(shapes_image())[:-200]
    with pytest.raises(AppError, match='not an image'):
        app_state.add_image(truncated)


def test_embedding_cached_per_image_and_resolution(app_state):
    info = app_state.add_image(png_bytes(shapes_image()))
    assert (info['width'], info['height']) == (320, 240)
    before = app_state.embed_count
    first = app_state.predict(info['image_id'], 256, True, points=[[96, 108, 1]])
    again = app_state.predict(info['image_id'], 256, True, points=[[96, 108, 1], [250, 100, 0]])
    boxed = app_state.predict(info['image_id'], 256, True, box=[200, 40, 300, 180])
    assert app_state.embed_count == before + 1
    assert not first.cached_embedding and again.cached_embedding and boxed.cached_embedding
    assert first.mask.shape == (240, 320) and first.mask.dtype == bool
    app_state.predict(info['image_id'], 512, False, points=[[96, 108, 1]])
    assert app_state.embed_count == before + 2
    with pytest.raises(AppError, match='resolution must be one of'):
        app_state.predict(info['image_id'], 1000, True, points=[[1, 1, 1]])
    with pytest.raises(AppError, match='finite'):
        app_state.predict(info['image_id'], 256, True, points=[[1, 'x', 1]])
    with pytest.raises(AppError, match='Add a prompt'):
        app_state.predict(info['image_id'], 256, True)


def _post(url, body, raw=False):
    req = urllib.request.Request(url, data=body if raw else json.dumps(body).encode(), method='POST',
                                 headers={'Content-Type': 'application/octet-stream' if raw else 'application/json'})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_http_api(app_state):
    server = SamAppServer(app_state, '127.0.0.1', 0)
    server.start_in_thread()
    try:
        with urllib.request.urlopen(server.url, timeout=30) as res:
            page = res.read().decode()
        assert '<canvas id="view"' in page and '"resolutions": [256, 512]' in page
        status, info = _post(server.url + 'api/image', png_bytes(shapes_image(seed=3)), raw=True)
        assert status == 200 and info['width'] == 320
        status, emb = _post(server.url + 'api/embed', dict(image_id=info['image_id'], resolution=256, pad=True))
        assert status == 200 and emb['grid'] == [16, 16] and emb['canvas'] == [256, 256]
        status, out = _post(server.url + 'api/predict', dict(image_id=info['image_id'], resolution=256, pad=True,
                                                             points=[[96, 108, 1]]))
        assert status == 200 and out['cached_embedding'] is True
        mask = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['mask_png']))))
        assert mask.shape == (240, 320) and set(np.unique(mask)) <= {0, 255}
        assert int((mask > 0).sum()) == out['area']
        status, err = _post(server.url + 'api/image', b'GIF89a-broken', raw=True)
        assert status == 400 and 'not an image' in err['error']
        status, err = _post(server.url + 'api/image', b'\0' * 300_000, raw=True)
        assert status == 413 and 'limit is' in err['error']
        status, err = _post(server.url + 'api/predict', dict(image_id='nope', resolution=256, points=[[1, 1, 1]]))
        assert status == 404 and 'upload it again' in err['error']
    finally:
        server.shutdown()
        server.server_close()


def test_candidates_and_points_outside_the_image(app_state):
    info = app_state.add_image(png_bytes(shapes_image(seed=4)))
    click = app_state.predict(info['image_id'], 256, True, points=[[96, 108, 1]])
    assert len(click.masks) == 3 and len(click.scores) == 3  # one click: SAM's three candidates to pick from
    assert click.score == max(click.scores) and click.mask is click.masks[click.best]
    two = app_state.predict(info['image_id'], 256, True, points=[[96, 108, 1], [250, 100, 0]])
    assert len(two.masks) == 1
    for point in ([321, 10, 1], [-1, 10, 1], [10, 240.5, 0]):
        with pytest.raises(AppError, match='outside the 320x240 image'):
            app_state.predict(info['image_id'], 256, True, points=[point])


def test_http_candidates_and_favicon(app_state):
    server = SamAppServer(app_state, '127.0.0.1', 0)
    server.start_in_thread()
    try:
        with urllib.request.urlopen(server.url + 'favicon.ico', timeout=30) as res:
            assert res.headers['Content-Type'] == 'image/svg+xml' and res.read().startswith(b'<svg')
        _, info = _post(server.url + 'api/image', png_bytes(shapes_image(seed=6)), raw=True)
        status, out = _post(server.url + 'api/predict', dict(image_id=info['image_id'], resolution=256, pad=True,
                                                             points=[[96, 108, 1]]))
        assert status == 200 and len(out['candidates']) == 3 and out['best'] in (0, 1, 2)
        assert out['score'] == max(c['score'] for c in out['candidates'])
        for candidate in out['candidates']:
            mask = np.asarray(Image.open(io.BytesIO(base64.b64decode(candidate['mask_png']))))
            assert int((mask > 0).sum()) == candidate['area']
        status, err = _post(server.url + 'api/predict', dict(image_id=info['image_id'], resolution=256,
                                                             points=[[500, 20, 1]]))
        assert status == 400 and 'outside the 320x240 image' in err['error']
    finally:
        server.shutdown()
        server.server_close()


def test_http_segment_by_name_overlay_legend_and_warning(app_state):
    """POST /api/names: a labelled overlay of the stored image, a legend of the classes present, the warning."""
    server = SamAppServer(app_state, '127.0.0.1', 0)
    server.start_in_thread()
    try:
        with urllib.request.urlopen(server.url + 'api/config', timeout=30) as res:
            names_config = json.loads(res.read())['names']
        assert names_config['enabled'] and names_config['random_weights'] and names_config['max_names'] == 32
        status, info = _post(server.url + 'api/image', png_bytes(shapes_image(seed=8)), raw=True)
        assert status == 200
        names = ['red disc', 'blue bar', 'background, sky']
        status, out = _post(server.url + 'api/names', dict(image_id=info['image_id'], names=names))
        assert status == 200, out
        assert out['names'] == names and out['warning'] == RANDOM_WEIGHTS_WARNING
        labels = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['labels_png']))))
        overlay = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['overlay_png']))))
        assert labels.shape == (240, 320) == (out['height'], out['width']) and overlay.shape == (240, 320, 4)
        shares = np.bincount(labels.ravel(), minlength=3) / labels.size
        assert [e['name'] for e in out['legend']] == [n for n, s in zip(names, shares) if s > 0]
        for entry in out['legend']:
            k = names.index(entry['name'])
            assert abs(entry['share'] - shares[k]) < 1e-4
            colour = tuple(int(entry['color'][i:i + 2], 16) for i in (1, 3, 5))
            assert (overlay[labels == k][:, :3] == colour).all()  # the overlay paints each class its legend colour
        assert abs(sum(e['share'] for e in out['legend']) - 1) < 1e-3
        status, err = _post(server.url + 'api/names', dict(image_id=info['image_id'], names=['red disc', 'zebra']))
        assert status == 400 and "no embedding for ['zebra']" in err['error']
    finally:
        server.shutdown()
        server.server_close()


def test_segment_by_name_off_says_why(hub_checkpoint):
    state = SamAppState(build_radio_sam(dict(source=hub_checkpoint), resolution=256, seed=0), resolutions=[256],
                        names=NamesField(reason='Segment by name is off: no language adaptor.'))
    assert state.config()['names'] == dict(enabled=False, reason='Segment by name is off: no language adaptor.',
                                           max_names=32, max_name_chars=100, model=None, random_weights=False)
    info = state.add_image(png_bytes(shapes_image(seed=9)))
    with pytest.raises(AppError, match='no language adaptor') as err:
        state.segment_by_name(info['image_id'], ['cat'])
    assert err.value.status == 400
    assert SamAppState(state.model, resolutions=[256]).config()['names']['enabled'] is False  # off by default


def test_names_field_shares_the_apps_trunk(app_state, hub_checkpoint, named_class_embeddings, name_segmenter):
    """tools/sam_app.py runs the field on the SAM model's own RADIO: the same probabilities as a second copy."""
    from radio_dense.analysis.segment_by_name import NameSegmenter
    radio = app_state.model.image_encoder.radio  # external conditioner (RadioSam normalises), a sam adaptor
    before = {k: v.clone() for k, v in radio.state_dict().items()}
    shared = NameSegmenter(hub_checkpoint, class_embeddings=named_class_embeddings, short_side=128, slide=(128, 96),
                           random_weights=True, trunk=radio)
    image, names = shapes_image(seed=12), ['red disc', 'blue bar, road', 'background']
    assert torch.allclose(shared.probabilities(image, names), name_segmenter.probabilities(image, names), atol=1e-5)
    assert shared.radio is radio and shared.adaptor is not name_segmenter.adaptor
    assert radio.state_dict().keys() == before.keys() and all(torch.equal(v, before[k])
                                                              for k, v in radio.state_dict().items())
    with pytest.raises(ValueError, match='would change the shared trunk'):
        NameSegmenter(hub_checkpoint, class_embeddings=named_class_embeddings, trunk=radio, self_correlation=10.0)


def test_large_names_pictures_are_sent_at_most_max_side(name_segmenter):
    field = NamesField(name_segmenter, max_side=64)
    out = field.segment(shapes_image(100, 300, seed=13), ['red disc', 'background'])
    labels = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['labels_png']))))
    overlay = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['overlay_png']))))
    assert labels.shape == (21, 64) == (out['height'], out['width']) and overlay.shape == (21, 64, 4)
    full = name_segmenter.segment(shapes_image(100, 300, seed=13), ['red disc', 'background'])
    assert np.array_equal(labels, full.labels[(np.arange(21) * 300 / 64).astype(int)][:, (np.arange(64) * 300 / 64)
                                                                                        .astype(int)])
    assert [e['share'] for e in out['legend']] == [round(s, 4) for s in full.shares if s > 0]  # every pixel counts
