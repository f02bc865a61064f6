"""What the SAM command-line tools share: model arguments and building the model from them."""
import argparse
import os
from typing import Tuple

import torch

from radio_dense.sam import RadioSam, build_radio_sam

from .radio_model_args import FIXTURE_CHECKPOINT


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--checkpoint``, ``--radio``, ``--decoder-checkpoint``, ``--neck``, ``--device``."""
    g = parser.add_argument_group('model')
    g.add_argument('--config', help="a config with model.type 'build_radio_sam' or 'RadioSamModel' (configs/radio_sam/)")
    g.add_argument('--checkpoint', help='trained RadioSam weights (tools/sam_train.py output) for --config')
    g.add_argument('--radio', help='without --config: RADIO zoo name or checkpoint (default: the radio_tiny '
                                   'test fixture, random weights)')
    g.add_argument('--decoder-checkpoint', help="SAM checkpoint or extracted decoder .safetensors (default: "
                                                "the config's, else random; 'none': random)")
    g.add_argument('--neck', choices=['adaptor', 'conv'], default='adaptor', help='without --config: the neck')
    g.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')


def model_from_args(args: argparse.Namespace) -> Tuple[RadioSam, str]:
    """The RadioSam the arguments describe and one line saying what it is (random parts included)."""
    if args.config:
        from radio_dense.openmmlab.sam import radio_sam_from_config
        overrides = {}
        if args.decoder_checkpoint:
            overrides['decoder_checkpoint'] = None if args.decoder_checkpoint == 'none' else args.decoder_checkpoint
        model = radio_sam_from_config(args.config, args.checkpoint, **overrides)
        what = f'config {args.config}' + (f' + {args.checkpoint}' if args.checkpoint else '')
    else:
        source = args.radio or str(FIXTURE_CHECKPOINT)
        if not args.radio and not FIXTURE_CHECKPOINT.is_file():
            raise SystemExit(f'No --config/--radio given and the radio_tiny fixture is missing ({FIXTURE_CHECKPOINT})')
        decoder = None if args.decoder_checkpoint in (None, 'none') else args.decoder_checkpoint
        model = build_radio_sam(dict(source=source), neck=args.neck, decoder_checkpoint=decoder,
                                checkpoint=args.checkpoint, seed=0)
        parts = [f'RADIO {"radio_tiny test fixture (random weights)" if not args.radio else args.radio}',
                 f'{args.neck} neck' + (' (random)' if args.neck == 'conv' and not args.checkpoint else ''),
                 f'SAM decoder {decoder}' if decoder
                 else 'SAM decoder RANDOM (no --decoder-checkpoint): masks are meaningless']
        what = ', '.join(parts)
    return model.to(args.device).eval(), what


def existing_file(path: str) -> str:
    """argparse type: a path that must exist."""
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError(f'no such file: {path}')
    return path
