"""Load fine-tuned RadioSam weights (a trained conv neck / decoder) safely."""
import os
from typing import Dict

import torch
from torch import nn

_WRAPPER_PREFIXES = ('module.', 'sam.')


def _safe_globals() -> list:
    """Classes mmengine checkpoints pickle besides tensors (allow-listed for ``weights_only`` loading)."""
    try:
        from ..openmmlab.checkpoint_allowlist import mmengine_checkpoint_globals
    except ImportError:  # no mmengine: a plain state dict or safetensors file needs nothing more
        return []
    return mmengine_checkpoint_globals()


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """Tensors of ``path``: a ``.safetensors`` file, a plain state dict or an mmengine checkpoint."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'RadioSam checkpoint not found: {path}')
    if path.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(path, device='cpu')
    with torch.serialization.safe_globals(_safe_globals()):
        try:
            state = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as err:  # noqa: BLE001 - re-raised with advice
            raise ValueError(f'Could not read {path} with torch.load(weights_only=True): {err}. Export the '
                             f'weights to .safetensors (tools/sam_train.py does) or save a plain state dict.') from err
    if isinstance(state, dict) and isinstance(state.get('state_dict'), dict):
        state = state['state_dict']
    return {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}


def _strip_prefixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _WRAPPER_PREFIXES:
            if key.startswith(prefix):
                key, changed = key[len(prefix):], True
    return key


def load_radio_sam_weights(model: nn.Module, path: str) -> None:
    """Load a (possibly partial) RadioSam state dict; every tensor in the file must fit the model.

    A component absent from the file keeps its weights (a checkpoint may carry only the trained
    neck and decoder; RADIO may be frozen and left out); unknown keys or a partly present
    component raise.
    """
    state = {_strip_prefixes(k): v for k, v in read_state_dict(path).items()}
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
