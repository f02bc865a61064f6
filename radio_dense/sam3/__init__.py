"""SAM3 concept prompting (text, exemplar boxes) on RADIO: RADIO's ``sam3`` adaptor as SAM3's vision trunk.

Meta's ``sam3`` package supplies every module (neck, text encoder, fusion transformer, decoder,
heads); radio_dense builds them on any device (:func:`build_sam3_image`), swaps the ViT trunk for
RADIO (:class:`RadioSam3Trunk`, :func:`build_radio_sam3`) and prompts with
:class:`Sam3Predictor` (``Sam3Processor``'s behaviour, pixel prompts, any resolution and
aspect ratio, cached embeddings). Importing this package does not import ``sam3``.
"""
from .builder import build_sam3_image, build_sam3_vision_backbone, build_sam3_vit, require_sam3
from .checkpoint import SAM3_WEIGHTS_URL, Sam3CheckpointError, load_sam3_weights, read_sam3_state
from .geometry import Sam3Geometry
from .predictor import Sam3Prediction, Sam3Predictor
from .radio_sam3 import build_radio_sam3
from .radio_trunk import RadioSam3Trunk
from .sizes import SAM3_IMAGE, SAM3_TINY, Sam3Size
from .vocab import locate_bpe_vocab

__all__ = ['RadioSam3Trunk', 'SAM3_IMAGE', 'SAM3_TINY', 'SAM3_WEIGHTS_URL', 'Sam3CheckpointError', 'Sam3Geometry',
           'Sam3Prediction', 'Sam3Predictor', 'Sam3Size', 'build_radio_sam3', 'build_sam3_image',
           'build_sam3_vision_backbone', 'build_sam3_vit', 'load_sam3_weights', 'locate_bpe_vocab',
           'read_sam3_state', 'require_sam3']
