#!/usr/bin/env python
"""Memory of the SAM app server under hostile uploads: prints a table (server RSS growth per scenario).

Runs the real server in this process on 127.0.0.1 with the radio_tiny fixture model and samples
this process's RSS every 10 ms. Scenarios: a ``Content-Length: -1`` request streaming
``--stream-mb`` MiB, and ``--parallel`` simultaneous uploads of a ``--side`` x ``--side`` PNG.

    python tools/analysis/app_memory_probe.py --stream-mb 200 --parallel 6 --side 3500
"""
import argparse
import concurrent.futures
import contextlib
import io
import socket
import sys
import threading
import time

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


import numpy as np  # noqa: E402
import psutil  # noqa: E402
from PIL import Image  # noqa: E402


class PeakRss:
    """Samples RSS in a thread; ``growth_mb`` is the peak above the level at ``start``."""

    def __init__(self):
        self.proc = psutil.Process()
        self.base = self.peak = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.base = self.peak = self.proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.base) / 2 ** 20


def request(port: int, head: str, body_chunks, timeout: float) -> str:
    """Send a request (body from an iterator, in a thread); the status line or 'no answer'."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as sock:
        sock.sendall(head.encode() + b'\r\n\r\n')

        def send():
            with contextlib.suppress(OSError):
                for chunk in body_chunks:
                    sock.sendall(chunk)
        threading.Thread(target=send, daemon=True).start()
        try:
            data = sock.recv(4096)
        except socket.timeout:
            return 'no answer'
    return data.split(b'\r\n')[0].decode(errors='replace').split(' ', 1)[-1] if data else 'closed'


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--stream-mb', type=int, default=200)
    p.add_argument('--parallel', type=int, default=6)
    p.add_argument('--side', type=int, default=3500, help='side of the uploaded square PNG')
    args = p.parse_args(argv)
    from radio_dense.sam import build_radio_sam
    from radio_dense.apps.sam_web.server import SamAppServer
    from radio_dense.apps.sam_web.state import SamAppState
    from radio_dense.tools.common.default_checkpoint import default_checkpoint

    model = build_radio_sam(dict(source=default_checkpoint()), resolution=512, seed=0)
    state = SamAppState(model, resolutions=[512, 1024], max_bytes=200 * 2 ** 20)
    server = SamAppServer(state, '127.0.0.1', 0)
    server.start_in_thread()
    port, host = server.server_address[1], f'127.0.0.1:{server.server_address[1]}'
    rows = []

    chunk = b'\0' * (1 << 20)
    with PeakRss() as rss:
        status = request(port, f'POST /api/image HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\n'
                               f'Content-Length: -1', (chunk for _ in range(args.stream_mb)), timeout=30)
    rows.append((f'Content-Length -1 + {args.stream_mb} MiB', status, rss.growth_mb))

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (args.side // 8, args.side // 8, 3), dtype=np.uint8)).resize(
        (args.side, args.side)).save(buf, format='PNG')
    png = buf.getvalue()
    head = (f'POST /api/image HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\nContent-Length: {len(png)}\r\n'
            f'Connection: close')
    with PeakRss() as rss, concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
        statuses = list(pool.map(lambda _: request(port, head, [png], timeout=300), range(args.parallel)))
    rows.append((f'{args.parallel} parallel {args.side}x{args.side} PNG uploads ({len(png) / 2 ** 20:.1f} MiB each)',
                 ', '.join(sorted(set(statuses))), rss.growth_mb))
    server.shutdown()
    print('| scenario | answer | server RSS growth (MiB) |\n|---|---|---|')
    for name, status, growth in rows:
        print(f'| {name} | {status} | {growth:.0f} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
