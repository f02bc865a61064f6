"""Automatic mask generation: segment-anything's ``SamAutomaticMaskGenerator`` driven by RadioSamPredictor."""
from typing import Any, Optional

from segment_anything import SamAutomaticMaskGenerator

from .modeling import RadioSam
from .predictor import RadioSamPredictor


class RadioSamAutomaticMaskGenerator(SamAutomaticMaskGenerator):
    """segment-anything's grid-of-points mask generator with a :class:`RadioSam`.

    All of segment-anything's logic (point grids, crops, IoU / stability filtering, NMS, small-region
    clean-up, output modes) is reused; only the predictor is ours, so it runs at ``resolution`` with
    or without square padding. Keyword arguments are those of ``SamAutomaticMaskGenerator``.
    """

    def __init__(self, model: RadioSam, resolution: Optional[int] = None, pad_to_square: Optional[bool] = None,
                 **kwargs: Any):
        super().__init__(model, **kwargs)  # builds a SamPredictor (reads image_encoder.img_size), replaced here
        self.predictor = RadioSamPredictor(model, resolution, pad_to_square)
