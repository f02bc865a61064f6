"""SAM prompt-encoder / mask-decoder weights: read them from an official SAM checkpoint or a small extract.

Official checkpoints (``sam_vit_h_4b8939.pth``, ``sam_vit_l_0b3195.pth``, ``sam_vit_b_01ec64.pth``)
are plain state dicts of ~2.5 GB, nearly all image encoder. Only the ``prompt_encoder.*`` and
``mask_decoder.*`` tensors (~16 MB in float32) are needed next to RADIO; :func:`save_sam_decoder_state`
writes them to a safetensors file (see ``tools/convert/extract_sam_decoder.py``).
"""
import os
from typing import Dict, Optional

import torch

from ..radio.safe_io import UnsafeFileError, read_tensors, strip_prefix

DECODER_PREFIXES = ('prompt_encoder.', 'mask_decoder.')
#: Prefixes training wrappers put before a SAM's keys (DDP's ``module.``, RadioSamModel's ``sam.``).
WRAPPER_PREFIXES = ('module.', 'sam.')
#: The one step that gives the SAM decoder weights; every error that needs them names it.
DECODER_WEIGHTS_STEP = (
    'download the official SAM ViT-H checkpoint (https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth) '
    'and run `python tools/convert/extract_sam_decoder.py sam_vit_h_4b8939.pth '
    'checkpoints/sam_vit_h_decoder.safetensors`')


class SamDecoderCheckpointError(ValueError):
    """A file that does not hold SAM prompt-encoder / mask-decoder weights."""


def _decoder_tensors(state: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """Keep ``prompt_encoder.*`` / ``mask_decoder.*``, also under a training wrapper (``sam.``, ``module.``)."""
    return {k: v for k, v in strip_prefix(state, wrappers=WRAPPER_PREFIXES).items() if k.startswith(DECODER_PREFIXES)}


def load_sam_decoder_state(path: str) -> Dict[str, torch.Tensor]:
    """The ``prompt_encoder.*`` and ``mask_decoder.*`` tensors of a SAM checkpoint or extract.

    Args:
        path: an official SAM ``.pth`` (read with ``torch.load(weights_only=True)``) or a
            ``.safetensors`` extract.
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'SAM decoder weights not found: {path}. To get them, {DECODER_WEIGHTS_STEP}.')
    try:
        state = _decoder_tensors(read_tensors(path))
    except UnsafeFileError as err:
        raise SamDecoderCheckpointError(
            f'{err} Pass an official SAM checkpoint (a plain state dict) or its decoder extract: '
            f'{DECODER_WEIGHTS_STEP}.') from err
    found = {p.rstrip('.') for p in DECODER_PREFIXES if any(k.startswith(p) for k in state)}
    if found != {p.rstrip('.') for p in DECODER_PREFIXES}:
        raise SamDecoderCheckpointError(
            f'{path} has no SAM prompt encoder / mask decoder tensors (found: {sorted(found) or "none"}); '
            f'expected keys prompt_encoder.* and mask_decoder.* as in the official SAM checkpoints. To get them, '
            f'{DECODER_WEIGHTS_STEP}.')
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def load_sam_decoder_weights(prompt_encoder: torch.nn.Module, mask_decoder: torch.nn.Module, path: str) -> None:
    """Load a SAM checkpoint's or extract's decoder tensors into segment-anything's two modules (strict)."""
    state = load_sam_decoder_state(path)
    prompt_encoder.load_state_dict(strip_prefix(state, 'prompt_encoder.'), strict=True)
    mask_decoder.load_state_dict(strip_prefix(state, 'mask_decoder.'), strict=True)


def save_sam_decoder_state(state: Dict[str, torch.Tensor], path: str,
                           metadata: Optional[Dict[str, str]] = None) -> Dict[str, torch.Tensor]:
    """Save the decoder part of ``state`` (any SAM state dict) to ``path`` (safetensors). Returns it."""
    from safetensors.torch import save_file
    decoder = {k: v.contiguous() for k, v in _decoder_tensors(state).items()}
    if not decoder:
        raise SamDecoderCheckpointError('The state dict has no prompt_encoder.* / mask_decoder.* tensors')
    save_file(decoder, path, metadata={str(k): str(v) for k, v in (metadata or {}).items()})
    return decoder
