"""The interactive app's HTTP layer (standard library ``http.server``): a page and a small JSON API.

Routes:
    ``GET /``                 the page
    ``GET /api/config``       resolutions, limits, model description
    ``POST /api/image``       body: the raw image file -> ``{image_id, width, height}``
    ``POST /api/embed``       ``{image_id, resolution, pad}`` -> embedding time (cached per image)
    ``POST /api/predict``     ``{image_id, resolution, pad, points: [[x, y, label]], box, multimask}``
                              (+ ``text`` for SAM3 models: the concept)
                              -> ``{candidates: [{mask_png, overlay_png (base64), score, area}], best,
                              mask_png, overlay_png, score, area (of the best), embed_ms, decode_ms,
                              instances (SAM3: how many; else null)}``
    ``POST /api/names``       ``{image_id, names: [str]}`` (one class each; commas inside one: synonyms)
                              -> ``{overlay_png, labels_png (base64, the stored image's size up to 2048 px;
                              the page scales them), width, height,
                              names, legend: [{name, color, share}], warning (random weights, else null),
                              names_ms}``; 400 with the reason when the app has no language adaptor
    ``GET /favicon.ico``      the app's icon (SVG)
    ``GET /api/stats``        how many embeddings were computed, images and bytes stored (for tests)

Every request must name this server in ``Host`` (DNS rebinding), POSTs must not come from another
origin and must send ``application/json`` (uploads: ``application/octet-stream`` or ``image/*``),
bodies need a valid ``Content-Length`` and are read with a time limit (see ``guard``).
"""
import argparse
import base64
import contextlib
import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterable, Iterator, Optional, Tuple

from radio_dense.sam.utils.visualize import mask_png_bytes, rgba_mask_png_bytes

from .errors import AppError
from .guard import (JSON_TYPES, UPLOAD_TYPES, check_content_type, check_host, check_json_depth, check_origin,
                    content_length, default_allowed_hosts, read_exactly)
from .page import FAVICON_SVG, render_page
from .state import SamAppState

MAX_JSON_BYTES = 1 << 20
log = logging.getLogger(__name__)


