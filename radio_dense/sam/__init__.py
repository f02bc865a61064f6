"""SAM prompting on RADIO features (torch, timm and segment_anything; no OpenMMLab).

Laid out as segment-anything is:

* :mod:`.modeling`   :class:`RadioSam` (RADIO -> ``adaptor`` or ``conv`` neck -> segment-anything's
  ``PromptEncoder`` / ``MaskDecoder``), its image encoder, necks and geometry
* :mod:`.build`      :func:`build_radio_sam`, the one way to assemble a RadioSam from plain arguments
* :mod:`.predictor` / :mod:`.automatic_mask_generator`: :class:`RadioSamPredictor` and
  :class:`RadioSamAutomaticMaskGenerator`, drop-ins for ``SamPredictor`` / ``SamAutomaticMaskGenerator``
* :mod:`.training`   SAM's loss and simulated prompting; :mod:`.evaluation` the SAM-COCO protocol
* :mod:`.utils`      COCO instance sets, prompts from masks, mask pictures

The OpenMMLab side (configs, training with mmengine's Runner) is :mod:`radio_dense.openmmlab.sam`.
"""
from .automatic_mask_generator import RadioSamAutomaticMaskGenerator
from .build import build_radio_encoder, build_radio_sam
from .decoder_checkpoint import SamDecoderCheckpointError, load_sam_decoder_state, save_sam_decoder_state
from .modeling import AdaptorNeck, ConvNeck, RadioSam, RadioSamImageEncoder, SamGeometry
from .predictor import RadioSamPredictor

__all__ = ['AdaptorNeck', 'ConvNeck', 'RadioSam', 'RadioSamAutomaticMaskGenerator', 'RadioSamImageEncoder',
           'RadioSamPredictor', 'SamDecoderCheckpointError', 'SamGeometry', 'build_radio_encoder',
           'build_radio_sam', 'load_sam_decoder_state', 'save_sam_decoder_state']
