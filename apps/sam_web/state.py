"""The interactive app's state: uploaded images, cached embeddings, prompting (no HTTP here)."""
import contextlib
import hashlib
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

from radio_dense.sam import RadioSam, RadioSamPredictor
from radio_dense.sam.utils.prompt_checks import PromptError

from .cache import CacheFullError, ImageCache, StoredImage
from .errors import AppError
from .names import NamesField, parse_names
from .upload import decode_upload

DEFAULT_RESOLUTIONS = (512, 768, 1024, 1536, 2048)

__all__ = ['AppError', 'Prediction', 'SamAppState', 'decode_upload', 'DEFAULT_RESOLUTIONS']


@dataclass
class Prediction:
    """The candidate masks of one prompt set (three with multimask output, else one) and what they cost."""

    masks: List[np.ndarray]
    scores: List[float]
    embed_ms: float
    decode_ms: float
    cached_embedding: bool

    @property
    def best(self) -> int:
        """Index of the highest-scored candidate."""
        return int(np.argmax(self.scores))

    @property
    def mask(self) -> np.ndarray:
        return self.masks[self.best]

    @property
    def score(self) -> float:
        return self.scores[self.best]


def _is_number(value) -> bool:
    """A finite JSON number: ``"12"`` (a string), ``true`` (a bool, which Python counts as 1) and integers too
    large for a float are not."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer of hundreds of digits
        return False


def _finite(values, count: int, what: str) -> List[float]:
    if not isinstance(values, (list, tuple)) or len(values) != count or not all(_is_number(v) for v in values):
        raise AppError(f'{what} must be {count} finite JSON numbers (not strings or true/false), '
                       f'got {values!r}'[:300])
    return [float(v) for v in values]


@contextlib.contextmanager
def _turn(lock, timeout: float, what: str, retry_after: int) -> Iterator[None]:
    """Hold ``lock`` (a lock or semaphore) for a block; a 503 when it is not free within ``timeout``."""
    if not lock.acquire(timeout=timeout):
        raise AppError(f'The server is busy {what}; try again in a few seconds.', 503,
                       {'Retry-After': str(retry_after)})
    try:
        yield
    finally:
        lock.release()


class SamAppState:
    """Images and embeddings of the app, thread-safe; the model runs one request at a time.

    Embeddings are cached per ``(image, resolution, padding)`` (least recently used out first),
    so prompting an image again only runs the prompt encoder and mask decoder. Images are stored
    downscaled to the largest offered resolution; an image a request is using, or one uploaded
    or used in the last ``protect_s`` seconds, is never evicted (a new upload gets a 503 instead).

    Args:
        model: the RadioSam to serve.
        resolutions: long sides offered to the user.
        max_bytes / max_pixels: upload limits (file size, pixels of the original image).
        max_images / max_embeddings: cache sizes.
        max_cache_mb: memory budget of stored images and embeddings together.
        decode_slots: uploads decoded at the same time (bounds decode memory).
        protect_s: seconds an image is kept for its client after its upload or last use.
        wait_s: how long a request waits for a decode slot or the model before a 503.
        names: the "Segment by name" field (:class:`~apps.sam_web.names.NamesField`); ``None``: off.
    """

    def __init__(self, model: RadioSam, description: str = '', resolutions: Sequence[int] = DEFAULT_RESOLUTIONS,
                 max_bytes: int = 20 * 2 ** 20, max_pixels: int = 24_000_000, max_images: int = 8,
                 max_embeddings: int = 8, max_cache_mb: float = 1024, decode_slots: int = 1,
                 protect_s: float = 60.0, wait_s: float = 120.0, names: Optional[NamesField] = None):
        self.model = model
        self.names = names or NamesField(reason='Segment by name is off in this app (start it with a RADIO '
                                                'that has a language adaptor).')
        self.description = description
        self.default_resolution, self.default_pad = int(model.resolution), bool(model.pad_to_square)
        offered = sorted(set(int(r) for r in resolutions))
        if not offered:
            raise ValueError('resolutions is empty: offer at least one resolution')
        self.resolutions = tuple(offered)  # exactly the offered ones (--resolutions 256 512: no 1024)
        if self.default_resolution not in offered:  # the offered one closest to the model's own
            self.default_resolution = min(offered, key=lambda r: (abs(r - self.default_resolution), -r))
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.max_embeddings = max_embeddings
        self.wait_s = wait_s
        self.images = ImageCache(max_images, int(max_cache_mb * 2 ** 20), protect_s, on_evict=self._drop_embeddings)
        self.predictors: 'OrderedDict[Tuple[str, int, bool], RadioSamPredictor]' = OrderedDict()
        self.embed_count = 0
        self._decode_slots = threading.BoundedSemaphore(decode_slots)
        self._model_lock = threading.Lock()
        self._lock = self._model_lock  # subclasses run their model under it
        self._pred_lock = threading.Lock()

    # The cache limits are attributes tests and tools may tune after construction.
    @property
    def max_images(self) -> int:
        return self.images.max_images

    @max_images.setter
    def max_images(self, value: int) -> None:
        self.images.max_images = value

    @property
    def protect_s(self) -> float:
        return self.images.protect_s

    @protect_s.setter
    def protect_s(self, value: float) -> None:
        self.images.protect_s = value

    #: Store uploads downscaled to :attr:`max_side` (masks still come back at the original size);
    #: ``False`` for predictors that can only embed the original pixels.
    downscale_uploads = True

    @property
    def max_side(self) -> int:
        """Long side of stored images: the largest resolution offered (the model never uses more)."""
        return max(self.resolutions) if self.downscale_uploads else 1 << 30

    def config(self) -> Dict:
        """What the page needs to know."""
        return {'resolutions': list(self.resolutions), 'default_resolution': self.default_resolution,
                'pad_to_square': self.default_pad, 'max_bytes': self.max_bytes,
                'max_pixels': self.max_pixels, 'model': self.description, 'names': self.names.config()}

    def stats(self) -> Dict:
        """Counters for tests and monitoring."""
        with self._pred_lock:
            embeddings = len(self.predictors)
        return {'embeddings_computed': self.embed_count, 'embeddings_cached': embeddings, **self.images.stats()}

    def add_image(self, data: bytes) -> Dict:
        """Store an upload; returns ``{'image_id', 'width', 'height'}`` (original size)."""
        with _turn(self._decode_slots, self.wait_s, 'decoding other uploads', 2):
            pixels, original = decode_upload(data, self.max_bytes, self.max_pixels, self.max_side)
        digest = hashlib.sha1(pixels.tobytes() + str((pixels.shape, original)).encode()).hexdigest()[:16]
        try:
            self.images.add(digest, StoredImage(pixels, original))
        except CacheFullError as err:
            raise AppError(str(err), 503, {'Retry-After': str(err.retry_after)}) from err
        return {'image_id': digest, 'width': int(original[1]), 'height': int(original[0])}

    def _drop_embeddings(self, image_id: str) -> None:
        with self._pred_lock:
            for key in [k for k in self.predictors if k[0] == image_id]:
                del self.predictors[key]

    def _new_predictor(self, resolution: int, pad: bool) -> RadioSamPredictor:
        """A predictor for one cached embedding (subclasses serve other models)."""
        return RadioSamPredictor(self.model, resolution, pad)

    def _set_image(self, predictor, image: StoredImage) -> None:
        """Embed a stored image; RadioSam predictors get it resized from the stored copy, original size kept."""
        if not isinstance(predictor, RadioSamPredictor):
            predictor.set_image(image.pixels)
            return
        geometry = self.model.geometry(image.original_size, predictor.resolution, predictor.pad_to_square)
        height, width = geometry.input_size
        resized = np.array(Image.fromarray(image.pixels).resize((width, height)))  # as SAM's transform
        tensor = torch.as_tensor(resized, device=predictor.device).permute(2, 0, 1).contiguous()[None]
        predictor.set_torch_image(tensor, image.original_size)

    def _predictor(self, image_id: str, resolution: int, pad: bool) -> Tuple[RadioSamPredictor, float, bool]:
        """The (cached) predictor of an image; call it holding ``self._lock`` (the model's turn)."""
        with self.images.use(image_id) as image:
            if image is None:
                raise AppError('Unknown image (the server forgets old uploads); upload it again.', 404)
            if resolution not in self.resolutions:
                raise AppError(f'resolution must be one of {list(self.resolutions)}, got {resolution}')
            key = (image_id, resolution, pad)
            with self._pred_lock:
                if key in self.predictors:
                    self.predictors.move_to_end(key)
                    return self.predictors[key], 0.0, True
            start = time.perf_counter()
            predictor = self._new_predictor(resolution, pad)
            self._set_image(predictor, image)
            embed_ms = (time.perf_counter() - start) * 1000
        self.embed_count += 1
        features = getattr(predictor, 'features', None)
        nbytes = features.numel() * features.element_size() if isinstance(features, torch.Tensor) else 0
        with self._pred_lock:
            self.predictors[key] = predictor
            while len(self.predictors) > self.max_embeddings:
                self.predictors.popitem(last=False)
        self.images.account(image_id, nbytes)
        return predictor, embed_ms, False

    def _model_turn(self):
        return _turn(self._model_lock, self.wait_s, 'computing other requests', 5)

    def segment_by_name(self, image_id, names) -> Dict:
        """The "Segment by name" field: label the stored image with the typed class ``names`` (see ``names.py``)."""
        if not isinstance(image_id, str):
            raise AppError('image_id must be a string (the upload\'s id)')
        if not self.names.enabled:
            raise AppError(self.names.reason)
        names = parse_names(names)  # refused before waiting for the model
        with self.images.use(image_id) as image:
            if image is None:
                raise AppError('Unknown image (the server forgets old uploads); upload it again.', 404)
            with self._model_turn():
                return self.names.segment(image.pixels, names)

    def embed(self, image_id: str, resolution: int, pad: bool) -> Dict:
        """Compute (or find) the embedding; returns timing and grid size."""
        with self.images.use(image_id), self._model_turn():
            predictor, embed_ms, cached = self._predictor(image_id, int(resolution), bool(pad))
            return {'embed_ms': round(embed_ms, 1), 'cached': cached,
                    'grid': list(predictor.features.shape[-2:]), 'canvas': list(predictor.geometry.canvas_size)}

    def predict(self, image_id: str, resolution: int, pad: bool, points: Sequence = (),
                box: Optional[Sequence] = None, multimask: Optional[bool] = None) -> Prediction:
        """The candidate masks for ``points`` (``[x, y, label]``, image pixels) and/or ``box``.

        Multimask output (three candidates; default for a single point, as in segment-anything)
        lets the user pick; otherwise there is one. Points outside the image are refused.
        """
        if points is None:
            points = []
        if not isinstance(points, (list, tuple)):
            raise AppError(f'points must be a list of [x, y, label] triples, got {points!r}'[:300])
        if not points and box is None:
            raise AppError('Add a prompt: click the object (shift/right click: background) or drag a box.')
        if len(points) > 64:
            raise AppError('At most 64 points per prompt.')
        parsed = [_finite(p, 3, 'A point [x, y, label]') for p in points]
        if any(p[2] not in (0.0, 1.0) for p in parsed):
            raise AppError('Point labels must be 1 (object) or 0 (background).')
        coords = np.array([p[:2] for p in parsed]).reshape(-1, 2) if parsed else None
        labels = np.array([int(p[2]) for p in parsed]) if parsed else None
        box_array = np.array(_finite(box, 4, 'box [x0, y0, x1, y1]')) if box is not None else None
        if multimask is not None and not isinstance(multimask, bool):
            raise AppError(f'multimask must be true, false or null, got {multimask!r}'[:300])
        if multimask is None:
            multimask = len(parsed) == 1 and box is None
        with self.images.use(image_id), self._model_turn():
            predictor, embed_ms, cached = self._predictor(image_id, int(resolution), bool(pad))
            start = time.perf_counter()
            try:
                masks, scores, _ = predictor.predict(coords, labels, box_array, multimask_output=multimask)
            except PromptError as err:
                raise AppError(str(err)) from err
            decode_ms = (time.perf_counter() - start) * 1000
        return Prediction(list(masks), [float(s) for s in scores], embed_ms, decode_ms, cached)
