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

from radio_dense.tools.tool_args import add_sam_model_args

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--input', required=True, help='an image or a folder of images')
    p.add_argument('--output', required=True, help='output folder (created)')
    p.add_argument('--convert-to-rle', action='store_true',
                   help="write one COCO RLE JSON per image instead of PNG folders (needs pycocotools)")
    p.add_argument('--no-overlay', action='store_true', help='do not write <name>_overlay.png')
    p.add_argument('--resolution', type=int, help="long side fed to the encoder (multiple of 16; default: the model's)")
    p.add_argument('--no-pad', action='store_true', help='keep the aspect ratio instead of padding to a square')
    amg = p.add_argument_group('AMG settings (segment-anything SamAutomaticMaskGenerator)')
    amg.add_argument('--points-per-side', type=int, default=32, help='points sampled along one side of the image')
    amg.add_argument('--points-per-batch', type=int, default=64, help='points decoded at once')
    amg.add_argument('--pred-iou-thresh', type=float, default=0.88, help="keep masks the model scores above this")
    amg.add_argument('--stability-score-thresh', type=float, default=0.95, help='keep masks at least this stable')
    amg.add_argument('--stability-score-offset', type=float, default=1.0, help='logit offset of the stability score')
    amg.add_argument('--box-nms-thresh', type=float, default=0.7, help='box IoU above which duplicates are dropped')
    amg.add_argument('--crop-n-layers', type=int, default=0, help='rerun on this many layers of image crops')
    amg.add_argument('--crop-nms-thresh', type=float, default=0.7, help='box NMS threshold between crops')
    amg.add_argument('--crop-overlap-ratio', type=float, default=512 / 1500, help='overlap of neighbouring crops')
    amg.add_argument('--crop-n-points-downscale-factor', type=int, default=1,
                     help='points per side shrink by this factor in each crop layer')
    amg.add_argument('--min-mask-region-area', type=int, default=0,
                     help='remove holes and islands smaller than this (pixels; needs opencv)')
    add_sam_model_args(p)
    args = p.parse_args(argv)
    if not os.path.exists(args.input):
        p.error(f'--input {args.input} does not exist')
    return args


def list_images(path: str):
    if os.path.isfile(path):
        return [path]
    names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_SUFFIXES))
    return [os.path.join(path, n) for n in names]


def main(argv=None) -> int:
    args = parse_args(argv)
    from PIL import Image

    from radio_dense.sam.amg_output import masks_overlay, write_mask_folder, write_rle_json
    from radio_dense.sam.automatic_mask_generator import RadioSamAutomaticMaskGenerator
    from radio_dense.tools.common.sam_model_args import model_from_args
    from radio_dense.sam.utils.coco_instances import read_rgb

    images = list_images(args.input)
    if not images:
        raise SystemExit(f'No images ({", ".join(IMAGE_SUFFIXES)}) in {args.input}')
    model, what = model_from_args(args)
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
    for number, path in enumerate(images, 1):
        name = os.path.splitext(os.path.basename(path))[0]
        image = read_rgb(path)
        start = time.perf_counter()
        masks = generator.generate(image)
        seconds = time.perf_counter() - start
        if args.convert_to_rle:
            out = os.path.join(args.output, f'{name}.json')
            write_rle_json(masks, out)
        else:
            out = os.path.join(args.output, name)
            write_mask_folder(masks, out)
        if not args.no_overlay:
            Image.fromarray(masks_overlay(image, masks)).save(os.path.join(args.output, f'{name}_overlay.png'))
        print(f'[{number}/{len(images)}] {path}: {len(masks)} masks in {seconds:.1f}s -> {out}', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
