#!/usr/bin/env python
"""SAM-COCO evaluation: prompt every instance of a COCO-format set with its box and its interior point.

For each resolution, reports the mIoU over instances of the single-mask output (``first``) and
of the best of the three multimask outputs (``best``, oracle), for box and point prompts.

Examples::

    # synthetic demo set, radio_tiny fixture + random decoder (a smoke test)
    python tools/sam_eval.py --ann-file data/demo/annotations/instances_val.json \\
        --img-dir data/demo/images/validation --resolutions 256 512
    # RADIOv2.5-L + SAM ViT-H decoder on COCO val2017 at three resolutions
    python tools/sam_eval.py --config configs/radio_sam/radio-v2.5-l_sam-vit-h-decoder_1024.py \\
        --ann-file data/coco/annotations/instances_val2017.json --img-dir data/coco/val2017 \\
        --resolutions 512 1024 1536 --out-csv sam_coco.csv --out-json sam_coco.json
"""
import argparse
import csv
import json
import sys

from radio_dense.tools.tool_args import add_sam_model_args


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ann-file', required=True, help='COCO instances json')
    p.add_argument('--img-dir', required=True, help="folder of the json's file_name entries")
    p.add_argument('--resolutions', type=int, nargs='+', help="long sides to test (default: the model's)")
    p.add_argument('--no-pad', action='store_true', help='keep aspect ratios instead of padding to squares')
    p.add_argument('--prompts', nargs='+', choices=['box', 'point'], default=['box', 'point'])
    p.add_argument('--max-images', type=int, help='only the first N images')
    p.add_argument('--out-csv', help='write the table as CSV')
    p.add_argument('--out-json', help='write the results as JSON')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    add_sam_model_args(p)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from radio_dense.sam.evaluation import evaluate_sam_coco, format_results_table

    from radio_dense.tools.common.sam_model_args import model_from_args
    model, what, _ = model_from_args(args)
    print(f'Model: {what}')
    results = evaluate_sam_coco(model, args.ann_file, args.img_dir, args.resolutions or [model.resolution],
                                pad_to_square=False if args.no_pad else None, prompts=args.prompts,
                                max_images=args.max_images, progress=not args.quiet)
    print(f'\nSAM-COCO on {args.ann_file} ({what})')
    print(format_results_table(results))
    rows = [r.as_row() for r in results]
    if args.out_csv:
        with open(args.out_csv, 'w', newline='') as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f'Wrote {args.out_csv}')
    if args.out_json:
        with open(args.out_json, 'w') as f:
            json.dump({'model': what, 'ann_file': args.ann_file, 'results': rows}, f, indent=2)
        print(f'Wrote {args.out_json}')
    return 0


if __name__ == '__main__':
    from radio_dense.tools.common.tool_main import run_main
    sys.exit(run_main(main))
