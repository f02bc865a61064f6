#!/usr/bin/env python
"""Segment one object of an image from point / box prompts with RADIO + the SAM decoder.

Examples::

    # radio_tiny test fixture + random decoder (no downloads; the mask is meaningless)
    python tools/sam_predict.py photo.jpg --points 320,240 --out mask.png
    # RADIOv2.5-L sam adaptor + SAM ViT-H decoder, 1536 px, a positive and a negative click and a box
    python tools/sam_predict.py photo.jpg --config configs/radio_sam/radio-v2.5-l_sam-vit-h-decoder_1024.py \\
        --resolution 1536 --points 320,240 400,100,0 --box 100,80,600,460 --out mask.png

Writes the mask (8-bit PNG, 255 = object, original image size) and an overlay picture
(``<out>_overlay.png`` unless ``--overlay`` says otherwise).
"""
import argparse
import math
import os
import sys
import time

import radio_dense.tools  # noqa: F401  (first: the tools' process settings, before torch loads)

import numpy as np

from radio_dense.tools.tool_args import (add_sam_model_args, box_xyxy, existing_file, refuse_output_onto_input,
                                         resolution)


def parse_point(text: str):
    """``x,y`` or ``x,y,label`` (label 1 = object, 0 = background)."""
    try:
        values = [float(v) for v in text.split(',')]
    except ValueError:
        values = []
    if len(values) not in (2, 3) or (len(values) == 3 and values[2] not in (0, 1)) or \
            not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f'a point is x,y or x,y,label with finite x, y and label 0 or 1; got {text!r}')
    return values[0], values[1], int(values[2]) if len(values) == 3 else 1


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('image', type=existing_file, help='input image (any format PIL reads)')
    p.add_argument('--points', nargs='+', type=parse_point, default=[], metavar='X,Y[,LABEL]',
                   help='point prompts in image pixels; label 1 (default) = object, 0 = background')
    p.add_argument('--box', type=box_xyxy, metavar='X0,Y0,X1,Y1', help='box prompt in image pixels')
    p.add_argument('--resolution', type=resolution,
                   help='long side fed to the encoder (multiple of 16; default: the model\'s)')
    p.add_argument('--no-pad', action='store_true', help='keep the aspect ratio instead of padding to a square')
    p.add_argument('--multimask', choices=['auto', 'yes', 'no'], default='auto',
                   help='three candidate masks and keep the best-scored (auto: only for a single point)')
    p.add_argument('--out', default='mask.png', help='mask PNG to write')
    p.add_argument('--overlay', help='overlay picture to write (default: <out>_overlay.png)')
    add_sam_model_args(p)
    args = p.parse_args(argv)
    if not args.points and args.box is None:
        p.error('give at least one prompt: --points X,Y[,LABEL] ... and/or --box X0,Y0,X1,Y1')
    refuse_output_onto_input(p, '--out', args.out, args.image)
    if args.overlay:
        refuse_output_onto_input(p, '--overlay', args.overlay, args.image)
    return args


def outside_image(args: argparse.Namespace, width: int, height: int) -> list:
    """The prompts (points, box corners) that lie outside the ``width x height`` image, as text."""
    corners = [args.box[:2], args.box[2:]] if args.box else []
    return [f'({x:g}, {y:g})' for x, y, *_ in list(args.points) + corners if not (0 <= x <= width and 0 <= y <= height)]


def _prompt_arrays(args: argparse.Namespace):
    """``(points Nx2, labels N)`` of ``--points``, or ``(None, None)``."""
    if not args.points:
        return None, None
    return np.array([p[:2] for p in args.points], dtype=float).reshape(-1, 2), np.array([p[2] for p in args.points])


def _predict(model, image: np.ndarray, args: argparse.Namespace):
    """Embed ``image`` and decode the prompts: ``(masks, scores, predictor, embed_s, decode_s)``."""
    from radio_dense.sam import RadioSamPredictor
    predictor = RadioSamPredictor(model, args.resolution, False if args.no_pad else None)
    start = time.perf_counter()
    predictor.set_image(image)
    embed_s = time.perf_counter() - start
    points, labels = _prompt_arrays(args)
    multimask = {'yes': True, 'no': False}.get(args.multimask, len(args.points) == 1 and args.box is None)
    start = time.perf_counter()
    masks, scores, _ = predictor.predict(points, labels, np.array(args.box) if args.box else None,
                                         multimask_output=multimask)
    return masks, scores, predictor, embed_s, time.perf_counter() - start


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.sam.utils.image_io import UnsupportedImageError, read_rgb
    from radio_dense.sam.utils.prompt_checks import PromptError
    from radio_dense.sam.utils.visualize import mask_png_bytes, overlay
    from radio_dense.analysis.panels import save_titled, weights_title

    from radio_dense.tools.common.sam_model_args import model_from_args

    try:
        image = read_rgb(args.image)
    except UnsupportedImageError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    outside = outside_image(args, image.shape[1], image.shape[0])
    if outside:  # said before the model loads
        print(f'error: prompt points outside the {image.shape[1]}x{image.shape[0]} image {args.image}: '
              f'{", ".join(outside)}. Coordinates are image pixels, x to the right, y down.', file=sys.stderr)
        return 2
    model, what, is_random = model_from_args(args)
    print(f'Model: {what}')
    try:
        masks, scores, predictor, embed_s, decode_s = _predict(model, image, args)
    except PromptError as err:
        print(f'error: {err}', file=sys.stderr)
        return 2
    points, labels = _prompt_arrays(args)
    best = int(np.argmax(scores))
    mask = masks[best]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'wb') as f:
        f.write(mask_png_bytes(mask))
    overlay_path = args.overlay or os.path.splitext(args.out)[0] + '_overlay.png'
    save_titled(overlay(image, mask, points, labels, args.box), overlay_path,
                weights_title(f'SAM mask on {os.path.basename(args.image)}', is_random))
    g = predictor.geometry
    print(f'Image {image.shape[1]}x{image.shape[0]} -> input {g.input_size[1]}x{g.input_size[0]}, canvas '
          f'{g.canvas_size[1]}x{g.canvas_size[0]}, embedding grid {tuple(predictor.features.shape[-2:])}')
    print(f'Embedding {embed_s * 1000:.0f} ms, decoding {decode_s * 1000:.0f} ms; mask {best + 1}/{len(scores)} '
          f'(predicted IoU {scores[best]:.3f}), {int(mask.sum())} px = {100 * mask.mean():.1f}% of the image')
    print(f'Wrote {args.out} and {overlay_path}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
