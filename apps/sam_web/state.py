"""The interactive app's state: uploaded images, cached embeddings, prompting (no HTTP here)."""
import hashlib
import io
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from radio_dense.sam import RadioSam, RadioSamPredictor

DEFAULT_RESOLUTIONS = (512, 768, 1024, 1536, 2048)


class AppError(Exception):
    """A request the app refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Prediction:
    """The best mask of one prompt set and what it cost."""

    mask: np.ndarray
    score: float
    embed_ms: float
    decode_ms: float
    cached_embedding: bool


def decode_upload(data: bytes, max_bytes: int, max_pixels: int) -> np.ndarray:
    """Uploaded file bytes -> ``HxWx3`` uint8 RGB, or an :class:`AppError` saying what is wrong."""
    if not data:
        raise AppError('The upload is empty; choose an image file (PNG, JPEG, WebP, BMP...).')
    if len(data) > max_bytes:
        raise AppError(f'The file is {len(data) / 2 ** 20:.1f} MiB; the limit is {max_bytes / 2 ** 20:.0f} MiB. '
                       f'Upload a smaller image.', 413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise AppError(f'The image is {width}x{height} = {width * height / 1e6:.0f} MP; the limit is '
                               f'{max_pixels / 1e6:.0f} MP. Downscale it first.', 413)
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            image = np.asarray(img.convert('RGB'))
    except AppError:
        raise
    except Image.DecompressionBombError as err:
        raise AppError(f'The image has too many pixels ({err}); downscale it first.', 413) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise AppError(f'This file is not an image that can be read ({type(err).__name__}). '
                       f'Upload a PNG, JPEG, WebP, BMP, GIF or TIFF picture.') from err
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise AppError(f'The image is only {image.shape[1]}x{image.shape[0]} pixels; upload a larger one.')
    return image


def _finite(values: Sequence, count: int, what: str) -> List[float]:
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError):
        out = []
    if len(out) != count or not all(math.isfinite(v) for v in out):
        raise AppError(f'{what} must be {count} finite numbers, got {values!r}')
    return out


class SamAppState:
    """Images and embeddings of the app, thread-safe; the model runs one request at a time.

    Embeddings are cached per ``(image, resolution, padding)`` (least recently used out first),
    so prompting an image again only runs the prompt encoder and mask decoder.

    Args:
        model: the RadioSam to serve.
        resolutions: long sides offered to the user.
        max_bytes / max_pixels: upload limits.
        max_images / max_embeddings: cache sizes.
    """

    def __init__(self, model: RadioSam, description: str = '', resolutions: Sequence[int] = DEFAULT_RESOLUTIONS,
                 max_bytes: int = 20 * 2 ** 20, max_pixels: int = 40_000_000, max_images: int = 8,
                 max_embeddings: int = 8):
        self.model = model
        self.description = description
        self.default_resolution, self.default_pad = int(model.resolution), bool(model.pad_to_square)
        self.resolutions = tuple(sorted(set(int(r) for r in resolutions) | {self.default_resolution}))
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self.max_images = max_images
        self.max_embeddings = max_embeddings
        self.images: 'OrderedDict[str, np.ndarray]' = OrderedDict()
        self.predictors: 'OrderedDict[Tuple[str, int, bool], RadioSamPredictor]' = OrderedDict()
        self.embed_count = 0
        self._lock = threading.Lock()

    def config(self) -> Dict:
        """What the page needs to know."""
        return {'resolutions': list(self.resolutions), 'default_resolution': self.default_resolution,
                'pad_to_square': self.default_pad, 'max_bytes': self.max_bytes,
                'max_pixels': self.max_pixels, 'model': self.description}

    def add_image(self, data: bytes) -> Dict:
        """Store an upload; returns ``{'image_id', 'width', 'height'}``."""
        image = decode_upload(data, self.max_bytes, self.max_pixels)
        image_id = hashlib.sha1(image.tobytes() + str(image.shape).encode()).hexdigest()[:16]
        with self._lock:
            self.images[image_id] = image
            self.images.move_to_end(image_id)
            while len(self.images) > self.max_images:
                old, _ = self.images.popitem(last=False)
                for key in [k for k in self.predictors if k[0] == old]:
                    del self.predictors[key]
        return {'image_id': image_id, 'width': int(image.shape[1]), 'height': int(image.shape[0])}

    def _predictor(self, image_id: str, resolution: int, pad: bool) -> Tuple[RadioSamPredictor, float, bool]:
        if image_id not in self.images:
            raise AppError('Unknown image (the server forgets old uploads); upload it again.', 404)
        if resolution not in self.resolutions:
            raise AppError(f'resolution must be one of {list(self.resolutions)}, got {resolution}')
        key = (image_id, resolution, pad)
        if key in self.predictors:
            self.predictors.move_to_end(key)
            return self.predictors[key], 0.0, True
        predictor = self._new_predictor(resolution, pad)
        start = time.perf_counter()
        predictor.set_image(self.images[image_id])
        embed_ms = (time.perf_counter() - start) * 1000
        self.embed_count += 1
        self.predictors[key] = predictor
        while len(self.predictors) > self.max_embeddings:
            self.predictors.popitem(last=False)
        return predictor, embed_ms, False

    def _new_predictor(self, resolution: int, pad: bool) -> RadioSamPredictor:
        """A predictor for one cached embedding (subclasses serve other models)."""
        return RadioSamPredictor(self.model, resolution, pad)

    def embed(self, image_id: str, resolution: int, pad: bool) -> Dict:
        """Compute (or find) the embedding; returns timing and grid size."""
        with self._lock:
            predictor, embed_ms, cached = self._predictor(image_id, int(resolution), bool(pad))
            return {'embed_ms': round(embed_ms, 1), 'cached': cached,
                    'grid': list(predictor.features.shape[-2:]), 'canvas': list(predictor.geometry.canvas_size)}

    def predict(self, image_id: str, resolution: int, pad: bool, points: Sequence = (),
                box: Optional[Sequence] = None, multimask: Optional[bool] = None) -> Prediction:
        """The best-scored mask for ``points`` (``[x, y, label]``, image pixels) and/or ``box``."""
        points = list(points or [])
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
        if multimask is None:
            multimask = len(parsed) == 1 and box is None
        with self._lock:
            predictor, embed_ms, cached = self._predictor(image_id, int(resolution), bool(pad))
            start = time.perf_counter()
            masks, scores, _ = predictor.predict(coords, labels, box_array, multimask_output=bool(multimask))
            decode_ms = (time.perf_counter() - start) * 1000
        best = int(np.argmax(scores))
        return Prediction(masks[best], float(scores[best]), embed_ms, decode_ms, cached)
