"""The interactive app's HTTP layer (standard library ``http.server``): a page and a small JSON API.

Routes:
    ``GET /``                 the page
    ``GET /api/config``       resolutions, limits, model description
    ``POST /api/image``       body: the raw image file -> ``{image_id, width, height}``
    ``POST /api/embed``       ``{image_id, resolution, pad}`` -> embedding time (cached per image)
    ``POST /api/predict``     ``{image_id, resolution, pad, points: [[x, y, label]], box, multimask}``
                              (+ ``text`` for SAM3 models: the concept)
                              -> ``{mask_png, overlay_png (base64), score, area, embed_ms, decode_ms,
                              instances (SAM3: how many; else null)}``
    ``GET /api/stats``        how many embeddings were computed (for tests)
"""
import argparse
import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Tuple

from radio_dense.sam.utils.visualize import mask_png_bytes, rgba_mask_png_bytes

from .page import render_page
from .state import AppError, SamAppState

MAX_JSON_BYTES = 1 << 20
log = logging.getLogger(__name__)


class SamAppHandler(BaseHTTPRequestHandler):
    """Routes requests to the :class:`SamAppState` of the server."""

    server: 'SamAppServer'
    server_version = 'RadioSamApp/1.0'

    def log_message(self, fmt: str, *args) -> None:  # route through logging instead of stderr
        log.info('%s - %s', self.address_string(), fmt % args)

    # ----- helpers -----
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.send_header('X-Content-Type-Options', 'nosniff')
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict) -> None:
        self._send(status, json.dumps(payload).encode(), 'application/json')

    def _body(self, limit: int) -> bytes:
        try:
            length = int(self.headers.get('Content-Length', ''))
        except ValueError:
            raise AppError('Content-Length header required', 411)
        if length > limit:
            self._drain(length)
            raise AppError(f'The request is {length / 2 ** 20:.1f} MiB; the limit is {limit / 2 ** 20:.0f} MiB. '
                           f'Upload a smaller image.', 413)
        return self.rfile.read(length)

    def _drain(self, length: int, cap: int = 256 << 20) -> None:
        """Read and drop a refused body (so the browser gets the answer, not a reset); close after."""
        self.close_connection = True
        remaining = min(length, cap)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)

    def _json_body(self) -> dict:
        try:
            payload = json.loads(self._body(MAX_JSON_BYTES) or b'{}')
        except json.JSONDecodeError as err:
            raise AppError(f'Malformed JSON: {err}')
        if not isinstance(payload, dict):
            raise AppError('The request body must be a JSON object')
        return payload

    @staticmethod
    def _view(payload: dict) -> Tuple[str, int, bool]:
        try:
            return str(payload['image_id']), int(payload['resolution']), bool(payload.get('pad', True))
        except (KeyError, TypeError, ValueError):
            raise AppError('image_id and resolution are required')

    # ----- routes -----
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        state = self.server.state
        if self.path in ('/', '/index.html'):
            self._send(200, render_page(state.config()).encode(), 'text/html; charset=utf-8')
        elif self.path == '/api/config':
            self._json(200, state.config())
        elif self.path == '/api/stats':
            self._json(200, {'embeddings_computed': state.embed_count, 'images': len(state.images)})
        else:
            self._json(404, {'error': f'No such page: {self.path}'})

    def do_POST(self) -> None:  # noqa: N802
        state = self.server.state
        try:
            if self.path == '/api/image':
                self._json(200, state.add_image(self._body(state.max_bytes)))
            elif self.path == '/api/embed':
                self._json(200, state.embed(*self._view(self._json_body())))
            elif self.path == '/api/predict':
                payload = self._json_body()
                concept = {'text': payload.get('text')} if state.config().get('concept_prompts') else {}
                result = state.predict(*self._view(payload), points=payload.get('points') or [],
                                       box=payload.get('box'), multimask=payload.get('multimask'), **concept)
                self._json(200, {'instances': getattr(result, 'instances', None),
                    'mask_png': base64.b64encode(mask_png_bytes(result.mask)).decode(),
                    'overlay_png': base64.b64encode(rgba_mask_png_bytes(result.mask)).decode(),
                    'score': round(result.score, 4), 'area': int(result.mask.sum()),
                    'embed_ms': round(result.embed_ms, 1), 'decode_ms': round(result.decode_ms, 1),
                    'cached_embedding': result.cached_embedding})
            else:
                self._json(404, {'error': f'No such API: {self.path}'})
        except AppError as err:
            self._json(err.status, {'error': str(err)})
        except Exception as err:  # noqa: BLE001 - the page shows it; the log keeps the trace
            log.exception('request failed')
            self._json(500, {'error': f'Server error: {type(err).__name__}: {err}'})


class SamAppServer(ThreadingHTTPServer):
    """A threaded HTTP server holding a :class:`SamAppState`."""

    daemon_threads = True

    def __init__(self, state: SamAppState, host: str = '127.0.0.1', port: int = 8765):
        super().__init__((host, port), SamAppHandler)
        self.state = state

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f'http://{host}:{port}/'

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests); stop with ``shutdown()``."""
        thread = threading.Thread(target=self.serve_forever, name='sam-app', daemon=True)
        thread.start()
        return thread

    def serve_until_interrupted(self, description: str) -> None:
        """Print where the app is, serve until Ctrl+C, close (what the app tools run)."""
        host = self.server_address[0]
        if host not in ('127.0.0.1', 'localhost', '::1'):
            print(f'WARNING: listening on {host}: anyone who can reach it can use the app (no authentication).')
        print(f'Model: {description}')
        print(f'Open {self.url}  (Ctrl+C to stop)', flush=True)
        try:
            self.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.server_close()


def add_app_args(parser: argparse.ArgumentParser, resolutions) -> None:
    """The app tools' server options: ``--host``, ``--port``, ``--resolutions``, upload limits, ``--verbose``."""
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (default: this machine only)')
    parser.add_argument('--port', type=int, default=8765)
    parser.add_argument('--resolutions', type=int, nargs='+', default=list(resolutions),
                        help='input sides offered on the page (multiples of 16)')
    parser.add_argument('--max-upload-mb', type=float, default=20.0, help='largest accepted file')
    parser.add_argument('--max-megapixels', type=float, default=40.0, help='largest accepted image')
    parser.add_argument('--verbose', action='store_true', help='log every request')


def app_limits(args: argparse.Namespace) -> dict:
    """``max_bytes`` / ``max_pixels`` keyword arguments of the app state, from :func:`add_app_args` options."""
    return dict(max_bytes=int(args.max_upload_mb * 2 ** 20), max_pixels=int(args.max_megapixels * 1e6))
