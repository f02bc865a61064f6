"""The app server under hostile and careless clients: a real server on 127.0.0.1, raw sockets.

Each test reproduces one case of issue #11 (numbers in the names) and fails on the code before it.
"""
import base64
import concurrent.futures
import contextlib
import io
import json
import socket
import threading
import time

import numpy as np
import pytest
from PIL import Image

import radio_dense.apps.sam_web.state as app_state_module
from radio_dense.sam import build_radio_sam
from radio_dense.apps.sam_web.server import SamAppServer
from radio_dense.apps.sam_web.state import SamAppState

from ..sam.conftest import shapes_image
from .test_sam_web import png_bytes


@pytest.fixture(scope='module')
def model(hub_checkpoint):
    return build_radio_sam(dict(source=hub_checkpoint), resolution=256, seed=0)


@contextlib.contextmanager
def running(state: SamAppState, **attrs):
    server = SamAppServer(state, '127.0.0.1', 0)
    for name, value in attrs.items():  # set after construction: the same test runs on the old server
        setattr(server, name, value)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def raw_request(server, head: str, body: bytes = b'', timeout: float = 10.0):
    """Send ``head`` (request line + headers, no blank line) and ``body``; return (status, json, seconds)."""
    host, port = server.server_address[:2]
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(head.replace('\n', '\r\n').encode() + b'\r\n\r\n')
        # the body goes from another thread: a server that refuses it early may never read it all
        sender = threading.Thread(target=_send_quietly, args=(sock, body), daemon=True)
        sender.start()
        data = b''
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f'no complete answer within {timeout} s (got {data[:200]!r})')
            if not chunk:
                break
            data += chunk
    header, _, payload = data.partition(b'\r\n\r\n')
    status = int(header.split()[1])
    return status, json.loads(payload) if payload.startswith(b'{') else payload, time.monotonic() - start


def _send_quietly(sock: socket.socket, body: bytes) -> None:
    with contextlib.suppress(OSError):
        sock.sendall(body)


def host_of(server) -> str:
    return f'127.0.0.1:{server.server_address[1]}'


def post(server, path: str, body: bytes, content_type: str, extra: str = '', timeout: float = 60.0):
    head = (f'POST {path} HTTP/1.1\nHost: {host_of(server)}\nContent-Type: {content_type}\n'
            f'Content-Length: {len(body)}\nConnection: close' + (f'\n{extra}' if extra else ''))
    return raw_request(server, head, body, timeout)


def post_json(server, path: str, payload: dict, extra: str = ''):
    return post(server, path, json.dumps(payload).encode(), 'application/json', extra)


def upload(server, image: np.ndarray):
    return post(server, '/api/image', png_bytes(image), 'application/octet-stream')


# ----- 1. Content-Length -----
@pytest.mark.parametrize('length', ['-1', 'abc', '+10', '1e3'])
def test_case01_invalid_content_length_is_refused_without_reading(model, length):
    with running(SamAppState(model, resolutions=[256])) as server:
        head = (f'POST /api/image HTTP/1.1\nHost: {host_of(server)}\nContent-Type: application/octet-stream\n'
                f'Content-Length: {length}')
        # 2 MiB follow and the client keeps its side open: a server reading "to the end" never answers
        status, body, _ = raw_request(server, head, b'\0' * (2 << 20), timeout=10)
    assert status == 400
    assert 'Content-Length must be a non-negative integer' in body['error']


def test_case01_missing_content_length(model):
    with running(SamAppState(model, resolutions=[256])) as server:
        status, body, _ = raw_request(server, f'POST /api/image HTTP/1.1\nHost: {host_of(server)}\n'
                                              f'Content-Type: image/png', timeout=10)
    assert status == 411 and 'Content-Length' in body['error']


# ----- 2. decompression and parallel amplification -----
def test_case02_decompression_bomb_png_refused_by_default(model):
    bomb = png_bytes(np.zeros((6300, 6300, 3), np.uint8))
    assert len(bomb) < 300_000  # a tiny file...
    state = SamAppState(model, resolutions=[256])  # default limits
    with running(state) as server:
        status, body, _ = post(server, '/api/image', bomb, 'image/png')
    assert status == 413 and 'MP' in body['error']  # ...of 40 MP: refused before decoding


