"""The app's image store: memory-accounted, least recently used out, never evicting an image in use.

An image is *in use* while a request holds it (:meth:`ImageCache.use`) and for ``protect_s``
seconds after it was uploaded or last used (its client is probably about to prompt it). When
room is needed and only images in use are left, the upload is refused with a 503 and a
``Retry-After`` instead of evicting an image another client is working on.
"""
import contextlib
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterator, Optional, Tuple

import numpy as np


class CacheFullError(Exception):
    """No room without evicting an image in use; ``retry_after`` seconds until one frees up."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class StoredImage:
    """An uploaded image, downscaled to what the model can use, and its original size ``(H, W)``."""

    pixels: np.ndarray
    original_size: Tuple[int, int]
    pins: int = 0
    last_used: float = field(default_factory=time.monotonic)
    extra_bytes: int = 0  # embeddings computed for this image

    @property
    def nbytes(self) -> int:
        return int(self.pixels.nbytes) + self.extra_bytes


class ImageCache:
    """Thread-safe ``image_id -> StoredImage`` with a count and a byte budget.

    Args:
        max_images: most images kept.
        max_bytes: most bytes of pixels and embeddings kept.
        protect_s: seconds an image stays protected after its upload or last use.
        on_evict: called with the id of each evicted image (to drop its embeddings).
    """

    def __init__(self, max_images: int, max_bytes: int, protect_s: float = 60.0,
                 on_evict: Optional[Callable[[str], None]] = None):
        self.max_images = max_images
        self.max_bytes = max_bytes
        self.protect_s = protect_s
        self.on_evict = on_evict
        self._images: 'OrderedDict[str, StoredImage]' = OrderedDict()
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._images)

    def __contains__(self, image_id: str) -> bool:
        return image_id in self._images

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return sum(img.nbytes for img in self._images.values())

    def stats(self) -> Dict[str, int]:
        with self._lock:
            return {'images': len(self._images), 'bytes': self.total_bytes,
                    'pinned': sum(1 for img in self._images.values() if img.pins)}

    def _in_use(self, img: StoredImage, now: float) -> bool:
        return img.pins > 0 or now - img.last_used < self.protect_s

    def _over(self, extra_images: int, extra_bytes: int) -> bool:
        return (len(self._images) + extra_images > self.max_images
                or self.total_bytes + extra_bytes > self.max_bytes)

    def _make_room(self, extra_images: int, extra_bytes: int) -> None:
        now = time.monotonic()
        for image_id in list(self._images):  # least recently used first
            if not self._over(extra_images, extra_bytes):
                return
            if not self._in_use(self._images[image_id], now):
                self._evict(image_id)
        if self._over(extra_images, extra_bytes):
            busy = [img for img in self._images.values() if img.pins == 0]
            wait = min((self.protect_s - (now - img.last_used) for img in busy), default=1.0)
            raise CacheFullError(
                f'The server is busy: all {len(self._images)} stored images are in use by other requests '
                f'({self.total_bytes / 2 ** 20:.0f} MiB of {self.max_bytes / 2 ** 20:.0f} MiB). Try again in a few '
                f'seconds.', max(1, math.ceil(wait)))

    def _evict(self, image_id: str) -> None:
        del self._images[image_id]
        if self.on_evict is not None:
            self.on_evict(image_id)

    def add(self, image_id: str, image: StoredImage) -> None:
        """Store ``image`` (or refresh it when already stored); may raise :class:`CacheFullError`."""
        with self._lock:
            if image_id in self._images:
                self._images[image_id].last_used = time.monotonic()
                self._images.move_to_end(image_id)
                return
            if image.nbytes > self.max_bytes:
                raise CacheFullError(f'The image needs {image.nbytes / 2 ** 20:.0f} MiB, more than the whole cache '
                                     f'({self.max_bytes / 2 ** 20:.0f} MiB); upload a smaller image.', 3600)
            self._make_room(1, image.nbytes)
            self._images[image_id] = image

    def account(self, image_id: str, extra_bytes: int) -> None:
        """Add ``extra_bytes`` (an embedding) to an image's size; evicts other unused images if needed."""
        with self._lock:
            img = self._images.get(image_id)
            if img is None:
                return
            img.extra_bytes += extra_bytes
            with contextlib.suppress(CacheFullError):  # the request that computed it still finishes
                self._make_room(0, 0)

    @contextlib.contextmanager
    def use(self, image_id: str) -> Iterator[Optional[StoredImage]]:
        """Pin an image for the duration of a request; yields ``None`` when it is not stored."""
        with self._lock:
            img = self._images.get(image_id)
            if img is not None:
                img.pins += 1
                img.last_used = time.monotonic()
                self._images.move_to_end(image_id)
        try:
            yield img
        finally:
            if img is not None:
                with self._lock:
                    img.pins -= 1
                    img.last_used = time.monotonic()
