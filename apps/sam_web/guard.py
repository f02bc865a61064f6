"""Request checks of the app's HTTP layer: body length, Host, Origin and Content-Type.

The app has no authentication, so a web page from another site must not be able to drive it:
DNS rebinding is stopped by checking ``Host`` against the server's own address, and cross-site
form posts (CSRF) by refusing foreign ``Origin`` headers and the content types a plain HTML form
can send (only ``application/json`` and image uploads are accepted).
"""
import ipaddress
import re
import time
from typing import Iterable, Optional, Set

from .errors import AppError

LOOPBACK_NAMES = ('127.0.0.1', 'localhost', '[::1]')
JSON_TYPES = ('application/json',)
UPLOAD_TYPES = ('application/octet-stream', 'image/')


def content_length(header: Optional[str], limit: int, too_large: str = 'Upload a smaller image.') -> int:
    """The declared body length: 411 when missing, 400 when not a non-negative integer, 413 over ``limit``
    (the message ends with ``too_large``: what to do instead)."""
    if header is None or not header.strip():
        raise AppError('Content-Length header required', 411)
    text = header.strip()
    if not text.isdigit():  # refuses '-1', '+5', '1e3', ' 12 34'
        raise AppError(f'Content-Length must be a non-negative integer, got {text[:40]!r}', 400)
    length = int(text)
    if length > limit:
        raise AppError(f'The request is {length / 2 ** 20:.1f} MiB; the limit is {limit / 2 ** 20:.3g} MiB. '
                       f'{too_large}', 413)
    return length


#: JSON requests carry prompts, never images: deeper nesting than this is refused before parsing.
MAX_JSON_DEPTH = 400
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def check_json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """400 when arrays / objects nest deeper than ``limit`` (Python's parser would raise RecursionError)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in '[{':
            depth += 1
            if depth > limit:
                raise AppError(f'The JSON body nests deeper than {limit} levels; prompts need a few.', 400)
        elif token in ']}':
            depth -= 1


def read_exactly(rfile, length: int, deadline_s: float) -> bytes:
    """Read ``length`` bytes (each read bounded by the socket timeout, all of them by ``deadline_s``).

    The body goes into one preallocated buffer, read at most 1 MiB at a time.
    """
    end = time.monotonic() + deadline_s
    body = bytearray(length)
    view, received = memoryview(body), 0
    while received < length:
        if time.monotonic() > end:
            raise AppError(f'The request body arrived too slowly ({received} of {length} bytes in '
                           f'{deadline_s:.0f} s).', 408)
        try:
            count = rfile.readinto1(view[received:received + (1 << 20)])
        except TimeoutError:
            raise AppError(f'The request body stopped after {received} of {length} bytes.', 408) from None
        if not count:
            raise AppError(f'The request body ended after {received} of {length} bytes.', 400)
        received += count
    view.release()
    return bytes(body)


def default_allowed_hosts(host: str, port: int) -> Optional[Set[str]]:
    """``Host`` values that name this server; ``None`` (any) when bound to all interfaces."""
    if host in ('', '0.0.0.0', '::'):
        return None
    names = {host if ':' not in host else f'[{host}]'}
    try:
        if ipaddress.ip_address(host).is_loopback:
            names.update(LOOPBACK_NAMES)
    except ValueError:  # a host name
        if host == 'localhost':
            names.update(LOOPBACK_NAMES)
    return {f'{name}:{port}' for name in names} | ({host} if port == 80 else set())


def check_host(host_header: Optional[str], allowed: Optional[Iterable[str]]) -> None:
    """403 unless ``Host`` is one of ``allowed`` (DNS rebinding: a foreign name resolving to us)."""
    if allowed is None:
        return
    allowed = set(allowed)
    if (host_header or '').strip().lower() not in allowed:
        raise AppError(f'Host {host_header!r} is not this server; open it as http://{sorted(allowed)[0]}/ '
                       f'(start the app with --allowed-host NAME to add another name).', 403)


def check_origin(origin: Optional[str], fetch_site: Optional[str], host_header: Optional[str]) -> None:
    """403 for cross-site requests: an ``Origin`` other than this server or ``Sec-Fetch-Site: cross-site``."""
    if fetch_site and fetch_site.strip().lower() == 'cross-site':
        raise AppError('Cross-site requests are refused; use the app\'s own page.', 403)
    if origin is None:
        return  # not sent by a page of another site (curl, scripts, same-origin GET)
    if origin.strip().lower() != 'http://' + (host_header or '').strip().lower():
        raise AppError(f'Requests from origin {origin[:80]!r} are refused; use the app\'s own page.', 403)


def check_content_type(header: Optional[str], accepted: Iterable[str]) -> None:
    """415 unless the media type starts with one of ``accepted`` (parameters such as charset ignored)."""
    media = (header or '').split(';')[0].strip().lower()
    if not media or not any(media == a or (a.endswith('/') and media.startswith(a)) for a in accepted):
        raise AppError(f'Content-Type {header!r} is not accepted here; send {" or ".join(accepted)}.', 415)