def test_case02_images_stored_at_model_resolution_and_accounted(model):
    state = SamAppState(model, resolutions=[256, 512])
    big = np.asarray(Image.fromarray(shapes_image()).resize((3000, 2250)))  # 6.75 MP
    with running(state) as server:
        status, info, _ = upload(server, big)
        assert status == 200 and (info['width'], info['height']) == (3000, 2250)
        status, out, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=256,
                                                                points=[[900, 1000, 1]]))
        assert status == 200 and out['area'] >= 0
        mask = np.asarray(Image.open(io.BytesIO(base64.b64decode(out['mask_png']))))
        assert mask.shape == (2250, 3000)  # masks stay in original pixels
        status, stats, _ = raw_request(server, f'GET /api/stats HTTP/1.1\nHost: {host_of(server)}\n'
                                               f'Connection: close')
    # stored at 512 x 384 (+ one 16x16x256 embedding), not 3000 x 2250 x 3 = 20 MB
    assert stats['bytes'] <= 512 * 384 * 3 + 16 * 16 * 256 * 4


def test_case02_parallel_uploads_decode_one_at_a_time(model, monkeypatch):
    active, peak, lock = [0], [0], threading.Lock()
    real_decode = app_state_module.decode_upload

    def counting_decode(*args, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        try:
            time.sleep(0.05)
            return real_decode(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(app_state_module, 'decode_upload', counting_decode)
    state = SamAppState(model, resolutions=[256], max_images=16)
    files = [png_bytes(shapes_image(300, 400, seed=s)) for s in range(8)]
    with running(state) as server, concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda data: post(server, '/api/image', data, 'image/png'), files))
    assert [r[0] for r in results] == [200] * 8
    assert peak[0] == 1, f'{peak[0]} uploads were decoded at the same time'


# ----- 3. slow body -----
def test_case03_slow_body_times_out(model):
    with running(SamAppState(model, resolutions=[256]), request_timeout=1.0, body_deadline=2.0) as server:
        head = (f'POST /api/image HTTP/1.1\nHost: {host_of(server)}\nContent-Type: image/png\n'
                f'Content-Length: 1000')
        status, body, seconds = raw_request(server, head, b'\x89PNG' * 3, timeout=15)
    assert status == 408 and 'stopped after 12 of 1000 bytes' in body['error']
    assert seconds < 5


# ----- 4. Host, Origin, Content-Type -----
def test_case04_foreign_host_and_origin_are_refused(model):
    with running(SamAppState(model, resolutions=[256])) as server:
        port = server.server_address[1]
        status, body, _ = raw_request(server, f'GET / HTTP/1.1\nHost: attacker.example:{port}\nConnection: close')
        assert status == 403 and 'not this server' in body['error']
        status, body, _ = raw_request(server, 'GET /api/config HTTP/1.1\nHost: attacker.example\nConnection: close')
        assert status == 403
        status, page, _ = raw_request(server, f'GET / HTTP/1.1\nHost: localhost:{port}\nConnection: close')
        assert status == 200 and b'<canvas' in page
        image = png_bytes(shapes_image(seed=5))
        status, body, _ = post(server, '/api/image', image, 'image/png', extra='Origin: http://attacker.example')
        assert status == 403 and 'origin' in body['error']
        status, body, _ = post(server, '/api/image', image, 'image/png', extra='Sec-Fetch-Site: cross-site')
        assert status == 403
        for form_type in ('text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded'):
            status, body, _ = post(server, '/api/image', image, form_type)
            assert status == 415 and 'Content-Type' in body['error'], form_type
        status, info, _ = post(server, '/api/image', image, 'image/png', extra=f'Origin: http://{host_of(server)}')
        assert status == 200
        payload = json.dumps(dict(image_id=info['image_id'], resolution=256, points=[[96, 108, 1]])).encode()
        status, body, _ = post(server, '/api/predict', payload, 'text/plain')
        assert status == 415
        status, body, _ = post(server, '/api/predict', payload, 'application/json; charset=utf-8')
        assert status == 200


# ----- 5. bad bodies give 400 with the reason -----
def test_case05_bad_json_bodies_are_400(model):
    with running(SamAppState(model, resolutions=[256])) as server:
        status, info, _ = upload(server, shapes_image(seed=6))
        assert status == 200
        status, body, _ = post(server, '/api/predict', b'{"image_id": "\xff\xfe"}', 'application/json')
        assert status == 400 and 'UTF-8' in body['error']
        status, body, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=256, points=5))
        assert status == 400 and 'points must be a list' in body['error']
        status, body, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=256,
                                                                 points=[[1, 2, 1]], box='abc'))
        assert status == 400 and 'box' in body['error']
        status, body, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=1e400,
                                                                 points=[[1, 2, 1]]))
        assert status == 400 and 'resolution' in body['error']
        status, body, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=256,
                                                                 points=[[5000, 2, 1]]))
        assert status == 400 and 'outside' in body['error']


