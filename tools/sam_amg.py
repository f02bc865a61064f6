#!/usr/bin/env python
"""Segment everything in a folder of images with RADIO + the SAM decoder: segment-anything's ``scripts/amg.py``.

Same options and outputs as segment-anything's script: for each image, a folder of mask PNGs plus
``metadata.csv``, or with ``--convert-to-rle`` one COCO RLE JSON file; plus an overlay picture of
all masks (``<name>_overlay.png``, unless --no-overlay). The model options are radio_dense's
(``--config`` / ``--radio`` / ``--decoder-checkpoint``; see tools/sam_predict.py).

Examples::

    # offline: radio_tiny fixture + random decoder (masks are meaningless; lower the thresholds to see any)
    .venv/bin/python tools/sam_amg.py --input photos/ --output amg_out --points-per-side 8 \\
        --pred-iou-thresh 0 --stability-score-thresh 0
    # RADIOv2.5-L + SAM ViT-H decoder (python tools/convert/extract_sam_decoder.py sam_vit_h_4b8939.pth \\
    #     checkpoints/sam_vit_h_decoder.safetensors first)
    .venv/bin/python tools/sam_amg.py --input photos/ --output amg_out --convert-to-rle \\
        --config configs/radio_sam/radio-v2.5-l_sam-vit-h-decoder_1024.py
"""
import argparse
import os
import sys
import time

from radio_dense.tools.tool_args import add_sam_model_args, number, refuse_output_onto_input, resolution

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--input', required=True, help='an image or a folder of images')
    p.add_argument('--output', required=True, help='output folder (created)')
    p.add_argument('--convert-to-rle', action='store_true',
                   help="write one COCO RLE JSON per image instead of PNG folders (needs pycocotools)")
    p.add_argument('--no-overlay', action='store_true', help='do not write <name>_overlay.png')
    p.add_argument('--resolution', type=resolution,
                   help="long side fed to the encoder (multiple of 16; default: the model's)")
    p.add_argument('--no-pad', action='store_true', help='keep the aspect ratio instead of padding to a square')
    amg = p.add_argument_group('AMG settings (segment-anything SamAutomaticMaskGenerator)')
    amg.add_argument('--points-per-side', type=number(int, 1, 1024, why='the grid has points_per_side**2 points'),
                     default=32,
                     help='points sampled along one side of the image')
    amg.add_argument('--points-per-batch', type=number(int, 1, 65536), default=64, help='points decoded at once')
    amg.add_argument('--pred-iou-thresh', type=number(float), default=0.88,
                     help="keep masks the model scores above this")
    amg.add_argument('--stability-score-thresh', type=number(float), default=0.95,
                     help='keep masks at least this stable')
    amg.add_argument('--stability-score-offset', type=number(float), default=1.0,
                     help='logit offset of the stability score')
    amg.add_argument('--box-nms-thresh', type=number(float, 0, 1, why='an IoU'), default=0.7,
                     help='box IoU above which duplicates are dropped')
    amg.add_argument('--crop-n-layers', type=number(int, 0, 4, why='layer k has (2**k)**2 crops'), default=0,
                     help='rerun on this many layers of image crops')
    amg.add_argument('--crop-nms-thresh', type=number(float, 0, 1, why='an IoU'), default=0.7,
                     help='box NMS threshold between crops')
    amg.add_argument('--crop-overlap-ratio', type=number(float, 0, 1, high_open=True, why='a fraction of the crop'),
                     default=512 / 1500,
                     help='overlap of neighbouring crops')
    amg.add_argument('--crop-n-points-downscale-factor', type=number(int, 1), default=1,
                     help='points per side shrink by this factor in each crop layer')
    amg.add_argument('--min-mask-region-area', type=number(int, 0), default=0,
                     help='remove holes and islands smaller than this (pixels; needs opencv)')
    add_sam_model_args(p)
    args = p.parse_args(argv)
    if not os.path.exists(args.input):
        p.error(f'--input {args.input} does not exist')
    refuse_output_onto_input(p, '--output', args.output, args.input)
    if os.path.isdir(args.input) and os.path.realpath(args.input).startswith(os.path.realpath(args.output) + os.sep):
        p.error(f'--output {args.output} contains --input {args.input}; choose an --output outside it')
    return args


