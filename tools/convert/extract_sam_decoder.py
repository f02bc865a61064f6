#!/usr/bin/env python
"""Save the prompt encoder and mask decoder of an official SAM checkpoint to a small safetensors file.

Example::

    python tools/convert/extract_sam_decoder.py sam_vit_h_4b8939.pth checkpoints/sam_vit_h_decoder.safetensors

The official checkpoints (``sam_vit_h_4b8939.pth``, ``sam_vit_l_0b3195.pth``,
``sam_vit_b_01ec64.pth``) are plain state dicts; they are read with
``torch.load(weights_only=True)``. Only ``prompt_encoder.*`` and ``mask_decoder.*`` are kept
(about 4M parameters, ~16 MB); ``RadioSam`` loads the result with ``decoder_checkpoint=``.
"""
import argparse
import os
import sys

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('sam_checkpoint', help='official SAM checkpoint (.pth)')
    p.add_argument('out', help='output .safetensors file')
    p.add_argument('--half', action='store_true', help='store float16 (half the size; loaded back as float32)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.sam.decoder_checkpoint import (SamDecoderCheckpointError, load_sam_decoder_state,
                                                    save_sam_decoder_state)
    if not args.out.endswith('.safetensors'):
        raise SystemExit(f'The output must be a .safetensors file, got {args.out}')
    try:
        state = load_sam_decoder_state(args.sam_checkpoint)
    except (FileNotFoundError, SamDecoderCheckpointError) as err:
        raise SystemExit(str(err))
    if args.half:
        state = {k: v.half() if v.is_floating_point() else v for k, v in state.items()}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    saved = save_sam_decoder_state(state, args.out, metadata={'source': os.path.basename(args.sam_checkpoint)})
    n_params = sum(v.numel() for v in saved.values())
    print(f'Wrote {len(saved)} tensors ({n_params / 1e6:.2f}M parameters, '
          f'{os.path.getsize(args.out) / 2 ** 20:.1f} MiB) from {args.sam_checkpoint} to {args.out}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
