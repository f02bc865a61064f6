"""The web app with a SAM3 model, without a browser: concept prompts through the state and the HTTP API."""
import json
import urllib.error
import urllib.request

import pytest

from radio_dense.apps.sam_web.server import SamAppServer
from radio_dense.apps.sam_web.state import AppError

from ..apps.test_sam_web import png_bytes
from .conftest import scene_image


def test_concept_prompts_on_cached_embeddings(radio_sam3_app_state):
    state = radio_sam3_app_state
    assert state.config()['concept_prompts'] is True and state.config()['default_resolution'] == 256
    image_id = state.add_image(png_bytes(scene_image(200, 300)))['image_id']
    before = state.embed_count
    text = state.predict(image_id, 320, False, text='red disc')
    boxed = state.predict(image_id, 320, False, box=[40, 40, 110, 100])
    both = state.predict(image_id, 320, False, text='disc', box=[40, 40, 110, 100], points=[[200, 100, 0]])
    assert state.embed_count == before + 1 and boxed.cached_embedding and both.cached_embedding
    for result in (text, boxed, both):
        assert result.instances == 12 and result.mask.shape == (200, 300) and result.mask.any()
        assert 0 < result.score < 1
    assert state.embed(image_id, 320, False)['grid'] == [14, 20]  # 'fit': 300x200 -> 320x224 canvas


def test_concept_prompt_errors(radio_sam3_app_state):
    state = radio_sam3_app_state
    image_id = state.add_image(png_bytes(scene_image(60, 80)))['image_id']
    with pytest.raises(AppError, match='Type a concept'):
        state.predict(image_id, 256, True, text='   ')
    with pytest.raises(AppError, match='keep it under 200'):
        state.predict(image_id, 256, True, text='x' * 201)
    with pytest.raises(AppError, match='must be a string'):
        state.predict(image_id, 256, True, text=5)
    with pytest.raises(AppError, match='x1 > x0'):
        state.predict(image_id, 256, True, box=[50, 50, 10, 10])


def test_http_predict_passes_the_concept(radio_sam3_app_state):
    server = SamAppServer(radio_sam3_app_state, '127.0.0.1', 0)
    server.start_in_thread()
    try:
        image_id = json.loads(urllib.request.urlopen(urllib.request.Request(
            server.url + 'api/image', data=png_bytes(scene_image(120, 160)), method='POST',
            headers={'Content-Type': 'application/octet-stream'})).read())['image_id']
        body = json.dumps({'image_id': image_id, 'resolution': 256, 'pad': True, 'text': 'disc'}).encode()
        answer = json.loads(urllib.request.urlopen(urllib.request.Request(
            server.url + 'api/predict', data=body, method='POST', headers={'Content-Type': 'application/json'})).read())
        assert answer['instances'] == 12 and answer['area'] > 0 and answer['mask_png']
        page = urllib.request.urlopen(server.url).read().decode()
        assert 'id="concept"' in page and '"concept_prompts": true' in page
        empty = json.dumps({'image_id': image_id, 'resolution': 256}).encode()
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(server.url + 'api/predict', data=empty, method='POST',
                                                          headers={'Content-Type': 'application/json'}))
        assert err.value.code == 400 and 'Type a concept' in json.loads(err.value.read())['error']
    finally:
        server.shutdown()
        server.server_close()


def test_segment_by_name_beside_the_concept_box(radio_sam3_app_state):
    """The SAM3 app offers both fields; a name request labels the original pixels and leaves the embeddings alone."""
    state = radio_sam3_app_state
    config = state.config()
    assert config['concept_prompts'] is True and config['names']['enabled'] and config['names']['random_weights']
    image_id = state.add_image(png_bytes(scene_image(200, 300, seed=5)))['image_id']
    before = state.embed_count
    out = state.segment_by_name(image_id, ['red disc', 'blue bar, road', 'background'])
    assert (out['height'], out['width']) == (200, 300)  # SAM3 stores the original pixels
    assert out['warning'].startswith('RANDOM WEIGHTS') and out['legend']
    assert abs(sum(e['share'] for e in out['legend']) - 1) < 1e-3
    assert state.predict(image_id, 256, True, text='red disc').instances == 12
    assert state.embed_count == before + 1  # the name field computed no SAM3 embedding
