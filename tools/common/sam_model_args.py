"""What the SAM command-line tools share: the model their arguments (tools/tool_args.py) describe."""
import argparse
from typing import Tuple

import torch

from radio_dense.sam import RadioSam, build_radio_sam
from radio_dense.sam.decoder_checkpoint import DECODER_WEIGHTS_STEP

from .precision_args import with_inference_dtype
from .default_checkpoint import default_checkpoint


def model_from_args(args: argparse.Namespace) -> Tuple[RadioSam, str, bool]:
    """``(model, description, random)``: the RadioSam the arguments describe, one line saying what it is
    (random parts included), and whether any part has random weights (its pictures say so)."""
    if args.config:
        from radio_dense.openmmlab.sam import radio_sam_from_config
        overrides = {}
        if args.decoder_checkpoint:
            overrides['decoder_checkpoint'] = None if args.decoder_checkpoint == 'none' else args.decoder_checkpoint
        model = radio_sam_from_config(args.config, args.checkpoint, **overrides)
        what = f'config {args.config}' + (f' + {args.checkpoint}' if args.checkpoint else '')
        is_random = not args.checkpoint and args.decoder_checkpoint == 'none'
    else:
        source = args.radio or default_checkpoint('--radio (a RADIO zoo name or checkpoint with a sam adaptor)',
                                                  '--config (a RadioSam config)')
        decoder = None if args.decoder_checkpoint in (None, 'none') else args.decoder_checkpoint
        model = build_radio_sam(dict(source=source), neck=args.neck, decoder_checkpoint=decoder,
                                checkpoint=args.checkpoint, seed=0)
        parts = [f'RADIO {"radio_tiny test fixture (random weights)" if not args.radio else args.radio}',
                 f'{args.neck} neck' + (' (random)' if args.neck == 'conv' and not args.checkpoint else ''),
                 f'SAM decoder {decoder}' if decoder
                 else f'SAM decoder RANDOM (no --decoder-checkpoint): masks are meaningless; to get the weights, '
                      f'{DECODER_WEIGHTS_STEP}']
        what = ', '.join(parts)
        is_random = not args.radio or not decoder or (args.neck == 'conv' and not args.checkpoint)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    return with_inference_dtype(model.to(device).eval(), args), what, is_random