# ----- 6. images in use are not evicted -----
def test_case06_parallel_clients_never_lose_their_image(model):
    state = SamAppState(model, resolutions=[256], max_images=3)
    state.protect_s = 1.0

    def client(seed: int):
        image = shapes_image(seed=100 + seed)
        for _ in range(60):
            status, info, _ = upload(server, image)
            if status != 503:
                break
            time.sleep(0.5)
        assert status == 200, info
        statuses = []
        for x in (96, 120):
            status, out, _ = post_json(server, '/api/predict', dict(image_id=info['image_id'], resolution=256,
                                                                    points=[[x, 108, 1]]))
            statuses.append(status)
        return statuses

    with running(state) as server, concurrent.futures.ThreadPoolExecutor(9) as pool:
        results = list(pool.map(client, range(9)))
    flat = [s for r in results for s in r]
    assert flat.count(404) == 0, f'{flat.count(404)} of {len(flat)} predictions lost their image'
    assert flat == [200] * 18


# ----- 24. (#22.7) JSON depth, JSON size message, typed prompts, offered resolutions -----
def test_case24_json_depth_size_types_and_resolutions(model):
    state = SamAppState(model, resolutions=[128, 192])  # the model's own 256 is not offered
    assert state.config()['resolutions'] == [128, 192] and state.config()['default_resolution'] == 192
    with running(state) as server:
        status, info, _ = upload(server, shapes_image())
        assert status == 200
        deep = b'{"image_id": ' + b'[' * 100_000 + b']' * 100_000 + b'}'
        status, body, _ = post(server, '/api/predict', deep, 'application/json')
        assert status == 400 and 'deeper than 400 levels' in body['error']
        big = json.dumps(dict(image_id=info['image_id'], pad='x' * (1 << 21))).encode()
        status, body, _ = post(server, '/api/predict', big, 'application/json')
        assert status == 413 and 'images go to /api/image' in body['error'] and 'smaller image' not in body['error']
        view = dict(image_id=info['image_id'], resolution=192)
        for points in ([['10', '20', 1]], [[10, 20, True]], [[10, 20, 'true']], [[10 ** 400, 20, 1]]):
            status, body, _ = post_json(server, '/api/predict', dict(view, points=points))
            assert status == 400 and 'not strings or true/false' in body['error'], (points, body)
        status, body, _ = post_json(server, '/api/predict', dict(view, resolution=256, points=[[10, 20, 1]]))
        assert status == 400 and 'one of [128, 192]' in body['error']
        status, out, _ = post_json(server, '/api/predict', dict(view, points=[[10, 20, 1]]))
        assert status == 200


# ----- #23.5: the "Segment by name" field refuses careless and hostile names with 400 and the reason -----
def test_segment_by_name_bounds_types_and_unknown_images(model, name_segmenter):
    from radio_dense.apps.sam_web.names import MAX_NAME_CHARS, MAX_NAMES, NamesField
    state = SamAppState(model, resolutions=[256], names=NamesField(name_segmenter))
    with running(state) as server:
        status, info, _ = upload(server, shapes_image(seed=11))
        assert status == 200
        image_id = info['image_id']
        refused = [
            ('red disc, blue bar', 'must be a JSON list of strings'),
            ([1, 2], 'must be a JSON list of strings'),
            ([['red disc']], 'must be a JSON list of strings'),
            ([10 ** 400], 'must be a JSON list of strings'),
            (None, 'must be a JSON list of strings'),
            ([], 'Type at least one class name'),
            (['  ', ''], 'Type at least one class name'),
            (['red disc'] + [f'class {i}' for i in range(MAX_NAMES)], f'at most {MAX_NAMES} per request'),
            (['x' * (MAX_NAME_CHARS + 1)], f'keep each under {MAX_NAME_CHARS}'),
            ([',,,'], 'has no words'),
            ([', '.join(['sky'] * 9)], 'at most 8'),
            (['red disc', 'Red Disc '], 'must differ'),
            (['red disc', 'zebra'], "no embedding for ['zebra']"),
        ]
        for names, message in refused:
            status, body, _ = post_json(server, '/api/names', dict(image_id=image_id, names=names))
            assert status == 400 and message in body['error'], (names, status, body)
        status, body, _ = post_json(server, '/api/names', dict(image_id='nope', names=['sky']))
        assert status == 404 and 'upload it again' in body['error']
        status, body, _ = post_json(server, '/api/names', dict(image_id=5, names=['sky']))
        assert status == 400 and 'image_id must be a string' in body['error']
        status, body, _ = post(server, '/api/names', b'names=sky', 'application/x-www-form-urlencoded')
        assert status == 415  # a cross-site form cannot drive it
        status, out, _ = post_json(server, '/api/names', dict(image_id=image_id, names=['red disc', 'sky']))
        assert status == 200 and out['names'] == ['red disc', 'sky']
