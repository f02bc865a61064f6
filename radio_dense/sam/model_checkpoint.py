"""Fine-tuned RadioSam weights (a trained conv neck / decoder): the writer and the safe reader."""
import os
from typing import Dict

import torch
from torch import nn

from ..radio.safe_io import UnsafeFileError, read_tensors, strip_prefix
from .decoder_checkpoint import WRAPPER_PREFIXES


def save_radio_sam_weights(sam: nn.Module, path: str) -> int:
    """Write the trainable parts of a RadioSam (everything but a frozen RADIO) to ``.safetensors``.

    Returns the number of tensors written; :func:`load_radio_sam_weights` reads the file back.
    """
    from safetensors.torch import save_file
    frozen_radio = getattr(sam.image_encoder, 'freeze_radio', False)
    state = {k: v.detach().cpu().contiguous() for k, v in sam.state_dict().items()
             if not (frozen_radio and k.startswith('image_encoder.radio.'))}
    save_file(state, path, metadata={'format': 'radio_dense RadioSam state dict (frozen RADIO left out)'})
    return len(state)


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Tensors of ``path``: a ``.safetensors`` file, a plain state dict or an mmengine checkpoint.

    mmengine checkpoints (``work_dir/iter_N.pth``) hold a few non-tensor objects: they load once
    their classes are allow-listed, which importing ``radio_dense.openmmlab`` does (every config
    and ``tools/sam_train.py`` do that).
    """
    if not os.path.isfile(path):
        raise FileNotFoundError(f'RadioSam checkpoint not found: {path}')
    try:
        return read_tensors(path)
    except UnsafeFileError as err:
        raise ValueError(f'{err} For an mmengine checkpoint, import radio_dense.openmmlab first (it allow-lists '
                         f'mmengine\'s classes), or use the .safetensors export of tools/sam_train.py.') from err


def load_radio_sam_weights(model: nn.Module, path: str) -> None:
    """Load a (possibly partial) RadioSam state dict; every tensor in the file must fit the model.

    A component absent from the file keeps its weights (a checkpoint may carry only the trained
    neck and decoder; RADIO may be frozen and left out); unknown keys or a partly present
    component raise.
    """
    state = strip_prefix(read_state_dict(path), wrappers=WRAPPER_PREFIXES)
    result = model.load_state_dict(state, strict=False)
    if result.unexpected_keys:
        raise ValueError(f'{path} does not match this RadioSam: unexpected keys {result.unexpected_keys[:8]} '
                         f'(was it trained with another neck or encoder?)')
    parts_in_file = {_part(k) for k in state}
    missing = [k for k in result.missing_keys if _part(k) in parts_in_file and _part(k) != 'image_encoder.radio']
    if missing:
        raise ValueError(f'{path} has only part of {sorted({_part(k) for k in missing})}: missing {missing[:8]}')


def _part(key: str) -> str:
    """The component a key belongs to: image_encoder.radio, image_encoder.neck, prompt_encoder, mask_decoder."""
    head = key.split('.')
    return '.'.join(head[:2]) if head[0] == 'image_encoder' else head[0]
