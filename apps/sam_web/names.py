"""The app's "Segment by name" field: typed class names -> a labelled overlay and a legend.

One :class:`~radio_dense.analysis.segment_by_name.NameSegmenter` (the engine ``tools/segment_by_name.py``
uses) per app; a field without one carries the reason (no language adaptor, no text tower offline,
turned off) and the page shows it instead of the field. Requests are bounded: a few names, short ones.
"""
import base64
import io
import time
from typing import Dict, List, Optional

import numpy as np
from PIL import Image

from radio_dense.analysis.segment_by_name import NameSegmenter
from radio_dense.radio.text_towers import TextTowerUnavailable

from .errors import AppError

MAX_NAMES = 32
MAX_NAME_CHARS = 100
MAX_SYNONYMS = 8
#: the overlay and label PNGs are at most this long (nearest neighbour); the page scales them to the image
MAX_PICTURE_SIDE = 2048


def _png_base64(pixels: np.ndarray) -> str:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format='PNG', compress_level=1)
    return base64.b64encode(buf.getvalue()).decode()


def fit_side(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """``pixels`` (nearest neighbour) with the long side at most ``max_side``."""
    height, width = pixels.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1:
        return pixels
    rows = (np.arange(max(1, round(height * scale))) / scale).astype(int)
    cols = (np.arange(max(1, round(width * scale))) / scale).astype(int)
    return pixels[rows][:, cols]


def parse_names(names) -> List[str]:
    """The class names of a request (a JSON list of strings; commas inside one separate synonyms), checked."""
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise AppError(f'names must be a JSON list of strings (one per class), got {type(names).__name__}')
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise AppError('Type at least one class name (e.g. "cat, dog, sofa").')
    if len(names) > MAX_NAMES:
        raise AppError(f'{len(names)} class names; at most {MAX_NAMES} per request.')
    for name in names:
        if len(name) > MAX_NAME_CHARS:
            raise AppError(f'The class name {name[:40]!r}... is {len(name)} characters; keep each under '
                           f'{MAX_NAME_CHARS}.')
        synonyms = [s for s in name.split(',') if s.strip()]
        if not synonyms:
            raise AppError(f'The class name {name!r} has no words; type a name.')
        if len(synonyms) > MAX_SYNONYMS:
            raise AppError(f'The class {name[:40]!r} lists {len(synonyms)} synonyms; at most {MAX_SYNONYMS}.')
    lowered = [n.lower() for n in names]
    repeated = sorted({n for n in names if lowered.count(n.lower()) > 1})
    if repeated:
        raise AppError(f'Class names must differ; repeated: {repeated}'[:300])
    return names


class NamesField:
    """The field's model (or why there is none) and what it answers.

    Args:
        segmenter: the engine; ``None`` turns the field off.
        reason: why it is off (shown on the page), when ``segmenter`` is ``None``.
        max_side: longest side of the pictures sent back (shares are counted on every pixel).
    """

    def __init__(self, segmenter: Optional[NameSegmenter] = None, reason: str = '',
                 max_side: int = MAX_PICTURE_SIDE):
        if segmenter is None and not reason:
            reason = 'Segment by name is off (no RADIO language adaptor was loaded).'
        self.segmenter = segmenter
        self.reason = '' if segmenter is not None else reason
        self.max_side = max_side

    @property
    def enabled(self) -> bool:
        return self.segmenter is not None

    def config(self) -> Dict:
        """What the page needs: on or off (and why), limits, the model and its warning."""
        seg = self.segmenter
        return {'enabled': self.enabled, 'reason': self.reason, 'max_names': MAX_NAMES,
                'max_name_chars': MAX_NAME_CHARS, 'model': seg.description if seg else None,
                'random_weights': bool(seg and seg.random_weights)}

    def segment(self, pixels: np.ndarray, names) -> Dict:
        """Label ``pixels`` (the stored image) with ``names``: overlay and label PNGs (base64), legend, warning."""
        if not self.enabled:
            raise AppError(self.reason)
        names = parse_names(names)
        start = time.perf_counter()
        try:
            result = self.segmenter.segment(pixels, names)
        except ValueError as err:  # a name a class-embedding file does not know, a width mismatch
            raise AppError(str(err)[:500]) from err
        except TextTowerUnavailable as err:  # the tools load it at start-up; a library user may not
            raise AppError(f'Segment by name is unavailable: {err}'[:800], 503) from err
        ms = (time.perf_counter() - start) * 1000
        legend = [{'name': name, 'color': '#%02x%02x%02x' % colour, 'share': round(share, 4)}
                  for name, colour, share in result.legend()]
        labels = fit_side(result.labels, self.max_side)
        overlay = fit_side(result.overlay_rgba(), self.max_side)
        return {'overlay_png': _png_base64(overlay), 'labels_png': _png_base64(labels),
                'width': int(labels.shape[1]), 'height': int(labels.shape[0]),
                'names': result.names, 'legend': legend, 'warning': result.warning, 'names_ms': round(ms, 1)}
