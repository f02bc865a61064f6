"""What the SAM3 command-line tools share: building the model their arguments (tools/tool_args.py) describe."""
import argparse
from typing import Tuple

import torch
from torch import nn

from radio_dense.sam3.sizes import SAM3_IMAGE, SAM3_TINY

from .default_checkpoint import default_checkpoint
from .precision_args import with_inference_dtype

SIZES = {'image': SAM3_IMAGE, 'tiny': SAM3_TINY}


def sam3_model_from_args(args: argparse.Namespace) -> Tuple[nn.Module, str, bool]:
    """``(model, description, random)``: the SAM3 model the arguments describe; ``random`` when any part is."""
    from radio_dense.sam3 import build_radio_sam3, build_sam3_image
    from radio_dense.sam3.random_adaptor import add_random_adaptor
    resolution = _apply_config(args)
    size_name = args.sam3_size or ('image' if args.sam3_checkpoint else 'tiny')
    size = SIZES[size_name]
    sam3_part = (f'SAM3 {args.sam3_checkpoint}' if args.sam3_checkpoint
                 else f'SAM3 {size_name} size with RANDOM weights (no --sam3-checkpoint)')
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    if args.sam3_own_trunk:
        model = build_sam3_image(size, checkpoint=args.sam3_checkpoint, seed=0)
        model = with_inference_dtype(model.to(device), args)
        return model, _describe(f"SAM3's own ViT trunk; {sam3_part}", not args.sam3_checkpoint), \
            not args.sam3_checkpoint
    if args.radio:
        encoder = dict(source=args.radio, vitdet_window_size=args.vitdet)
        radio_part, random_radio = f'RADIO {args.radio} sam3 adaptor', False
    else:
        radio_tiny = default_checkpoint("--radio (a RADIO with a 'sam3' adaptor: c-radio_v4-h, c-radio_v4-so400m "
                                        "or a checkpoint)", "--sam3-own-trunk (SAM3's own ViT)")
        from radio_dense import load_radio
        encoder = add_random_adaptor(load_radio(radio_tiny, vitdet_window_size=args.vitdet),
                                     out_dim=size.vit_dim)
        radio_part, random_radio = 'RADIO radio_tiny test fixture with a RANDOM sam3 adaptor', True
    if args.vitdet:
        radio_part += f', ViTDet windows {args.vitdet}'
    model = build_radio_sam3(encoder, sam3_checkpoint=args.sam3_checkpoint, size=size, seed=0, resolution=resolution)
    is_random = random_radio or not args.sam3_checkpoint
    model = with_inference_dtype(model.to(device), args)
    return model, _describe(f'{radio_part}; {sam3_part}', is_random), is_random


def _apply_config(args: argparse.Namespace):
    """Fill the options a ``--config`` sets and the command line left out; returns the config's resolution."""
    if not getattr(args, 'config', None):
        return None
    from radio_dense.openmmlab.sam import sam3_settings_from_config
    settings = sam3_settings_from_config(args.config)
    for key in ('radio', 'vitdet', 'sam3_checkpoint'):
        if getattr(args, key, None) is None:
            setattr(args, key, settings[key])
    return settings['resolution']


def _describe(parts: str, is_random: bool) -> str:
    return parts + ('. WEIGHTS ARE RANDOM: the masks are meaningless.' if is_random else '')
