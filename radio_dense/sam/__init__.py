"""SAM-decoder prompting on RADIO features (framework-free: torch, timm and segment_anything).

``build_radio_sam`` assembles a :class:`RadioSam` (RADIO -> ``adaptor`` or ``conv`` neck ->
segment-anything's ``PromptEncoder`` / ``MaskDecoder``); :class:`RadioSamPredictor` and
:class:`RadioSamAutomaticMaskGenerator` mirror segment-anything's ``SamPredictor`` and
``SamAutomaticMaskGenerator``. OpenMMLab registration (configs, training) lives in
``radio_dense.sam.mm_model`` and is imported only on demand.
"""
from .adaptor_neck import AdaptorNeck
from .automatic_mask_generator import RadioSamAutomaticMaskGenerator
from .builder import build_radio_encoder, build_radio_sam
from .conv_neck import ConvNeck
from .decoder_checkpoint import SamDecoderCheckpointError, load_sam_decoder_state, save_sam_decoder_state
from .geometry import SamGeometry
from .image_encoder import RadioSamImageEncoder
from .model import RadioSam
from .predictor import RadioSamPredictor

__all__ = ['AdaptorNeck', 'ConvNeck', 'RadioSam', 'RadioSamAutomaticMaskGenerator', 'RadioSamImageEncoder',
           'RadioSamPredictor', 'SamDecoderCheckpointError', 'SamGeometry', 'build_radio_encoder',
           'build_radio_sam', 'load_sam_decoder_state', 'save_sam_decoder_state']


def _register_openmmlab() -> None:
    """Register RadioSam, RadioSamModel, SamCocoDataset and SamPromptIoUMetric when mmengine is installed."""
    try:
        import mmengine  # noqa: F401
    except ImportError:  # prompting works with torch + timm + segment_anything alone
        return
    from . import mm_model  # noqa: F401


_register_openmmlab()