class SamAppHandler(BaseHTTPRequestHandler):
    """Routes requests to the :class:`SamAppState` of the server."""

    server: 'SamAppServer'
    server_version = 'RadioSamApp/1.0'

    def log_message(self, fmt: str, *args) -> None:  # route through logging instead of stderr
        log.info('%s - %s', self.address_string(), fmt % args)

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # socket timeout of every read and write
        super().setup()

    # ----- helpers -----
    def _send(self, status: int, body: bytes, content_type: str, headers: Optional[Dict[str, str]] = None) -> None:
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Cache-Control', 'no-store')
        self.send_header('X-Content-Type-Options', 'nosniff')
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict, headers: Optional[Dict[str, str]] = None) -> None:
        self._send(status, json.dumps(payload).encode(), 'application/json', headers)

    def _body(self, limit: int, too_large: str = 'Upload a smaller image.') -> bytes:
        try:
            length = content_length(self.headers.get('Content-Length'), limit, too_large)
        except AppError:
            self._discard_unread()
            raise
        try:
            return read_exactly(self.rfile, length, self.server.body_deadline)
        except AppError:
            self.close_connection = True
            raise

    def _discard_unread(self, max_bytes: int = 16 << 20, max_seconds: float = 2.0) -> None:
        """Read and drop what the client already sent of a refused body (bounded), then close.

        Closing a socket with unread data makes the kernel send a reset, which can destroy the
        answer before the client reads it; the body itself is never kept.
        """
        self.close_connection = True  # the unread rest must not be parsed as the next request
        self.connection.settimeout(0.2)
        end, dropped = time.monotonic() + max_seconds, 0
        try:
            while dropped < max_bytes and time.monotonic() < end:
                chunk = self.rfile.read1(1 << 20)
                if not chunk:
                    break
                dropped += len(chunk)
        except (TimeoutError, OSError):
            pass
        finally:
            self.connection.settimeout(self.timeout)

    def _json_body(self) -> dict:
        check_content_type(self.headers.get('Content-Type'), JSON_TYPES)
        body = self._body(MAX_JSON_BYTES, 'Prompt requests are small JSON objects (points, a box); images go to '
                                          '/api/image.')
        try:
            text = body.decode('utf-8') or '{}'
            check_json_depth(text)
            payload = json.loads(text)
        except UnicodeDecodeError as err:
            raise AppError(f'The request body is not UTF-8 text (byte {err.start}); send UTF-8 JSON.')
        except (json.JSONDecodeError, RecursionError) as err:
            raise AppError(f'Malformed JSON: {err}')
        if not isinstance(payload, dict):
            raise AppError('The request body must be a JSON object')
        return payload

    def _check_request(self) -> None:
        check_host(self.headers.get('Host'), self.server.allowed_hosts)
        check_origin(self.headers.get('Origin'), self.headers.get('Sec-Fetch-Site'), self.headers.get('Host'))

    @staticmethod
    def _view(payload: dict) -> Tuple[str, int, bool]:
        try:
            image_id, resolution, pad = payload['image_id'], payload['resolution'], payload.get('pad', True)
        except KeyError:
            raise AppError('image_id and resolution are required')
        if not isinstance(image_id, str) or isinstance(resolution, bool) or not isinstance(resolution, int) \
                or not isinstance(pad, bool):
            raise AppError('image_id must be a string, resolution an integer and pad true or false')
        return image_id, resolution, pad

    # ----- routes -----
    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        state = self.server.state
        try:
            self._check_request()
        except AppError as err:
            self._json(err.status, {'error': str(err)}, err.headers)
            return
        if self.path in ('/', '/index.html'):
            self._send(200, render_page(state.config()).encode(), 'text/html; charset=utf-8')
        elif self.path in ('/favicon.ico', '/favicon.svg'):
            self._send(200, FAVICON_SVG.encode(), 'image/svg+xml')
        elif self.path == '/api/config':
            self._json(200, state.config())
        elif self.path == '/api/stats':
            self._json(200, state.stats())
        else:
            self._json(404, {'error': f'No such page: {self.path}'})

    def do_POST(self) -> None:  # noqa: N802
        try:
            self._check_request()
            with self.server.request_slot():
                self._json(200, self._route_post())
        except AppError as err:
            self._json(err.status, {'error': str(err)}, err.headers)
        except Exception as err:  # noqa: BLE001 - the page shows it; the log keeps the trace
            log.exception('request failed')
            self._json(500, {'error': f'Server error: {type(err).__name__}: {err}'})

    def _route_post(self) -> dict:
        state = self.server.state
        if self.path == '/api/image':
            check_content_type(self.headers.get('Content-Type'), UPLOAD_TYPES)
            return state.add_image(self._body(state.max_bytes))
        if self.path == '/api/embed':
            return state.embed(*self._view(self._json_body()))
        if self.path == '/api/names':
            payload = self._json_body()
            return state.segment_by_name(payload.get('image_id'), payload.get('names'))
        if self.path == '/api/predict':
            payload = self._json_body()
            concept = {'text': payload.get('text')} if state.config().get('concept_prompts') else {}
            result = state.predict(*self._view(payload), points=payload.get('points'),
                                   box=payload.get('box'), multimask=payload.get('multimask'), **concept)
            candidates = [{'mask_png': base64.b64encode(mask_png_bytes(mask)).decode(),
                           'overlay_png': base64.b64encode(rgba_mask_png_bytes(mask)).decode(),
                           'score': round(score, 4), 'area': int(mask.sum())}
                          for mask, score in zip(result.masks, result.scores)]
            return dict(candidates[result.best], candidates=candidates, best=result.best,
                        instances=getattr(result, 'instances', None), embed_ms=round(result.embed_ms, 1),
                        decode_ms=round(result.decode_ms, 1), cached_embedding=result.cached_embedding)
        self.close_connection = True
        raise AppError(f'No such API: {self.path}', 404)


class SamAppServer(ThreadingHTTPServer):
    """A threaded HTTP server holding a :class:`SamAppState`.

    Args:
        state: the app state.
        host / port: where to listen (port 0: any free port).
        allowed_hosts: ``Host`` header values accepted (default: this address and, on loopback,
            ``localhost``/``127.0.0.1``/``[::1]`` with the port; any when bound to all interfaces).
        request_timeout: seconds any single socket read or write may wait.
        body_deadline: seconds a whole request body may take to arrive.
        max_pending: POST requests handled or waiting at once; more get a 503.
    """

    daemon_threads = True

    def __init__(self, state: SamAppState, host: str = '127.0.0.1', port: int = 8765,
                 allowed_hosts: Optional[Iterable[str]] = None, request_timeout: float = 30.0,
                 body_deadline: float = 120.0, max_pending: int = 8):
        super().__init__((host, port), SamAppHandler)
        self.state = state
        bound_port = self.server_address[1]
        default = default_allowed_hosts(host, bound_port)
        extra = {h.lower() if ':' in h else f'{h.lower()}:{bound_port}' for h in (allowed_hosts or ())}
        self.allowed_hosts = None if default is None and not extra else (default or set()) | extra
        self.request_timeout = request_timeout
        self.body_deadline = body_deadline
        self._pending = threading.BoundedSemaphore(max_pending)

    @contextlib.contextmanager
    def request_slot(self) -> Iterator[None]:
        """Hold one of ``max_pending`` POST slots; 503 when all are taken."""
        if not self._pending.acquire(timeout=1.0):
            raise AppError('The server is busy with other requests; try again in a few seconds.', 503,
                           {'Retry-After': '2'})
        try:
            yield
        finally:
            self._pending.release()

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


def app_limits(args: argparse.Namespace) -> dict:
    """Limit keyword arguments of the app state, from the options of ``add_app_args`` (tools/tool_args.py)."""
    return dict(max_bytes=int(args.max_upload_mb * 2 ** 20), max_pixels=int(args.max_megapixels * 1e6),
                max_cache_mb=args.max_cache_mb)
