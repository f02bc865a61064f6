#!/usr/bin/env python
"""Find every instance of a concept in an image with SAM3 on RADIO: a text prompt and/or exemplar boxes.

Examples::

    # radio_tiny test fixture + random sam3 adaptor + random tiny SAM3 (no downloads; masks are meaningless)
    python tools/sam3_predict.py photo.jpg --text shoe --out-dir out/ --threshold 0
    # C-RADIOv4-H + Meta's SAM3 weights, 1152 px (SAM3's 72 x 72 grid), a positive and a negative exemplar
    python tools/sam3_predict.py photo.jpg --radio c-radio_v4-h --sam3-checkpoint sam3.pt \\
        --text shoe --box 480,290,590,650 --box 370,280,485,655,0 --out-dir out/
    # the same at 1536 px keeping the aspect ratio, ViTDet windows of 16 patches
    python tools/sam3_predict.py photo.jpg --radio c-radio_v4-h --sam3-checkpoint sam3.pt --text shoe \\
        --resolution 1536 --mode fit --vitdet 16 --out-dir out/

Writes to --out-dir: ``mask_<i>.png`` per instance (8-bit, 255 = object, original image size, best
first), ``overlay.png`` and ``result.json`` (model, prompts, sizes as width x height, instances with
score, box, area).
"""
import argparse
import json
import os
import sys
import time


from radio_dense.tools.tool_args import (MAX_RESOLUTION, SAM3_MODES, add_sam3_model_args, existing_file, labelled_box,
                                         number)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('image', type=existing_file, help='input image (any format PIL reads)')
    p.add_argument('--text', help='the concept, a short noun phrase ("shoe", "yellow school bus")')
    p.add_argument('--box', action='append', type=labelled_box, default=[], metavar='X0,Y0,X1,Y1[,LABEL]',
                   help='exemplar box in image pixels (repeat for more); label 0 = negative exemplar')
    p.add_argument('--resolution', type=number(int, 1, MAX_RESOLUTION, why='the input side'),
                   help='input side (multiple of the patch size; default 1152 for RADIO, '
                        '1008 for SAM3\'s own trunk)')
    p.add_argument('--mode', choices=SAM3_MODES, default='stretch',
                   help="stretch: squash to a square (SAM3's way); pad: keep the aspect ratio, pad to a square; "
                        "fit: keep it, pad to whole patches (non-square input)")
    p.add_argument('--threshold', type=number(float, 0, 1, why='a score'), default=0.5,
                   help='keep instances scoring above this')
    p.add_argument('--out-dir', default='sam3_out', help='folder for masks, overlay.png and result.json')
    add_sam3_model_args(p)
    args = p.parse_args(argv)
    if not args.text and not args.box:
        p.error('give a concept: --text PHRASE and/or --box X0,Y0,X1,Y1[,LABEL]')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)

    from radio_dense.sam.utils.coco_instances import read_rgb
    from radio_dense.sam.utils.visualize import mask_png_bytes
    from radio_dense.sam3 import Sam3Predictor
    from radio_dense.tools.common.sam3_model_args import sam3_model_from_args
    from radio_dense.sam3.visualize import instances_overlay, prediction_records
    from radio_dense.analysis.panels import save_titled, weights_title

    model, what, is_random = sam3_model_from_args(args)
    print(f'Model: {what}', flush=True)
    image = read_rgb(args.image)
    predictor = Sam3Predictor(model, args.resolution, args.mode, confidence_threshold=args.threshold)
    start = time.perf_counter()
    predictor.set_image(image)
    embed_s = time.perf_counter() - start
    boxes = [b for b, _ in args.box] or None
    labels = [lab for _, lab in args.box] or None
    start = time.perf_counter()
    result = predictor.predict(args.text, boxes, labels)
    decode_s = time.perf_counter() - start

    os.makedirs(args.out_dir, exist_ok=True)
    records = prediction_records(result)
    masks = result.masks.cpu().numpy()
    for i, record in enumerate(records):
        record['mask'] = f'mask_{i}.png'
        with open(os.path.join(args.out_dir, record['mask']), 'wb') as f:
            f.write(mask_png_bytes(masks[i]))
    save_titled(instances_overlay(image, result, boxes, labels), os.path.join(args.out_dir, 'overlay.png'),
                weights_title(f'SAM3 on {os.path.basename(args.image)}', is_random))
    g = predictor.geometry
    summary = {'model': what, 'random_weights': is_random, 'image': os.path.abspath(args.image),
               'image_size': [int(image.shape[1]), int(image.shape[0])], 'text': args.text,
               'boxes': [{'box': b, 'label': lab} for b, lab in args.box], 'resolution': predictor.resolution,
               'mode': args.mode, 'canvas': [g.canvas_size[1], g.canvas_size[0]],
               'feature_grid': list(predictor.get_image_features().shape[-2:])[::-1], 'threshold': args.threshold,
               'embed_ms': round(embed_s * 1000, 1), 'decode_ms': round(decode_s * 1000, 1), 'instances': records}
    with open(os.path.join(args.out_dir, 'result.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(f'Image {image.shape[1]}x{image.shape[0]} -> canvas {g.canvas_size[1]}x{g.canvas_size[0]} ({args.mode}), '
          f'feature grid {summary["feature_grid"][0]}x{summary["feature_grid"][1]}; embedding {embed_s * 1000:.0f} ms, '
          f'prompting {decode_s * 1000:.0f} ms')
    best = f', best score {records[0]["score"]:.3f}' if records else ''
    print(f'{len(records)} instance(s) above {args.threshold}{best}. Wrote {args.out_dir}/overlay.png, result.json'
          + (f' and mask_0..{len(records) - 1}.png' if records else ''))
    if is_random:
        print('NOTE: random weights (see Model above); pass --radio and --sam3-checkpoint for real masks.')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
