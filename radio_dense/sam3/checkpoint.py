"""Load Meta's released SAM3 weights (``sam3.pt``) into a SAM3 image model, safely.

The file holds the video model: ``detector.*`` (the image model) and ``tracker.*`` tensors,
possibly under a ``'model'`` key. Only tensors are read (``weights_only=True``); the image model
takes the ``detector.*`` ones. A RADIO trunk replaces SAM3's ViT, so then ``trunk`` tensors are
skipped.
"""
import os
import warnings
from typing import Dict

import torch
from torch import nn

from ..radio.safe_io import UnsafeFileError, safe_torch_load, strip_prefix

#: Where the weights come from (gated: accept the license on the model page first).
SAM3_WEIGHTS_URL = 'https://huggingface.co/facebook/sam3'
SAM3_WEIGHTS_FILE = 'sam3.pt'
TRUNK_PREFIX = 'backbone.vision_backbone.trunk.'
# Parts of the released detector the image model does not build (the SAM2-style neck of the tracker).
_UNUSED_PREFIXES = ('backbone.vision_backbone.sam2_convs.',)


class Sam3CheckpointError(ValueError):
    """A file that is not a usable SAM3 checkpoint; the message says why and where to get one."""


def _where_to_get() -> str:
    return (f"Download {SAM3_WEIGHTS_FILE} from {SAM3_WEIGHTS_URL} (gated: accept Meta's license there, then "
            f"`huggingface-cli download facebook/sam3 {SAM3_WEIGHTS_FILE}`) and pass its path.")


def read_sam3_state(path: str) -> Dict[str, torch.Tensor]:
    """The image-model (``detector``) tensors of a SAM3 checkpoint, keys without the ``detector.`` prefix."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'No SAM3 checkpoint at {path}. {_where_to_get()}')
    try:
        state = safe_torch_load(path)
    except UnsafeFileError as err:
        raise Sam3CheckpointError(f'{err} Not an official SAM3 checkpoint? {_where_to_get()}') from err
    if isinstance(state, dict) and isinstance(state.get('model'), dict):
        state = state['model']
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise Sam3CheckpointError(f'{path} is not a SAM3 state dict (expected tensors, optionally under "model"). '
                                  f'{_where_to_get()}')
    if any(k.startswith('detector.') for k in state):
        state = strip_prefix(state, 'detector.')
    return state


def load_sam3_weights(model: nn.Module, path: str, include_trunk: bool = True) -> None:
    """Load ``path`` into a ``Sam3Image``; every weight the model needs must be in the file.

    Args:
        include_trunk: load SAM3's ViT weights too (``False`` when RADIO is the trunk; its
            weights come from the RADIO checkpoint).
    """
    state = read_sam3_state(path)
    if not include_trunk:
        state = {k: v for k, v in state.items() if not k.startswith(TRUNK_PREFIX)}
    own = model.state_dict()
    needed = [k for k in own if include_trunk or not k.startswith(TRUNK_PREFIX)]
    missing = [k for k in needed if k not in state]
    if missing:
        raise Sam3CheckpointError(f'{path} lacks {len(missing)} SAM3 weights, e.g. {missing[:6]}: not the SAM3 '
                                  f'image model this code builds (SAM3_IMAGE size). {_where_to_get()}')
    wrong = [f'{k}: file {tuple(state[k].shape)} vs model {tuple(own[k].shape)}'
             for k in needed if state[k].shape != own[k].shape]
    if wrong:
        raise Sam3CheckpointError(f'{path} does not fit this model\'s sizes: {wrong[:4]}. The adaptor width must '
                                  f'equal SAM3\'s ViT width ({"check" if include_trunk else "the neck reads it"}).')
    unused = [k for k in state if k not in own and not k.startswith(_UNUSED_PREFIXES)]
    if unused:
        warnings.warn(f'{len(unused)} tensors of {path} are not used by the image model, e.g. {unused[:4]}')
    model.load_state_dict({k: state[k].to(own[k].dtype) for k in needed}, strict=False)
