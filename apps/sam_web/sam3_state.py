"""The web app's state for a SAM3 model: concept prompts (text, exemplar box, points) on cached embeddings.

Uploads, limits and the embedding cache are :class:`~apps.sam_web.state.SamAppState`'s;
prompting runs :class:`~radio_dense.sam3.Sam3Predictor` and answers with the union of the instances.
"""
import time
from dataclasses import dataclass
from typing import Dict, NamedTuple, Optional, Sequence

import numpy as np
from torch import nn

from radio_dense.sam3.predictor import Sam3Predictor, default_resolution

from .state import AppError, Prediction, SamAppState, _finite

MAX_TEXT_CHARS = 200


class _Defaults(NamedTuple):  # what SamAppState reads from its model
    resolution: int
    pad_to_square: bool


@dataclass
class ConceptPrediction(Prediction):
    """All instances of the concept: the one candidate ``mask`` is their union, ``score`` the best one's."""

    instances: int = 0


class Sam3AppState(SamAppState):
    """App state serving a SAM3 image model (e.g. ``build_radio_sam3``); the page shows a concept box.

    ``pad`` picks the geometry: ``True`` keeps the aspect ratio and pads to a square (``'pad'``),
    ``False`` pads only to whole patches (``'fit'``, RADIO trunks).

    Args:
        model: the SAM3 image model.
        confidence_threshold: instances scoring above this are shown.
        Other arguments: as :class:`SamAppState`.
    """

    downscale_uploads = False  # Sam3Predictor embeds the original pixels (its masks are in their frame)

    def __init__(self, model: nn.Module, description: str = '', resolutions: Sequence[int] = (768, 1152, 1536),
                 confidence_threshold: float = 0.5, **limits):
        super().__init__(_Defaults(default_resolution(model), True), description, resolutions, **limits)
        self.model = model
        self.confidence_threshold = float(confidence_threshold)

    def config(self) -> Dict:
        return dict(super().config(), concept_prompts=True, confidence_threshold=self.confidence_threshold)

    def _new_predictor(self, resolution: int, pad: bool) -> Sam3Predictor:
        try:
            return Sam3Predictor(self.model, resolution, 'pad' if pad else 'fit', self.confidence_threshold,
                                 cache_size=1)
        except ValueError as err:
            raise AppError(str(err)) from err

    def predict(self, image_id: str, resolution: int, pad: bool, points: Sequence = (),
                box: Optional[Sequence] = None, multimask: Optional[bool] = None,
                text: Optional[str] = None) -> ConceptPrediction:
        """Every instance of the concept given by ``text`` and/or the exemplar ``box`` (and points)."""
        if text is not None and not isinstance(text, str):
            raise AppError(f'text must be a string (the concept), got {type(text).__name__}')
        text = (text or '').strip() or None
        if text is not None and len(text) > MAX_TEXT_CHARS:
            raise AppError(f'The concept is {len(text)} characters; keep it under {MAX_TEXT_CHARS} (a noun phrase).')
        points = list(points or [])
        if text is None and box is None and not points:
            raise AppError('Type a concept (e.g. "red disc") and/or drag a box around an example.')
        if len(points) > 64:
            raise AppError('At most 64 points per prompt.')
        parsed = [_finite(p, 3, 'A point [x, y, label]') for p in points]
        box_array = [_finite(box, 4, 'box [x0, y0, x1, y1]')] if box is not None else None
        with self._lock:
            predictor, embed_ms, cached = self._predictor(image_id, int(resolution), bool(pad))
            start = time.perf_counter()
            try:
                result = predictor.predict(text, box_array, None, [p[:2] for p in parsed] or None,
                                           [int(p[2]) for p in parsed] or None)
            except ValueError as err:
                raise AppError(str(err)) from err
            decode_ms = (time.perf_counter() - start) * 1000
        masks = result.masks.cpu().numpy()
        union = masks.any(axis=0) if len(result) else np.zeros(predictor.geometry.original_size, bool)
        score = float(result.scores[0]) if len(result) else 0.0
        return ConceptPrediction([union], [score], embed_ms, decode_ms, cached, instances=len(result))
