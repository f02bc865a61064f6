"""The RadioSam network: RADIO + neck as the image encoder, segment-anything's prompt encoder and mask decoder."""
from .adaptor_neck import AdaptorNeck
from .conv_neck import ConvNeck
from .geometry import SamGeometry, check_resolution
from .image_encoder import RadioSamImageEncoder
from .prompt_decoder import SAM_EMBED_DIM, build_mask_decoder, build_prompt_encoder, prompt_encoder_at
from .radio_sam import RadioSam

__all__ = ['AdaptorNeck', 'ConvNeck', 'SamGeometry', 'check_resolution', 'RadioSamImageEncoder', 'SAM_EMBED_DIM',
           'build_mask_decoder', 'build_prompt_encoder', 'prompt_encoder_at', 'RadioSam']