def list_images(path: str):
    if os.path.isfile(path):
        return [path]
    names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_SUFFIXES))
    return [os.path.join(path, n) for n in names]


def output_names(paths):
    """One distinct output name per image: its stem (as segment-anything's script), or, where two images
    share a stem (``a.png`` and ``a.jpg``), the stem plus the suffix (``a_png``, ``a_jpg``)."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    names, taken = [], set()
    for path, stem in zip(paths, stems):
        name = stem if stems.count(stem) == 1 else os.path.basename(path).replace('.', '_')
        unique, n = name, 1
        while unique in taken:  # 'a.png' beside 'a_png.png' and 'a_png.PNG'...
            n += 1
            unique = f'{name}_{n}'
        taken.add(unique)
        names.append(unique)
    return names


def main(argv=None) -> int:
    args = parse_args(argv)
    from PIL import Image

    from radio_dense.analysis.panels import save_titled, weights_title
    from radio_dense.sam.amg_output import masks_overlay, write_mask_folder, write_rle_json
    from radio_dense.sam.automatic_mask_generator import RadioSamAutomaticMaskGenerator
    from radio_dense.tools.common.sam_model_args import model_from_args
    from radio_dense.sam.utils.coco_instances import read_rgb

    # what a corrupt, truncated, unsupported or unusable image raises (PIL, image_io, the generator's checks)
    UNREADABLE = (OSError, ValueError, SyntaxError, Image.DecompressionBombError)

    images = list_images(args.input)
    if not images:
        raise SystemExit(f'No images ({", ".join(IMAGE_SUFFIXES)}) in {args.input}')
    model, what, is_random = model_from_args(args)
    print(f'Model: {what}')
    generator = RadioSamAutomaticMaskGenerator(
        model, args.resolution, False if args.no_pad else None,
        points_per_side=args.points_per_side, points_per_batch=args.points_per_batch,
        pred_iou_thresh=args.pred_iou_thresh, stability_score_thresh=args.stability_score_thresh,
        stability_score_offset=args.stability_score_offset, box_nms_thresh=args.box_nms_thresh,
        crop_n_layers=args.crop_n_layers, crop_nms_thresh=args.crop_nms_thresh,
        crop_overlap_ratio=args.crop_overlap_ratio, crop_n_points_downscale_factor=args.crop_n_points_downscale_factor,
        min_mask_region_area=args.min_mask_region_area,
        output_mode='coco_rle' if args.convert_to_rle else 'binary_mask')
    os.makedirs(args.output, exist_ok=True)
    failed = []
    for index, (path, name) in enumerate(zip(images, output_names(images)), 1):
        try:
            image = read_rgb(path)
            start = time.perf_counter()
            masks = generator.generate(image)
        except UNREADABLE as err:  # one bad file must not cost the rest of the folder
            failed.append((path, f'{type(err).__name__}: {err}'))
            print(f'[{index}/{len(images)}] {path}: SKIPPED, {failed[-1][1]}', file=sys.stderr, flush=True)
            continue
        seconds = time.perf_counter() - start
        if args.convert_to_rle:
            out = os.path.join(args.output, f'{name}.json')
            write_rle_json(masks, out)
        else:
            out = os.path.join(args.output, name)
            write_mask_folder(masks, out)
        if not args.no_overlay:
            save_titled(masks_overlay(image, masks), os.path.join(args.output, f'{name}_overlay.png'),
                        weights_title(f'{len(masks)} SAM masks on {os.path.basename(path)}', is_random))
        print(f'[{index}/{len(images)}] {path}: {len(masks)} masks in {seconds:.1f}s -> {out}', flush=True)
    if failed:
        print(f'{len(failed)} of {len(images)} images failed (the others were written to {args.output}):',
              file=sys.stderr)
        for path, reason in failed:
            print(f'  {path}: {reason}', file=sys.stderr)
        return 1
    return 0

if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
